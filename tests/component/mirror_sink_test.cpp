// mode: mirror's shell (server/mirror/mirror_sink.hpp) against the strict fake S3 and a fake
// consumer: one object per document, deletes applied, a key's requests in order on the wire
// with several keys in parallel, and commits only behind durable requests.
#include "server/mirror/mirror_sink.hpp"

#include <gmock/gmock.h>

#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

using ::testing::HasSubstr;

struct MirrorRig {
  MirrorRig(asio::io_context& io, FakeS3& s3, server::SinkConfig config_in)
      : config(std::move(config_in)),
        client(io.get_executor(), PipelineRig::client_config(s3, config),
               s3::make_static_credentials(test_credentials(), "test")),
        metrics(registry),
        consumer(io.get_executor(), s3),
        mirror(io.get_executor(), config, client, metrics) {
    mirror.set_consumer(&consumer);
    mirror.set_fatal_handler([this](const std::string& message) { fatal = message; });
    mirror.start();
  }

  void assign(std::int32_t partition, std::int64_t committed = -1) {
    kafka::AssignedPartition assigned;
    assigned.tp = {"t", partition};
    assigned.committed_offset = committed;
    mirror.on_assigned(std::span<const kafka::AssignedPartition>(&assigned, 1));
  }
  // One batch of records, as the consumer delivers them.
  void feed(const std::vector<TestRecord>& records) {
    for (const TestRecord& r : records) mirror.on_record(r.view());
    mirror.on_records_delivered();
  }

  server::SinkConfig config;
  s3::Client client;
  metrics::Registry registry;
  metrics::SinkMetrics metrics;
  FakeConsumer consumer;
  server::MirrorSink mirror;
  std::optional<std::string> fatal;
};

server::SinkConfig mirror_config(std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"mode=mirror", "mirror.body=document",
                             "mirror.key_template={{value.resource}}/{{value.uuid}}.json"});
  return test_sink_config(std::move(sets));
}

TestRecord doc(std::int32_t partition, std::int64_t offset, std::string key, std::string resource,
               std::string uuid, std::string body, bool deleted = false) {
  TestRecord r;
  r.partition = partition;
  r.offset = offset;
  r.key = std::move(key);
  r.value = R"({"resource":")" + resource + R"(","uuid":")" + uuid + R"(","edfidoc":)" + body +
            (deleted ? R"(,"__deleted":"true"})" : "}");
  return r;
}

TestRecord tombstone(std::int32_t partition, std::int64_t offset, std::string key) {
  TestRecord r;
  r.partition = partition;
  r.offset = offset;
  r.key = std::move(key);
  return r;
}

class MirrorSinkTest : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};

  std::string body(const std::string& key) {
    auto object = s3.object("test-bucket", key);
    return object ? object->data : "<missing>";
  }
};

TEST_F(MirrorSinkTest, LeavesTheDocumentsThatExistWithTheirLastVersion) {
  MirrorRig r(io, s3, mirror_config());
  r.assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    r.feed({doc(0, 0, "1", "Student", "a", R"({"v":0})"),
            doc(0, 1, "2", "School", "b", R"({"v":1})"),
            doc(0, 2, "1", "Student", "a", R"({"v":2})"),
            doc(0, 3, "3", "Student", "c", R"({"v":3})")});
    r.feed({doc(0, 4, "2", "School", "b", R"({"v":1})", true), tombstone(0, 5, "2"),
            tombstone(0, 6, "3")});
    EXPECT_TRUE(co_await eventually([&] { return r.consumer.offset(0) == 7; }));
    EXPECT_TRUE(co_await r.mirror.drain(std::chrono::seconds(10)));
  }());
  EXPECT_FALSE(r.fatal);
  EXPECT_THAT(s3.keys("test-bucket"), ::testing::ElementsAre("Student/a.json"));
  EXPECT_EQ(body("Student/a.json"), R"({"v":2})");
  // Offsets 0 and 2 coalesced (one batch): one PUT for a.json; b: a PUT then a DELETE (the
  // tombstone after the deleted row finds nothing left); c: the tombstone found it in the map.
  EXPECT_EQ(s3.count(S3Op::put_object), 3u);
  EXPECT_EQ(s3.count(S3Op::delete_object), 2u);
  EXPECT_EQ(r.mirror.stats().puts, 3u);
  EXPECT_EQ(r.mirror.stats().deletes, 2u);
  EXPECT_EQ(r.metrics.mirror_coalesced.with({"t"}).value(), 1);
  EXPECT_EQ(r.metrics.mirror_unresolved_deletes.with({"t"}).value(), 1);
}

TEST_F(MirrorSinkTest, AKeysRequestsReachS3InOrderWhileKeysRunInParallel) {
  MirrorRig r(io, s3, mirror_config({"s3.max_connections=4"}));
  s3.set_latency(S3Op::put_object, std::chrono::milliseconds(20));
  s3.set_latency(S3Op::delete_object, std::chrono::milliseconds(20));
  r.assign(0);
  std::map<std::string, std::string> expected;
  run(io, [&]() -> asio::awaitable<void> {
    std::int64_t offset = 0;
    for (int round = 0; round < 20; ++round) {
      std::vector<TestRecord> batch;
      for (int k = 0; k < 8; ++k) {
        const std::string uuid = "u" + std::to_string(k);
        const bool deleted = (round + k) % 5 == 0;
        const std::string body = R"({"round":)" + std::to_string(round) + "}";
        batch.push_back(doc(0, offset++, uuid, "Student", uuid, body, deleted));
        if (deleted) {
          expected.erase("Student/" + uuid + ".json");
        } else {
          expected["Student/" + uuid + ".json"] = body;
        }
      }
      r.feed(batch);
      // Let some requests get under way before the next batch (changes then queue behind them).
      asio::steady_timer pause(io, std::chrono::milliseconds(5));
      co_await pause.async_wait(asio::use_awaitable);
    }
    EXPECT_TRUE(co_await eventually([&] { return r.consumer.offset(0) == offset; }));
  }());
  std::map<std::string, std::string> landed;
  for (const std::string& key : s3.keys("test-bucket")) landed[key] = body(key);
  EXPECT_EQ(landed, expected);
  EXPECT_GT(s3.max_in_flight(S3Op::put_object), 1) << "keys did not run in parallel";
  EXPECT_LE(s3.max_in_flight(S3Op::put_object), 4) << "more requests than s3.max_connections";
  EXPECT_GT(r.metrics.mirror_coalesced.with({"t"}).value(), 0) << "changes queued behind a key";
}

TEST_F(MirrorSinkTest, TheCommitNeverPassesARequestThatFailed) {
  MirrorRig r(io, s3, mirror_config({"s3.max_attempts=1"}));
  r.assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    r.feed({doc(0, 0, "1", "Student", "a", "{}")});
    EXPECT_TRUE(co_await eventually([&] { return r.consumer.offset(0) == 1; }));
    s3.inject(S3Op::put_object, Fault::http_error(403, "AccessDenied"));
    r.feed({doc(0, 1, "2", "Student", "b", "{}")});
    EXPECT_TRUE(co_await eventually([&] { return r.fatal.has_value(); }));
    r.feed({doc(0, 2, "3", "Student", "c", "{}")});  // after the failure: not consumed
    co_await r.mirror.drain(std::chrono::seconds(5));
  }());
  ASSERT_TRUE(r.fatal);
  EXPECT_THAT(*r.fatal, HasSubstr("PutObject"));
  EXPECT_EQ(r.consumer.offset(0), 1) << "offset 1 is not durable";
  EXPECT_THAT(s3.keys("test-bucket"), ::testing::ElementsAre("Student/a.json"));
}

TEST_F(MirrorSinkTest, RetriedFaultsStillConvergeAndARestartReplaysToTheSameBucket) {
  server::SinkConfig config = mirror_config({"s3.retry_base_delay=1ms", "s3.retry_max_delay=5ms"});
  std::vector<TestRecord> records;
  for (std::int64_t i = 0; i < 60; ++i) {
    const std::string uuid = "u" + std::to_string(i % 7);
    records.push_back(
        doc(0, i, uuid, "School", uuid, R"({"i":)" + std::to_string(i) + "}", i % 11 == 5));
  }
  {
    MirrorRig first(io, s3, config);
    first.assign(0);
    s3.inject(S3Op::put_object, Fault::slow_down(), 5);
    s3.inject(S3Op::delete_object, Fault::http_error(500, "InternalError"), 2);
    run(io, [&]() -> asio::awaitable<void> {
      first.feed(std::vector<TestRecord>(records.begin(), records.begin() + 40));
      EXPECT_TRUE(co_await eventually([&] { return first.consumer.offset(0) == 40; }));
    }());
    EXPECT_FALSE(first.fatal);
  }
  const auto after_first = s3.keys("test-bucket");
  // A crash lost the commit of the last 15 records: the next run replays from 25.
  MirrorRig second(io, s3, config);
  second.assign(0, 25);
  run(io, [&]() -> asio::awaitable<void> {
    second.feed(std::vector<TestRecord>(records.begin() + 25, records.end()));
    EXPECT_TRUE(co_await eventually([&] { return second.consumer.offset(0) == 60; }));
  }());
  std::map<std::string, std::string> expected;
  for (const TestRecord& record : records) {
    const std::string key = "School/" + *record.key + ".json";
    if (record.value->find("__deleted") != std::string::npos) {
      expected.erase(key);
    } else {
      expected[key] = R"({"i":)" + std::to_string(record.offset) + "}";
    }
  }
  std::map<std::string, std::string> landed;
  for (const std::string& key : s3.keys("test-bucket")) landed[key] = body(key);
  EXPECT_EQ(landed, expected);
}

TEST_F(MirrorSinkTest, ARevokeWaitsForThePartitionsRequestsAndCommitsThem) {
  MirrorRig r(io, s3, mirror_config());
  s3.set_latency(S3Op::put_object, std::chrono::milliseconds(50));
  r.assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    r.feed({doc(0, 0, "1", "Student", "a", "{}"), doc(0, 1, "2", "Student", "b", "{}")});
    const kafka::TopicPartition tp{"t", 0};
    co_await r.mirror.on_revoked(std::span<const kafka::TopicPartition>(&tp, 1));
  }());
  EXPECT_EQ(r.consumer.offset(0), 2);
  EXPECT_EQ(s3.keys("test-bucket").size(), 2u);
  EXPECT_EQ(r.mirror.assigned_partitions(), 0u);
}

TEST_F(MirrorSinkTest, GzipObjectsAndDeleteMarkers) {
  MirrorRig r(io, s3, mirror_config({"mirror.compression=gzip", "mirror.deletes=marker"}));
  r.assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    r.feed({doc(0, 0, "1", "Student", "a", R"({"x":1})")});
    r.feed({doc(0, 1, "2", "Student", "b", R"({"x":2})")});
    r.feed({tombstone(0, 2, "2")});
    EXPECT_TRUE(co_await eventually([&] { return r.consumer.offset(0) == 3; }));
  }());
  auto a = server::decompress(server::Compression::gzip, body("Student/a.json"));
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, R"({"x":1})");
  EXPECT_EQ(s3.object("test-bucket", "Student/a.json")->content_type, "application/json");
  // Markers are small and go out as they are (no Content-Encoding).
  EXPECT_EQ(body("Student/b.json"),
            R"({"__deleted":true,"topic":"t","partition":0,"offset":2,"key":"2"})");
  EXPECT_EQ(s3.count(S3Op::delete_object), 0u);
}

}  // namespace
}  // namespace ks3::test

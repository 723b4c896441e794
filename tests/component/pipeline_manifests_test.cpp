// Cut manifests through the pipeline against the strict fake S3: a re-run after an offset reset
// writes the same objects, a partition stays paused until its manifests are read, and a
// manifest that cannot be written keeps its objects from completing (docs/DESIGN.md, "Delivery:
// exactly-once object set").
#include <gmock/gmock.h>

#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

using ::testing::HasSubstr;

class PipelineManifests : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};

  std::unique_ptr<PipelineRig> rig(std::vector<std::string> sets) {
    auto r = std::make_unique<PipelineRig>(io, s3, test_sink_config(std::move(sets)));
    r->enable_manifests();
    return r;
  }

  // Data objects (manifests left out), key -> bytes.
  std::map<std::string, std::string> objects() const {
    std::map<std::string, std::string> out;
    for (const std::string& key : s3.keys("test-bucket")) {
      if (!key.starts_with("_ks3/")) out[key] = s3.object("test-bucket", key)->data;
    }
    return out;
  }
  std::vector<std::string> manifests() const {
    std::vector<std::string> out;
    for (const std::string& key : s3.keys("test-bucket")) {
      if (key.starts_with("_ks3/manifests/")) out.push_back(key);
    }
    return out;
  }
  // Seen once under load in CI (not reproduced in 600 runs on a loaded machine): the same keys
  // with different bytes. Says, per differing key, whether the records differ or only their
  // compression, and every request that touched the key, so the next failure names its path.
  void explain_difference(const std::map<std::string, std::string>& first,
                          const std::map<std::string, std::string>& second) const {
    for (const auto& [key, bytes] : second) {
      auto before = first.find(key);
      if (before == first.end() || before->second == bytes) continue;
      const auto a = server::decompress(server::Compression::gzip, before->second);
      const auto b = server::decompress(server::Compression::gzip, bytes);
      ADD_FAILURE() << key << ": " << before->second.size() << " then " << bytes.size()
                    << " bytes; records " << (a && b && *a == *b ? "equal" : "differ") << "\n"
                    << (a ? *a : "(not gzip)") << "\n"
                    << (b ? *b : "(not gzip)");
      for (const RequestRecord& request : s3.requests()) {
        if (request.key != key) continue;
        ADD_FAILURE() << request.method << " " << request.target << " -> " << request.status
                      << " body " << request.body_size << " connection " << request.connection
                      << (request.fault.empty() ? "" : " fault " + request.fault);
      }
    }
  }
};

bool unpaused(const PipelineRig& r) {
  return r.consumer.paused_partitions.empty();
}

TEST_F(PipelineManifests, AResetReplaysTheRecordedCutsWithTheSameBytes) {
  std::map<std::string, std::string> first;
  {
    // Run 1: two idle flushes cut at 3 and 5.
    auto r = rig({"rotation.idle_flush=50ms", "rotation.max_records=100"});
    r->assign(0);
    EXPECT_EQ(r->consumer.paused_partitions.count({"t", 0}), 1u) << "paused until read";
    run(io, [&]() -> asio::awaitable<void> {
      EXPECT_TRUE(co_await eventually([&] { return unpaused(*r); }));
      for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));
      EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 3; }));
      for (std::int64_t i = 3; i < 5; ++i) r->feed(json_record(0, i));
      EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 5; }));
      EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
    }());
    first = objects();
    EXPECT_EQ(first.size(), 2u);
    EXPECT_THAT(manifests(),
                ::testing::ElementsAre(
                    "_ks3/manifests/t/0/00000000000000000000-00000000000000000003.json",
                    "_ks3/manifests/t/0/00000000000000000003-00000000000000000005.json"));
    auto body = s3.object("test-bucket", manifests()[0]);
    ASSERT_TRUE(body);
    EXPECT_THAT(body->data, HasSubstr("\"reason\":\"idle_flush\""));
    EXPECT_THAT(body->data, HasSubstr("t/partition=0/t+0+00000000000000000000.jsonl.gz"));
  }
  // Run 2: the group was reset to the earliest offset (no journal); every record is there at
  // once, so without the manifests it would be one object [0, 5).
  auto r = rig({"rotation.idle_flush=50ms", "rotation.max_records=100"});
  r->assign(0, 0, "");
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return unpaused(*r); }));
    for (std::int64_t i = 0; i < 5; ++i) r->feed(json_record(0, i));
    // The last recorded cut (5) is made right after record 4: no idle flush, no new record.
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 5; }));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  const std::map<std::string, std::string> second = objects();
  EXPECT_EQ(second, first) << "the same keys with the same bytes, and no other";
  if (second != first) explain_difference(first, second);
  EXPECT_EQ(manifests().size(), 2u);
  expect_exactly_once(landed_records(s3, "t/"), {{0, {0, 5}}});
}

TEST_F(PipelineManifests, RecordedCutsAreReplayedEvenWhenTheirObjectsOrDetailsAreMissing) {
  // [0, 3): its object never completed (a crash), so it is missing; [3, 5): written by a newer
  // sink (version 2); plus a key that is not a manifest. Every cut is replayed anyway.
  s3.put_object("test-bucket", "_ks3/manifests/t/0/00000000000000000000-00000000000000000003.json",
                R"({"version":1,"topic":"t","partition":0,"first_offset":0,"end_offset":3,)"
                R"("last_offset":2,"reason":"idle_flush","records":3,"bytes":300,"objects":[)"
                R"({"key":"t/partition=0/t+0+00000000000000000000.jsonl.gz","first_offset":0,)"
                R"("last_offset":2,"records":3}]})");
  s3.put_object("test-bucket", "_ks3/manifests/t/0/00000000000000000003-00000000000000000005.json",
                R"({"version":2,"layout":"future"})");
  s3.put_object("test-bucket", "_ks3/manifests/t/0/notes.txt", "not a manifest");
  auto r = rig({"rotation.idle_flush=30s", "rotation.max_records=100"});
  r->assign(0, 0, "");
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return unpaused(*r); }));
    // The check runs in the background; records come after it here, so it sees the object
    // missing before the replay writes it.
    EXPECT_TRUE(co_await eventually(
        [&] { return r->metrics.manifest_objects_missing.with({"t"}).value() == 1.0; }));
    for (std::int64_t i = 0; i < 6; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 5; }));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  EXPECT_EQ(r->metrics.manifest_cuts_replayed.with({"t"}).value(), 2.0) << "3 and 5";
  auto keys = objects();
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_TRUE(keys.count("t/partition=0/t+0+00000000000000000000.jsonl.gz"));
  EXPECT_TRUE(keys.count("t/partition=0/t+0+00000000000000000003.jsonl.gz"));
  EXPECT_TRUE(keys.count("t/partition=0/t+0+00000000000000000005.jsonl.gz"));
  expect_exactly_once(landed_records(s3, "t/"), {{0, {0, 6}}});
}

TEST_F(PipelineManifests, AListingFailureKeepsThePartitionPausedUntilARetrySucceeds) {
  auto r = rig({"rotation.max_records=2"});
  s3.inject(S3Op::list_objects_v2, Fault::http_error(403, "AccessDenied"), 2);
  r->assign(0);
  EXPECT_FALSE(unpaused(*r));
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return unpaused(*r); }));
    EXPECT_EQ(s3.count(S3Op::list_objects_v2), 3u) << "resumed only after a listing succeeded";
    for (std::int64_t i = 0; i < 4; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  EXPECT_FALSE(r->fatal);
  EXPECT_EQ(r->consumer.offset(0), 4);
}

TEST_F(PipelineManifests, ARecordBeforeTheManifestsAreReadStopsTheSinkWithoutConsumingIt) {
  auto r = rig({});
  r->assign(0);
  r->feed(json_record(0, 0));  // the consumer should have held it back (paused)
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("before the partition's manifests were read"));
  run(io,
      [&]() -> asio::awaitable<void> { co_await r->pipeline.drain(std::chrono::seconds(10)); }());
  EXPECT_EQ(r->consumer.offset(0), -1);
}

TEST_F(PipelineManifests, AManifestThatCannotBeWrittenKeepsItsObjectsFromCompleting) {
  auto r = rig({"rotation.max_records=3"});
  r->assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return unpaused(*r); }));
    // The first PutObject after the cut is the manifest (the object waits for it).
    s3.inject(S3Op::put_object, Fault::http_error(403, "AccessDenied"));
    for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->fatal.has_value(); }));
    co_await r->pipeline.drain(std::chrono::seconds(10));
  }());
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("manifest"));
  EXPECT_TRUE(objects().empty()) << "no object of the segment completed";
  EXPECT_TRUE(manifests().empty());
  EXPECT_LE(r->consumer.offset(0), 0);
  EXPECT_EQ(s3.open_uploads(), 0u);
}

}  // namespace
}  // namespace ks3::test

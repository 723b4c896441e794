// The pipeline against the strict fake S3 and a fake consumer: what lands, where, and what is
// committed, including the exactly-once rules for moment cuts and replays.
#include <gmock/gmock.h>

#include <algorithm>

#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

using ::testing::HasSubstr;

class PipelineDelivery : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};

  std::unique_ptr<PipelineRig> rig(std::vector<std::string> sets) {
    return std::make_unique<PipelineRig>(io, s3, test_sink_config(std::move(sets)));
  }
};

TEST_F(PipelineDelivery, EveryRecordLandsOnceAndCommitsFollowDurableCuts) {
  auto r = rig({"rotation.max_records=4"});
  r->assign(0);
  r->assign(1, 100);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 10; ++i) r->feed(json_record(0, i));
    for (std::int64_t i = 100; i < 109; ++i) r->feed(json_record(1, i));
    // Deterministic cuts at 4, 8 (partition 0) and 104, 108 (partition 1) complete on their own.
    EXPECT_TRUE(co_await eventually([&] { return s3.keys("test-bucket").size() == 4; }));
    EXPECT_TRUE(co_await eventually(
        [&] { return r->consumer.offset(0) == 8 && r->consumer.offset(1) == 108; }));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  expect_exactly_once(landed_records(s3), {{0, {0, 10}}, {1, {100, 109}}});
  EXPECT_EQ(r->consumer.offset(0), 10);
  EXPECT_EQ(r->consumer.metadata(0), "");
  EXPECT_EQ(r->consumer.offset(1), 109);
  EXPECT_EQ(s3.open_uploads(), 0u);
  auto keys = s3.keys("test-bucket");
  EXPECT_THAT(keys, ::testing::Contains("t/partition=0/t+0+00000000000000000004.jsonl.gz"));
  EXPECT_THAT(keys, ::testing::Contains("t/partition=1/t+1+00000000000000000108.jsonl.gz"));
}

TEST_F(PipelineDelivery, ALoneFullObjectCompletesAndCommitsWithoutWaitingForIdleFlush) {
  // flush.size 3 and no fourth record: the third record closes the object (Kafka Connect
  // closes the file when it reaches flush.size), long before idle_flush could.
  auto r = rig({"rotation.max_records=3", "rotation.idle_flush=30s"});
  r->assign(0, 0);
  const auto start = std::chrono::steady_clock::now();
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(
        co_await eventually([&] { return r->consumer.offset(0) == 3; }, std::chrono::seconds(5)))
        << "a full object (3 of max_records 3) must complete and commit offset 3 on its own; "
        << "committed: " << r->consumer.offset(0)
        << ", objects in S3: " << s3.keys("test-bucket").size();
  }());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(s3.keys("test-bucket"),
              ::testing::ElementsAre("t/partition=0/t+0+00000000000000000000.jsonl.gz"));
  EXPECT_EQ(r->consumer.metadata(0), "") << "a full-segment cut is deterministic: no journal";
  EXPECT_FALSE(r->pipeline.partition_state({"t", 0})->has_open_records());
  EXPECT_EQ(r->metrics.objects_completed.with({"t", "max_records"}).value(), 1.0);
  expect_exactly_once(landed_records(s3), {{0, {0, 3}}});
}

TEST_F(PipelineDelivery, ALoneObjectThatReachesMaxBytesCompletesWithoutWaitingForIdleFlush) {
  auto r = rig({"rotation.max_records=0", "rotation.max_bytes=1", "rotation.idle_flush=30s"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    EXPECT_TRUE(
        co_await eventually([&] { return r->consumer.offset(0) == 1; }, std::chrono::seconds(5)))
        << "an object at max_bytes must complete and commit on its own; committed: "
        << r->consumer.offset(0);
  }());
  expect_exactly_once(landed_records(s3), {{0, {0, 1}}});
}

TEST_F(PipelineDelivery, IdleFlushIsJournaledBeforeTheObjectExists) {
  auto r = rig({"rotation.idle_flush=100ms"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 5; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 5; }));
  }());
  ASSERT_GE(r->consumer.log.size(), 2u);
  // First the journal (offset unchanged, the cut in the metadata) while S3 holds nothing ...
  EXPECT_EQ(r->consumer.log[0].offset, 0);
  EXPECT_EQ(r->consumer.log[0].metadata, "ks3j1:5");
  EXPECT_EQ(r->consumer.log[0].objects_in_s3, 0u);
  // ... then the offset, once the object is durable; the journal entry is covered and dropped.
  EXPECT_EQ(r->consumer.log.back().offset, 5);
  EXPECT_EQ(r->consumer.log.back().metadata, "");
  expect_exactly_once(landed_records(s3), {{0, {0, 5}}});
}

TEST_F(PipelineDelivery, NoObjectCompletesWhileItsJournalIsUnacknowledged) {
  auto r = rig({"rotation.idle_flush=50ms", "rotation.max_records=3"});
  r->consumer.hold = true;  // the broker does not answer commits
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    r->feed(json_record(0, 1));
    // Idle cut at 2 (journaled, not acknowledged), then a deterministic cut at 5.
    EXPECT_TRUE(co_await eventually([&] {
      return r->pipeline.partition_state({"t", 0})->journal_size() == 1;
    }));
    for (std::int64_t i = 2; i < 6; ++i) r->feed(json_record(0, i));
    // Give uploads time: neither segment may complete (a replay without the journal would cut
    // at 3 instead, and these objects would overlap its objects).
    co_await eventually([] { return false; }, std::chrono::milliseconds(300));
    EXPECT_EQ(s3.keys("test-bucket").size(), 0u);
    r->consumer.hold = false;
    r->consumer.released.notify_all();
    // All three segments (the third idled out while commits were held) complete now.
    EXPECT_TRUE(co_await eventually([&] { return s3.keys("test-bucket").size() == 3; }));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  expect_exactly_once(landed_records(s3), {{0, {0, 6}}});
}

TEST_F(PipelineDelivery, ACrashAndReplayOverwritesTheSameKeys) {
  // Run 1: an idle cut at 3 is journaled and its object completes; the next segment is open
  // (records 3..6) and one more object of an earlier segment is durable but not committed.
  std::pair<std::int64_t, std::string> committed;
  // The crashed instance stays allocated (its held commit never returns) but does nothing more.
  auto crashed = rig({"rotation.idle_flush=50ms", "rotation.max_records=100"});
  {
    auto& r = crashed;
    r->assign(0, 0);
    run(io, [&]() -> asio::awaitable<void> {
      for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));
      EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 3; }));
      r->consumer.hold = true;  // from now on, commits are lost in the crash
      for (std::int64_t i = 3; i < 5; ++i) r->feed(json_record(0, i));
      EXPECT_TRUE(co_await eventually([&] {
        return r->pipeline.partition_state({"t", 0})->journal_size() == 1;
      }));
      for (std::int64_t i = 5; i < 7; ++i) r->feed(json_record(0, i));
    }());
    committed = {r->consumer.offset(0), r->consumer.metadata(0)};
    r->pipeline.stop();  // the crash: nothing more is committed
    run_on(io, eventually([] { return false; }, std::chrono::milliseconds(100)));
  }
  EXPECT_EQ(committed, std::make_pair(std::int64_t{3}, std::string()));
  // Run 2 starts from what the broker has: offset 3, no journal (the cut at 5 never reached it,
  // so its objects never completed either). Everything from 3 is replayed.
  auto r = rig({"rotation.idle_flush=50ms", "rotation.max_records=100"});
  r->assign(0, committed.first, committed.second);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 3; i < 9; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  expect_exactly_once(landed_records(s3), {{0, {0, 9}}});
  EXPECT_EQ(r->consumer.offset(0), 9);
}

TEST_F(PipelineDelivery, JournaledCutsAreReplayedOnAssignment) {
  // The broker holds offset 0 with the journal {3}: run 1 cut at 3 by the clock, and its object
  // [0,3) may already exist. The replay must cut at 3 again, so that object is overwritten,
  // not duplicated by a larger one.
  auto r = rig({"rotation.max_records=100"});
  r->assign(0, 0, "ks3j1:3");
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 6; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  auto keys = s3.keys("test-bucket");
  EXPECT_THAT(keys, ::testing::Contains("t/partition=0/t+0+00000000000000000000.jsonl.gz"));
  EXPECT_THAT(keys, ::testing::Contains("t/partition=0/t+0+00000000000000000003.jsonl.gz"));
  expect_exactly_once(landed_records(s3), {{0, {0, 6}}});
}

TEST_F(PipelineDelivery, RoutesByValueFieldsIntoSeparateObjects) {
  auto r = rig({"rotation.max_records=100",
                "key_template={{value.resourcename}}/{{topic}}+{{partition}}+{{start_offset}}"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 9; ++i) {
      r->feed(json_record(0, i, i % 3 == 0 ? "School" : i % 3 == 1 ? "Student" : "Staff Member"));
    }
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  EXPECT_THAT(s3.keys("test-bucket"),
              ::testing::UnorderedElementsAre("School/t+0+00000000000000000000.jsonl.gz",
                                              "Student/t+0+00000000000000000001.jsonl.gz",
                                              "Staff%20Member/t+0+00000000000000000002.jsonl.gz"));
  expect_exactly_once(landed_records(s3), {{0, {0, 9}}});
}

TEST_F(PipelineDelivery, LargeObjectsGoOutAsMultipartUploads) {
  auto r =
      rig({"rotation.max_records=1000", "compression.type=none", "format.value_encoding=string"});
  r->assign(0, 0);
  std::string big(100 * 1024, 'x');
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 130; ++i) {
      TestRecord record = json_record(0, i);
      record.value = big + std::to_string(i);
      r->feed(record);
    }
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(20)));
  }());
  EXPECT_GE(s3.count(S3Op::upload_part), 2u);
  EXPECT_EQ(s3.count(S3Op::complete_multipart_upload), 1u);
  expect_exactly_once(landed_records(s3), {{0, {0, 130}}});
}

TEST_F(PipelineDelivery, BadRecordsGoToTheDeadLetterPrefix) {
  auto r = rig({"rotation.max_records=100", "bad_records.policy=dead_letter"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    TestRecord bad = json_record(0, 1);
    bad.value = "{not json";
    r->feed(bad);
    r->feed(json_record(0, 2));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  EXPECT_THAT(s3.keys("test-bucket"), ::testing::UnorderedElementsAre(
                                          "t/partition=0/t+0+00000000000000000000.jsonl.gz",
                                          "_dlq/t/partition=0/t+0+00000000000000000001.jsonl.gz"));
  auto dead = decompress(
      server::Compression::gzip,
      s3.object("test-bucket", "_dlq/t/partition=0/t+0+00000000000000000001.jsonl.gz")->data);
  EXPECT_THAT(*dead, HasSubstr(R"("value_base64":"e25vdCBqc29u")"));
  EXPECT_THAT(*dead, HasSubstr("t/0/1: the value is not valid JSON"));
  EXPECT_EQ(r->consumer.offset(0), 3);
}

TEST_F(PipelineDelivery, SkippedRecordsAndIgnoredTombstonesAreCommittedPast) {
  auto r = rig({"rotation.max_records=100", "bad_records.policy=skip", "tombstones=ignore"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    TestRecord bad = json_record(0, 1);
    bad.value = "nope";
    r->feed(bad);
    TestRecord tombstone = json_record(0, 2);
    tombstone.value.reset();
    r->feed(tombstone);
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  auto landed = landed_records(s3);
  ASSERT_EQ(landed.size(), 1u);
  EXPECT_EQ(landed[0].offset, 0);
  EXPECT_EQ(r->consumer.offset(0), 3);
}

TEST_F(PipelineDelivery, FailPolicyStopsBeforeTheBadRecord) {
  auto r = rig({"rotation.max_records=100"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    r->feed(json_record(0, 1));
    TestRecord bad = json_record(0, 2);
    bad.value = "nope";
    r->feed(bad);
    r->feed(json_record(0, 3));  // after the failure: ignored
    EXPECT_TRUE(r->fatal.has_value());
    co_await r->pipeline.drain(std::chrono::seconds(10));
  }());
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("t/0/2: the value is not valid JSON"));
  // Records before the bad one are kept; the commit stops right before it.
  // Records before the bad one land (a shutdown cut right before it); the commit stops there.
  EXPECT_EQ(r->consumer.offset(0), 2);
  expect_exactly_once(landed_records(s3), {{0, {0, 2}}});
}

TEST_F(PipelineDelivery, RevokeAbortsOpenObjectsAndCommitsOnlyDurableData) {
  auto r = rig({"rotation.max_records=3"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 5; ++i) r->feed(json_record(0, i));  // [0,3) closed, 3..4 open
    std::vector<kafka::TopicPartition> revoked = {{"t", 0}};
    co_await r->pipeline.on_revoked(revoked);
  }());
  EXPECT_EQ(r->pipeline.assigned_partitions(), 0u);
  EXPECT_EQ(r->consumer.offset(0), 3);
  expect_exactly_once(landed_records(s3), {{0, {0, 3}}});
  EXPECT_EQ(s3.open_uploads(), 0u);
}

TEST_F(PipelineDelivery, AFailedUploadStopsTheSinkWithoutCommittingIt) {
  auto r = rig({"rotation.max_records=2"});
  s3.inject(S3Op::put_object, Fault::http_error(403, "AccessDenied"));
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->fatal.has_value(); }));
    co_await r->pipeline.drain(std::chrono::seconds(10));
  }());
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("AccessDenied"));
  EXPECT_EQ(r->consumer.offset(0), -1);
}

TEST_F(PipelineDelivery, MemoryPressureCutsTheLargestPartitionAndPauses) {
  // 16 groups (by key) of ~1 MiB each do not fit a 12 MiB budget: the pipeline must cut.
  server::SinkConfig config = test_sink_config(
      {"rotation.max_records=100000", "compression.type=none",
       "key_template={{key}}/{{partition}}/{{start_offset}}", "format.value_encoding=string"});
  config.memory.high_watermark = 12u << 20;
  config.memory.low_watermark = 6u << 20;
  auto rig2 = std::make_unique<PipelineRig>(io, s3, config);
  rig2->assign(0, 0);
  std::string value(64 * 1024, 'v');
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 300; ++i) {
      TestRecord record = json_record(0, i);
      record.key = "g" + std::to_string(i % 16);
      record.value = value;
      rig2->feed(record);
    }
    EXPECT_TRUE(co_await rig2->pipeline.drain(std::chrono::seconds(20)));
  }());
  EXPECT_GT(rig2->pipeline.stats().memory_pressure_cuts, 0u);
  expect_exactly_once(landed_records(s3), {{0, {0, 300}}});
  EXPECT_EQ(rig2->consumer.offset(0), 300);
}

// A slow S3 and objects closed faster than they upload: the backlog of closed objects takes the
// budget above its high watermark. They settle on their own, so consumption pauses and resumes,
// and the pause cuts nothing: the open objects (up to 5 MiB, with the 1 MiB reservation below
// the 7 MiB low watermark) are not cut for memory, and the time they are held back is not idle
// time: idle_flush is 500 ms here, and a pause lasts about three times that (7 MiB of 128 KiB
// objects to upload one at a time, 30 ms each). The idle flush must also stay well above the
// gaps between records outside a pause: on a loaded machine under TSan, 100 ms was too short.
// Cuts either way would only make small objects: exactly the 200 objects of the 5 full segments
// land.
TEST_F(PipelineDelivery, ABacklogOfClosedObjectsPausesWithoutCuttingOpenOnes) {
  s3.set_latency(S3Op::put_object, std::chrono::milliseconds(30));
  server::SinkConfig config = test_sink_config(
      {"rotation.max_records=80", "rotation.idle_flush=500ms", "compression.type=none",
       "s3.max_connections=1", "key_template={{key}}/{{partition}}/{{start_offset}}",
       "format.value_encoding=string"});
  config.memory.high_watermark = 14u << 20;
  config.memory.low_watermark = 7u << 20;
  auto r = std::make_unique<PipelineRig>(io, s3, config);
  r->assign(0, 0);
  const std::string value(64 * 1024, 'v');
  constexpr std::int64_t kRecords = 400;  // 5 segments of 40 objects of 2 records
  std::chrono::steady_clock::duration longest_pause{};
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < kRecords; ++i) {
      // Let posted handlers run (the budget's pause is one), as between a consumer's batches.
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      if (r->consumer.paused) {  // as the consumer would: no records while paused
        const auto paused_at = std::chrono::steady_clock::now();
        EXPECT_TRUE(co_await eventually([&] { return !r->consumer.paused; },
                                        std::chrono::seconds(30)))
            << "still paused at offset " << i;
        longest_pause = std::max(longest_pause, std::chrono::steady_clock::now() - paused_at);
      }
      TestRecord record = json_record(0, i);
      record.key = "g" + std::to_string(i % 40);
      record.value = value;
      r->feed(record);
    }
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(30)));
  }(), std::chrono::seconds(60));
  EXPECT_GT(r->consumer.pauses, 0) << "the backlog never reached the high watermark";
  EXPECT_GT(longest_pause, std::chrono::milliseconds(500))
      << "no pause outlasted idle_flush: the test cannot tell held time from idle time";
  EXPECT_EQ(r->pipeline.stats().memory_pressure_cuts, 0u);
  EXPECT_EQ(s3.keys("test-bucket").size(), 200u);
  expect_exactly_once(landed_records(s3), {{0, {0, kRecords}}});
  EXPECT_EQ(r->consumer.offset(0), kRecords);
}

TEST_F(PipelineDelivery, RevokeAbortsObjectsWhoseJournalCannotBeCommitted) {
  auto r = rig({"rotation.idle_flush=50ms"});
  r->consumer.fail_next = 1000;  // the broker refuses every commit (e.g. a fenced generation)
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 4; ++i) r->feed(json_record(0, i));
    // The idle cut is journaled, but the journal never gets acknowledged.
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.failures >= 2; }));
    std::vector<kafka::TopicPartition> revoked = {{"t", 0}};
    co_await r->pipeline.on_revoked(revoked);
  }());
  EXPECT_EQ(s3.keys("test-bucket").size(), 0u) << "an object without its journal must not exist";
  EXPECT_EQ(s3.open_uploads(), 0u);
  EXPECT_EQ(r->consumer.offset(0), -1);
  EXPECT_EQ(r->pipeline.assigned_partitions(), 0u);
}

TEST_F(PipelineDelivery, DrainGivesUpAtTheDeadlineAndCommitsOnlyDurableData) {
  auto r = rig({"rotation.max_records=2"});
  r->assign(0, 0);
  bool settled = true;
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 3; ++i) r->feed(json_record(0, i));  // [0,2) cut after 1
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 2; }));
    s3.set_latency(S3Op::put_object, std::chrono::milliseconds(3000));  // S3 stalls
    r->feed(json_record(0, 3));
    const auto start = std::chrono::steady_clock::now();
    settled = co_await r->pipeline.drain(std::chrono::milliseconds(300));
    // The deadline, then at most a short grace for aborts to settle.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(6000));
  }());
  EXPECT_FALSE(settled);
  EXPECT_EQ(r->consumer.offset(0), 2);
}

}  // namespace
}  // namespace ks3::test

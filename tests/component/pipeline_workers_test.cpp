// The pipeline with its worker pool: block compression off the loop keeps records in order
// within each object and gives the same bytes with any number of workers; open objects are
// small (10,000 of them fit a small budget); an exception on the record path or in a
// compression job fails the sink loudly and commits only what is durable.
#include <gmock/gmock.h>

#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

using ::testing::HasSubstr;

class PipelineWorkers : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};

  std::unique_ptr<PipelineRig> rig(std::vector<std::string> sets) {
    return std::make_unique<PipelineRig>(io, s3, test_sink_config(std::move(sets)));
  }
};

// A record of about 1 KiB routed by `resource`; its value carries a sequence per resource.
TestRecord big_record(std::int32_t partition, std::int64_t offset, const std::string& resource) {
  TestRecord r = json_record(partition, offset, resource);
  r.value = R"({"id":)" + std::to_string(offset) + R"(,"resourcename":")" + resource +
            R"(","pad":")" + std::string(900 + offset % 211, static_cast<char>('a' + offset % 26)) +
            "\"}";
  return r;
}

std::map<std::string, std::string> objects(const FakeS3& s3) {
  std::map<std::string, std::string> out;
  for (const std::string& key : s3.keys("test-bucket"))
    out[key] = s3.object("test-bucket", key)->data;
  return out;
}

// Many objects, several blocks and parts each, compressed by many workers at once: every object
// holds its records in offset order, every record lands once, and the bytes are those of a
// sink compressing on the loop (0 workers).
TEST_F(PipelineWorkers, RecordsKeepTheirOrderAndBytesUnderParallelCompression) {
  std::map<std::string, std::string> reference;
  for (const char* workers : {"0", "4"}) {
    FakeS3 store(io.get_executor());
    auto r = std::make_unique<PipelineRig>(
        io, store,
        test_sink_config({std::string("pipeline.workers=") + workers, "compression.type=zstd",
                          "key_template={{value.resourcename}}/{{partition}}/{{start_offset}}",
                          "rotation.max_records=2500"}));
    for (std::int32_t p = 0; p < 4; ++p) r->assign(p);
    run(io, [&]() -> asio::awaitable<void> {
      for (std::int64_t i = 0; i < 6000; ++i) {
        for (std::int32_t p = 0; p < 4; ++p) {
          r->feed(big_record(p, i, "R" + std::to_string((i * 7 + p) % 13)));
        }
        if (i % 500 == 0) co_await eventually([] { return true; });  // let results come back
      }
      EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(60)));
    }());
    EXPECT_FALSE(r->fatal);
    const auto landed = landed_records(store);
    expect_exactly_once(landed, {{0, {0, 6000}}, {1, {0, 6000}}, {2, {0, 6000}}, {3, {0, 6000}}});
    std::map<std::string, std::int64_t> last;
    for (const LandedRecord& record : landed) {
      auto [it, inserted] = last.emplace(record.key, record.offset);
      if (!inserted) {
        EXPECT_GT(record.offset, it->second) << "out of order in " << record.key;
        it->second = record.offset;
      }
    }
    auto stored = objects(store);
    EXPECT_GT(stored.size(), 100u);
    if (reference.empty()) {
      reference = std::move(stored);
    } else {
      EXPECT_EQ(stored.size(), reference.size());
      for (const auto& [key, bytes] : reference) {
        EXPECT_EQ(stored[key], bytes) << key << " differs between 0 and 4 workers";
      }
    }
  }
}

// 10,000 open objects (keys by a field with 10,000 values) in a 64 MiB budget with a slow S3:
// no memory-pressure cut, the budget never exceeded, every object lands once.
TEST_F(PipelineWorkers, TenThousandOpenObjectsFitTheBudgetWithASlowS3) {
  constexpr int kObjects = 10000;
  s3.set_latency(S3Op::put_object, std::chrono::milliseconds(5));
  auto r = rig({"memory.high_watermark=64MiB", "memory.low_watermark=48MiB",
                "key_template={{value.resourcename}}/{{partition}}/{{start_offset}}"});
  r->assign(0);
  std::uint64_t peak = 0;
  std::int64_t offset = 0;
  run(
      io,
      [&]() -> asio::awaitable<void> {
        // Two rounds over every group: each object gets about 2 KiB of records (the old
        // design held a compressor per object: about 0.4 MiB each, 4 GiB for 10,000).
        for (int round = 0; round < 2; ++round) {
          for (int g = 0; g < kObjects; ++g) {
            r->feed(big_record(0, offset++, "G" + std::to_string(g)));
            peak = std::max(peak, r->pipeline.memory().used());
          }
          co_await eventually([] { return false; }, std::chrono::milliseconds(250));  // idle
          peak = std::max(peak, r->pipeline.memory().used());
        }
        // Idle objects hold their partial block and their writer (2 KiB counted): well under
        // 16 KiB each.
        EXPECT_LT(r->pipeline.memory().used(), kObjects * 5ull * 1024);
        EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(100)));
      }(),
      std::chrono::seconds(110));
  EXPECT_EQ(r->pipeline.stats().memory_pressure_cuts, 0u);
  EXPECT_EQ(r->pipeline.stats().pauses, 0u);  // never paused by the budget
  EXPECT_LE(peak, r->config.memory.high_watermark);
  EXPECT_EQ(s3.keys("test-bucket").size(), static_cast<std::size_t>(kObjects));
  expect_exactly_once(landed_records(s3), {{0, {0, offset}}});
  EXPECT_EQ(r->consumer.offset(0), offset);
}

// An exception on the record path: logged, the sink fails (the fatal handler runs: /healthz
// turns 503 and the process exits 1), and only what is durable is committed.
TEST_F(PipelineWorkers, AThrowOnTheRecordPathFailsTheSinkAndCommitsOnlyDurableData) {
  auto r = rig({"rotation.max_records=3"});
  r->pipeline.set_record_hook_for_tests([](const server::RecordView& record) {
    if (record.offset == 5) throw std::runtime_error("injected failure");
  });
  r->assign(0);
  ::testing::internal::CaptureStderr();
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 8; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 3; }));
    // What the sink does on the fatal handler: drain (nothing new is cut), then stop.
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  r->pipeline.stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("injected failure"));
  EXPECT_THAT(log, HasSubstr("injected failure"));
  EXPECT_TRUE(r->pipeline.failed());
  // Records 3 and 4 were in an open object: never completed, never committed.
  expect_exactly_once(landed_records(s3), {{0, {0, 3}}});
  EXPECT_EQ(r->consumer.offset(0), 3);
  EXPECT_EQ(s3.open_uploads(), 0u);
}

// A compression job that throws on a worker: the object fails, the sink fails, nothing of that
// object is visible and nothing beyond the durable data is committed.
TEST_F(PipelineWorkers, AThrowInACompressionJobFailsTheSink) {
  auto r = rig({"rotation.max_records=3", "pipeline.workers=2"});
  std::atomic<int> jobs{0};
  r->workers.set_job_hook_for_tests([&jobs] {
    if (++jobs == 2) throw std::runtime_error("injected compression failure");
  });
  r->assign(0);
  ::testing::internal::CaptureStderr();
  run(io, [&]() -> asio::awaitable<void> {
    // Record 2 closes [0, 3): the first job; record 5 closes [3, 6): its job throws.
    for (std::int64_t i = 0; i < 4; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 3; }));
    for (std::int64_t i = 4; i < 7; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r->fatal.has_value(); }));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  r->pipeline.stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("injected compression failure"));
  EXPECT_THAT(log, HasSubstr("injected compression failure"));
  expect_exactly_once(landed_records(s3), {{0, {0, 3}}});
  EXPECT_EQ(r->consumer.offset(0), 3);
  EXPECT_EQ(s3.open_uploads(), 0u);
}

}  // namespace
}  // namespace ks3::test

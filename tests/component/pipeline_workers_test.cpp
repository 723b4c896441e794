// The pipeline with its worker pool: block compression off the loop keeps records in order
// within each object and gives the same bytes with any number of workers; Parquet objects are
// encoded on the workers, records in order over many row groups and objects; open objects are
// small (10,000 of them fit a small budget); an exception on the record path or in a
// compression or encoding job fails the sink loudly and commits only what is durable.
#include <gmock/gmock.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "tests/component/pipeline_test_support.hpp"
#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::test {
namespace {

using ::testing::ContainsRegex;
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

// A cut that closes many small objects at once: they complete at most s3.max_connections at a
// time (the completion slots), the others wait in their writers, not as requests queued in the
// S3 client (whose pool here has 8 connections), and every object lands once.
TEST_F(PipelineWorkers, ObjectsClosedTogetherCompleteAtMostMaxConnectionsAtATime) {
  s3.set_latency(S3Op::put_object, std::chrono::milliseconds(100));
  auto r = rig({"s3.max_connections=2", "rotation.max_records=24",
                "key_template={{value.resourcename}}/{{partition}}/{{start_offset}}"});
  r->assign(0);
  run(io, [&]() -> asio::awaitable<void> {
    // 24 records over 12 groups: the 24th fills the segment and closes 12 objects at once.
    for (std::int64_t i = 0; i < 24; ++i) r->feed(big_record(0, i, "G" + std::to_string(i % 12)));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 24; },
                                    std::chrono::seconds(30)));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(30)));
  }());
  EXPECT_FALSE(r->fatal);
  EXPECT_EQ(s3.max_in_flight(S3Op::put_object), 2);
  EXPECT_EQ(s3.keys("test-bucket").size(), 12u);
  expect_exactly_once(landed_records(s3), {{0, {0, 24}}});
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

// Makes the second job of `kind` throw on a worker and feeds records 0-6 with
// rotation.max_records 3: record 2 closes [0, 3) (its object's job is the first), record 5
// closes [3, 6) (its job throws). Returns the log; the sink must have failed with `injected`.
std::string run_with_a_throwing_job(asio::io_context& io, PipelineRig& r, server::JobKind kind,
                                    const std::string& injected) {
  std::atomic<int> jobs{0};
  r.workers.set_job_hook_for_tests([&jobs, kind, injected](server::JobKind job) {
    if (job == kind && ++jobs == 2) throw std::runtime_error(injected);
  });
  r.assign(0);
  ::testing::internal::CaptureStderr();
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 4; ++i) r.feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r.consumer.offset(0) == 3; }));
    for (std::int64_t i = 4; i < 7; ++i) r.feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return r.fatal.has_value(); }));
    EXPECT_TRUE(co_await r.pipeline.drain(std::chrono::seconds(10)));
  }());
  r.pipeline.stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(r.fatal);
  EXPECT_THAT(r.fatal.value_or(""), HasSubstr(injected));
  EXPECT_THAT(log, HasSubstr(injected));
  // Nothing beyond the durable data is committed, nothing of the failed object is visible.
  EXPECT_EQ(r.consumer.offset(0), 3);
  return log;
}

// A compression job that throws on a worker: the object fails, the sink fails, nothing of that
// object is visible and nothing beyond the durable data is committed.
TEST_F(PipelineWorkers, AThrowInACompressionJobFailsTheSink) {
  auto r = rig({"rotation.max_records=3", "pipeline.workers=2"});
  run_with_a_throwing_job(io, *r, server::JobKind::compression, "injected compression failure");
  expect_exactly_once(landed_records(s3), {{0, {0, 3}}});
  EXPECT_EQ(s3.open_uploads(), 0u);
}

// The offsets of a Parquet object written with compression.type none, in file order: the
// `offset` column (INT64, required: PLAIN values, no levels) of every row group, page by page.
// Also returns the number of row groups.
std::vector<std::int64_t> parquet_offsets(const std::string& file, std::size_t& row_groups) {
  using parquet::testing::TValue;
  constexpr int kRowGroups = 4, kColumns = 1, kMeta = 3, kPath = 3, kCompressedSize = 7,
                kDataPageOffset = 9;
  const TValue meta = parquet::testing::read_footer(file);
  std::vector<std::int64_t> offsets;
  row_groups = meta[kRowGroups].list.size();
  for (const TValue& group : meta[kRowGroups].list) {
    const TValue* column = nullptr;
    for (const TValue& chunk : group[kColumns].list) {
      if (chunk[kMeta][kPath].list.at(0).bin == "offset") column = &chunk[kMeta];
    }
    if (column == nullptr) throw std::runtime_error("no offset column");
    auto at = static_cast<std::size_t>((*column)[kDataPageOffset].i);
    const std::size_t end = at + static_cast<std::size_t>((*column)[kCompressedSize].i);
    while (at < end) {
      std::size_t header = 0;
      const TValue page = parquet::testing::read_page_header(file, at, header);
      const auto values = static_cast<std::size_t>(page[5][1].i);
      for (std::size_t v = 0; v < values; ++v) {
        std::int64_t offset = 0;
        std::memcpy(&offset, file.data() + at + header + 8 * v, 8);
        offsets.push_back(offset);
      }
      at += header + static_cast<std::size_t>(page[3].i);
    }
  }
  return offsets;
}

// Parquet objects (the value as JSON, pages uncompressed so the test can read them) are encoded
// on the workers: every body job runs on a pool thread, never the loop's; each object's records
// are in offset order over its many row groups; every record lands once over many objects.
TEST_F(PipelineWorkers, ParquetObjectsAreEncodedOnWorkerThreadsInOrder) {
  auto r = rig({"pipeline.workers=2", "format.type=parquet", "parquet.value=json",
                "compression.type=none", "parquet.row_group_bytes=64KiB",
                "key_template={{value.resourcename}}/{{partition}}/{{start_offset}}",
                "rotation.max_records=3000"});
  std::mutex mutex;
  std::set<std::thread::id> body_threads;
  int body_jobs = 0;
  r->workers.set_job_hook_for_tests([&](server::JobKind kind) {
    if (kind != server::JobKind::body) return;
    std::lock_guard lock(mutex);
    body_threads.insert(std::this_thread::get_id());
    ++body_jobs;
  });
  for (std::int32_t p = 0; p < 2; ++p) r->assign(p);
  run(io, [&]() -> asio::awaitable<void> {
    for (std::int64_t i = 0; i < 6000; ++i) {
      for (std::int32_t p = 0; p < 2; ++p) {
        r->feed(big_record(p, i, "R" + std::to_string((i * 5 + p) % 3)));
      }
      // Every ~70 KB per object, let the jobs' results come back (the loop's turn).
      if (i % 100 == 0) co_await eventually([] { return false; }, std::chrono::milliseconds(2));
    }
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(60)));
  }());
  EXPECT_FALSE(r->fatal) << r->fatal.value_or("");
  std::vector<LandedRecord> landed;
  std::size_t objects = 0;
  for (const std::string& key : s3.keys("test-bucket")) {
    const std::string data = s3.object("test-bucket", key)->data;
    std::size_t row_groups = 0;
    const auto offsets = parquet_offsets(data, row_groups);
    EXPECT_GT(row_groups, 3u) << key;
    ASSERT_FALSE(offsets.empty()) << key;
    for (std::size_t i = 1; i < offsets.size(); ++i) {
      EXPECT_GT(offsets[i], offsets[i - 1]) << "out of order in " << key;
    }
    // Keys are <resource>/<partition>/<start offset>.
    const auto slash = key.find('/');
    const std::int32_t partition = std::stoi(key.substr(slash + 1));
    for (std::int64_t offset : offsets) landed.push_back({key, partition, offset});
    ++objects;
  }
  EXPECT_EQ(objects, 12u);  // 2 partitions x 2 segments x 3 resources
  expect_exactly_once(landed, {{0, {0, 6000}}, {1, {0, 6000}}});
  EXPECT_EQ(r->consumer.offset(0), 6000);
  EXPECT_EQ(r->consumer.offset(1), 6000);
  std::lock_guard lock(mutex);
  EXPECT_FALSE(body_threads.contains(std::this_thread::get_id()))
      << "a body job ran on the loop's thread";
  // About 17 batches of 64 KiB per object (fewer when a job is slow to come back: the batch
  // grows meanwhile), and at least one more job than the close's for most objects.
  EXPECT_GT(body_jobs, 36) << "the records did not go to the workers in batches";
}

// An encoding job that throws on a worker (here the hook; a malformed row would too): the
// object fails with its key in the message, the sink fails, nothing of that object is visible
// and nothing beyond the durable data is committed.
TEST_F(PipelineWorkers, AThrowInAnEncodingJobFailsTheSink) {
  auto r = rig({"rotation.max_records=3", "pipeline.workers=2", "format.type=parquet"});
  run_with_a_throwing_job(io, *r, server::JobKind::body, "injected encoding failure");
  // The failed object, [3, 6), by its key.
  EXPECT_THAT(r->fatal.value_or(""),
              ContainsRegex("encoding the file of object [^ ]*3\\.parquet failed"));
  const auto keys = s3.keys("test-bucket");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(parquet::testing::read_footer(s3.object("test-bucket", keys[0])->data)[3].i, 3);
  EXPECT_EQ(s3.open_uploads(), 0u);
}

}  // namespace
}  // namespace ks3::test

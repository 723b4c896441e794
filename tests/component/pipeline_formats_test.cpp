// The pipeline writing Parquet objects (format.type parquet) to the strict fake S3: objects
// larger than a part go up as multipart uploads whose parts concatenate into one valid Parquet
// file (magic at both ends, the footer's row count); every record lands once; the bytes are
// the same with 0 and 4 workers (nothing depends on timing).
#include <gmock/gmock.h>

#include "tests/component/pipeline_test_support.hpp"
#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::test {
namespace {

constexpr int kNumRows = 3;  // FileMetaData.num_rows

// About 1 KiB of JSON that compresses about 2:1 (hex digits of a mixing function).
TestRecord doc(std::int32_t partition, std::int64_t offset) {
  TestRecord r = json_record(partition, offset, offset % 3 ? "Student" : "School");
  std::string pad;
  std::uint64_t x = static_cast<std::uint64_t>(offset * 4 + partition) * 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 900; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    pad += "0123456789abcdef"[x >> 60];
  }
  r.value = R"({"id":)" + std::to_string(offset) + R"(,"resourcename":")" +
            (offset % 3 ? "Student" : "School") + R"(","n":)" + std::to_string(offset * 0.5) +
            R"(,"pad":")" + pad + "\"}";
  return r;
}

TEST(PipelineFormats, ParquetObjectsSpanPartsAndDoNotDependOnTiming) {
  asio::io_context io;
  std::map<std::string, std::string> reference;
  for (const char* workers : {"0", "4"}) {
    FakeS3 store(io.get_executor());
    auto rig = std::make_unique<PipelineRig>(
        io, store,
        test_sink_config({std::string("pipeline.workers=") + workers, "format.type=parquet",
                          "parquet.value=infer", "parquet.row_group_bytes=1MiB",
                          "compression.type=zstd", "rotation.max_records=12000"}));
    for (std::int32_t p = 0; p < 2; ++p) rig->assign(p);
    run(io, [&]() -> asio::awaitable<void> {
      for (std::int64_t i = 0; i < 15000; ++i) {
        for (std::int32_t p = 0; p < 2; ++p) rig->feed(doc(p, i));
        if (i % 1000 == 0) co_await eventually([] { return true; });
      }
      EXPECT_TRUE(co_await rig->pipeline.drain(std::chrono::seconds(60)));
    }());
    EXPECT_FALSE(rig->fatal) << rig->fatal.value_or("");
    std::map<std::string, std::string> stored;
    std::int64_t rows = 0;
    for (const std::string& key : store.keys("test-bucket")) {
      const auto object = store.object("test-bucket", key);
      ASSERT_TRUE(object) << key;
      const std::string data = object->data;
      EXPECT_TRUE(key.ends_with(".parquet")) << key;
      ASSERT_GE(data.size(), 12u) << key;
      EXPECT_EQ(data.substr(0, 4), "PAR1") << key;
      EXPECT_EQ(data.substr(data.size() - 4), "PAR1") << key;
      rows += parquet::testing::read_footer(data)[kNumRows].i;
      stored[key] = data;
    }
    // 2 partitions x (12000 + 3000) records, in 4 objects; the first ones span several parts.
    EXPECT_EQ(rows, 30000);
    EXPECT_EQ(stored.size(), 4u);
    EXPECT_GT(stored.begin()->second.size(), 5u << 20) << "no object needed a second part";
    EXPECT_EQ(rig->consumer.offset(0), 15000);
    EXPECT_EQ(rig->consumer.offset(1), 15000);
    if (reference.empty()) {
      reference = std::move(stored);
    } else {
      ASSERT_EQ(stored.size(), reference.size());
      for (const auto& [key, bytes] : reference) {
        EXPECT_TRUE(stored[key] == bytes) << key << " differs between 0 and 4 workers";
      }
    }
  }
}

}  // namespace
}  // namespace ks3::test

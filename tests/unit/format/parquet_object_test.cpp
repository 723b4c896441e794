// The Parquet object body (server/format/parquet_object.hpp) fed by the record encoder: the
// footer's schema and row counts, row groups, determinism, and the row layout round trip.
#include "server/format/parquet_object.hpp"

#include <gtest/gtest.h>

#include "server/format/parquet_row.hpp"
#include "server/format/record_encoder.hpp"
#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::server {
namespace {

using parquet::testing::read_footer;
using parquet::testing::TValue;

constexpr int kSchema = 2, kNumRows = 3, kRowGroups = 4;
constexpr int kName = 4, kConvertedType = 6;

EncoderOptions options(ParquetValueMode mode) {
  EncoderOptions o;
  o.format = OutputFormat::parquet;
  o.fields = {EnvelopeField::topic,     EnvelopeField::partition, EnvelopeField::offset,
              EnvelopeField::timestamp, EnvelopeField::key,       EnvelopeField::headers,
              EnvelopeField::op,        EnvelopeField::value};
  o.parquet_value = mode;
  return o;
}

std::string build(const EncoderOptions& format, const std::vector<std::string>& values,
                  std::size_t row_group_bytes = 64 << 20) {
  RecordEncoder encoder(format);
  JsonReader json;
  ParquetObjectOptions o = parquet_object_options(format, Compression::zstd, 3);
  o.writer.row_group_bytes = row_group_bytes;
  ParquetObject object(o);
  std::string file;
  const std::vector<RecordHeader> headers = {{"trace", "abc"}, {"none", std::nullopt}};
  for (std::size_t i = 0; i < values.size(); ++i) {
    RecordView r;
    r.topic = "edfi.dms.document";
    r.partition = 1;
    r.offset = static_cast<std::int64_t>(i);
    r.timestamp_ms = 1700000000000 + static_cast<std::int64_t>(i);
    r.key = "k";
    r.headers = headers;
    if (values[i] != "<tombstone>") r.value = values[i];
    std::string row;
    EXPECT_FALSE(encoder.encode(r, ChangeOp::create, json, row)) << values[i];
    object.add(row);
    object.take_bytes(file);
  }
  EXPECT_GT(object.held_bytes(), 0u);
  object.finish(file);
  return file;
}

std::vector<std::string> names(const TValue& meta) {
  std::vector<std::string> out;
  for (const TValue& e : meta[kSchema].list) out.push_back(e[kName].bin);
  return out;
}

TEST(ParquetRow, RoundTrip) {
  ParquetRow row;
  row.topic = "t";
  row.partition = -3;
  row.offset = 1LL << 40;
  row.key = "key";
  row.headers = {{"a", std::nullopt}, {"b", "x"}};
  row.op = 'u';
  std::string bytes;
  append_parquet_row(bytes, row);
  append_parquet_row(bytes, row);
  std::string_view in = bytes;
  ParquetRow back;
  ASSERT_TRUE(read_parquet_row(in, back));
  EXPECT_EQ(back.topic, "t");
  EXPECT_EQ(back.partition, -3);
  EXPECT_EQ(back.offset, 1LL << 40);
  EXPECT_EQ(back.timestamp_ms, -1);
  EXPECT_EQ(back.key, "key");
  ASSERT_EQ(back.headers.size(), 2u);
  EXPECT_FALSE(back.headers[0].second);
  EXPECT_EQ(back.headers[1].second, "x");
  EXPECT_EQ(back.op, 'u');
  EXPECT_FALSE(back.value);
  EXPECT_FALSE(in.empty());
  ASSERT_TRUE(read_parquet_row(in, back));
  EXPECT_TRUE(in.empty());
  std::string_view cut = std::string_view(bytes).substr(0, 7);
  EXPECT_FALSE(read_parquet_row(cut, back));
}

TEST(ParquetObject, JsonValueColumn) {
  const std::string file =
      build(options(ParquetValueMode::json), {R"({"a":1})", "<tombstone>", "{\n \"a\": 2\n}"});
  ASSERT_EQ(file.substr(0, 4), "PAR1");
  ASSERT_EQ(file.substr(file.size() - 4), "PAR1");
  const TValue meta = read_footer(file);
  EXPECT_EQ(meta[kNumRows].i, 3);
  const auto n = names(meta);
  EXPECT_EQ(
      n, (std::vector<std::string>{"schema", "topic", "partition", "offset", "timestamp", "key",
                                   "headers", "list", "element", "key", "value", "op", "value"}));
  EXPECT_EQ(meta[kSchema].list.back()[kConvertedType].i, 19);  // JSON
}

TEST(ParquetObject, InferredColumnsAndDeterminism) {
  const std::vector<std::string> values = {
      R"({"id":1,"resourcename":"Student","isdescriptor":false,"doc":{"n":"x"},"tags":["a"]})",
      R"({"id":2.5,"resourcename":"School","extra":null})", "<tombstone>"};
  const std::string file = build(options(ParquetValueMode::infer), values);
  EXPECT_EQ(file, build(options(ParquetValueMode::infer), values));
  const TValue meta = read_footer(file);
  EXPECT_EQ(meta[kNumRows].i, 3);
  const auto n = names(meta);
  for (const char* column : {"id", "resourcename", "isdescriptor", "doc", "n", "tags", "extra"}) {
    EXPECT_NE(std::find(n.begin(), n.end(), column), n.end()) << column;
  }
}

TEST(ParquetObject, RowGroupsCloseBySize) {
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) {
    values.push_back(R"({"id":)" + std::to_string(i) + R"(,"s":"value number )" +
                     std::to_string(i * 7919) + "\"}");
  }
  for (ParquetValueMode mode : {ParquetValueMode::json, ParquetValueMode::infer}) {
    const TValue meta = read_footer(build(options(mode), values, 16 << 10));
    EXPECT_EQ(meta[kNumRows].i, 2000);
    EXPECT_GT(meta[kRowGroups].list.size(), 1u);
  }
}

TEST(ParquetObject, EncoderRejectsInvalidJsonForTheBadRecordPolicy) {
  RecordEncoder encoder(options(ParquetValueMode::infer));
  JsonReader json;
  RecordView r;
  r.topic = "t";
  r.offset = 9;
  r.value = "{not json";
  std::string row;
  auto error = encoder.encode(r, ChangeOp::none, json, row);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("t/0/9"), std::string::npos);
  EXPECT_TRUE(row.empty());
}

}  // namespace
}  // namespace ks3::server

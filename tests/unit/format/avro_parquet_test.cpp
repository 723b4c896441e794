// Parquet columns typed from an Avro schema (server/format/avro_parquet.hpp) and the Avro
// container object body (server/format/avro_object.hpp).
#include "server/format/avro_parquet.hpp"

#include <gtest/gtest.h>

#include "server/format/avro/decoder.hpp"
#include "server/format/avro_object.hpp"
#include "server/format/parquet/writer.hpp"

namespace ks3::server {
namespace {

using parquet::LogicalType;
using parquet::PhysicalType;
using parquet::Repetition;
using VK = parquet::Value::Kind;

constexpr std::string_view kAvroSchema = R"({"type":"record","name":"R","fields":[
  {"name":"id","type":"long"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"d","type":{"type":"int","logicalType":"date"}},
  {"name":"opt","type":["null","string"]},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"m","type":{"type":"map","values":"int"}},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
  {"name":"u","type":["int","string"]},
  {"name":"next","type":["null","R"]},
  {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}}]})";

// The datum of {id 3, ts 1000, d 19000, opt "x", tags [a, b], m {k: 5}, e B, u "s", next null,
// dec 12.34}, by the binary encoding's rules.
const std::string kAvroDatum(
    "\x06"
    "\xD0\x0F"
    "\xF0\xA8\x02"
    "\x02\x02x"
    "\x04\x02"
    "a\x02"
    "b\x00"
    "\x02\x02k\x0A\x00"
    "\x02"
    "\x02\x02s"
    "\x00"
    "\x04\x04\xD2",
    28);

const parquet::Node& avro_field(const parquet::Node& node, std::string_view name) {
  for (const auto& c : node.children()) {
    if (c.name() == name) return c;
  }
  throw std::out_of_range(std::string(name));
}

TEST(AvroParquet, ColumnsFollowTheSchema) {
  auto schema = avro::Schema::parse(kAvroSchema).value();
  const parquet::Node node = avro_to_parquet_node("value", schema->root());
  ASSERT_TRUE(node.is_group());
  EXPECT_EQ(node.repetition(), Repetition::kOptional);
  EXPECT_EQ(avro_field(node, "id").physical_type(), PhysicalType::kInt64);
  EXPECT_EQ(avro_field(node, "id").repetition(), Repetition::kRequired);
  EXPECT_EQ(avro_field(node, "ts").logical_type().kind, LogicalType::Kind::kTimestamp);
  EXPECT_EQ(avro_field(node, "ts").logical_type().unit, parquet::TimeUnit::kMicros);
  EXPECT_EQ(avro_field(node, "d").logical_type().kind, LogicalType::Kind::kDate);
  EXPECT_EQ(avro_field(node, "opt").repetition(), Repetition::kOptional);
  EXPECT_EQ(avro_field(node, "opt").logical_type().kind, LogicalType::Kind::kString);
  EXPECT_EQ(avro_field(node, "tags").logical_type().kind, LogicalType::Kind::kList);
  EXPECT_EQ(avro_field(node, "m").logical_type().kind, LogicalType::Kind::kList);
  EXPECT_EQ(avro_field(node, "e").logical_type().kind, LogicalType::Kind::kString);
  EXPECT_EQ(avro_field(node, "u").logical_type().kind, LogicalType::Kind::kJson);     // 2 branches
  EXPECT_EQ(avro_field(node, "next").logical_type().kind, LogicalType::Kind::kJson);  // recursion
  EXPECT_EQ(avro_field(node, "dec").logical_type().kind, LogicalType::Kind::kDecimal);
  // A valid Parquet schema that the writer accepts.
  EXPECT_NO_THROW(parquet::Schema({node}));
}

TEST(AvroParquet, ValuesFollowTheColumns) {
  auto schema = avro::Schema::parse(kAvroSchema).value();
  auto decoder = avro::Decoder::create(schema).value();
  avro::Value value;
  avro::Error error;
  ASSERT_TRUE(decoder->decode(kAvroDatum, value, error)) << error.describe();
  parquet::Value out;
  avro_to_parquet_value(schema->root(), value, out);
  ASSERT_EQ(out.kind(), VK::kStruct);
  const auto& f = out.items();
  ASSERT_EQ(f.size(), 10u);
  EXPECT_EQ(f[0].as_int(), 3);
  EXPECT_EQ(f[1].as_int(), 1000);
  EXPECT_EQ(f[2].as_int(), 19000);
  EXPECT_EQ(f[3].as_bytes(), "x");
  ASSERT_EQ(f[4].items().size(), 2u);
  EXPECT_EQ(f[4].items()[1].as_bytes(), "b");
  ASSERT_EQ(f[5].items().size(), 1u);
  EXPECT_EQ(f[5].items()[0].items()[0].as_bytes(), "k");
  EXPECT_EQ(f[5].items()[0].items()[1].as_int(), 5);
  EXPECT_EQ(f[6].as_bytes(), "B");
  EXPECT_EQ(f[7].as_bytes(), "\"s\"");  // JSON text of the branch's value
  EXPECT_TRUE(f[8].is_null());
  EXPECT_EQ(f[9].as_int(), 1234);  // 12.34 unscaled
  // The row goes into a Parquet file of the mapped schema.
  parquet::ParquetWriter writer(parquet::Schema({avro_to_parquet_node("value", schema->root())}));
  EXPECT_NO_THROW(writer.write_row(parquet::Value::structure({out})));
  EXPECT_NO_THROW(writer.write_row(parquet::Value::structure({parquet::Value::null()})));
  std::string file;
  writer.finish(file);
  EXPECT_EQ(file.substr(0, 4), "PAR1");
}

TEST(AvroObject, ContainerFileWithTheSchemaAndDeterministicBytes) {
  auto text = std::make_shared<const std::string>(kAvroSchema);
  auto build = [&](std::string_view key) {
    avro::ContainerOptions options;
    options.codec = avro_codec(Compression::zstd);
    options.level = 3;
    AvroObject object(text, key, options);
    std::string file;
    object.add(kAvroDatum);
    object.take_bytes(file);
    object.add(kAvroDatum);
    EXPECT_GT(object.held_bytes(), 0u);
    object.finish(file);
    return file;
  };
  const std::string file = build("a/key.avro");
  EXPECT_EQ(file.substr(0, 4), std::string("Obj\x01", 4));
  EXPECT_NE(file.find("avro.schema"), std::string::npos);
  EXPECT_NE(file.find("zstandard"), std::string::npos);
  EXPECT_EQ(file, build("a/key.avro"));
  EXPECT_NE(file, build("b/key.avro"));  // another sync marker
  EXPECT_EQ(avro_codec(Compression::gzip), avro::Codec::deflate);
  EXPECT_EQ(avro_codec(Compression::none), avro::Codec::null);
  EXPECT_EQ(avro_codec(Compression::snappy), avro::Codec::snappy);
}

}  // namespace
}  // namespace ks3::server

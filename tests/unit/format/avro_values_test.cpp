// The pure core of the Avro input (server/format/avro_values.hpp): framing, schema lookup,
// decoding to the documented JSON, and the reasons bad records carry.
#include "server/format/avro_values.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

std::shared_ptr<const avro::Schema> schema() {
  return avro::Schema::parse(
             R"({"type":"record","name":"R","fields":[{"name":"id","type":"long"},
                 {"name":"name","type":["null","string"]}]})")
      .value();
}

// id 2 (zigzag 4), name: union branch 1 (zigzag 2), "ab".
const std::string kDatum(
    "\x04\x02\x04"
    "ab",
    5);

RecordView record(const std::string& value, std::int64_t offset = 7) {
  RecordView r;
  r.topic = "docs";
  r.partition = 1;
  r.offset = offset;
  r.value = value;
  return r;
}

TEST(AvroValues, NeedsTheSchemaThenConverts) {
  AvroValueConverter converter;
  const std::string value = avro::frame(5, kDatum);
  std::string out;
  auto result = converter.convert(record(value), &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::needs_schema);
  EXPECT_EQ(result.schema, avro::SchemaRef::from_id(5));
  EXPECT_TRUE(out.empty());
  converter.add_schema(avro::SchemaRef::from_id(5), std::make_shared<const std::string>("{}"),
                       schema());
  result = converter.convert(record(value), &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  EXPECT_EQ(out, R"({"id":2,"name":"ab"})");
  ASSERT_TRUE(result.writer);
  EXPECT_EQ(result.writer->name, "id 5");
  EXPECT_EQ(result.payload, kDatum);
  // Without JSON: validated (decoded), the datum and its schema handed on.
  out.clear();
  result = converter.convert(record(value), nullptr);
  EXPECT_EQ(result.outcome, AvroValueConverter::Outcome::converted);
  EXPECT_EQ(result.payload, kDatum);
  EXPECT_TRUE(out.empty());
}

TEST(AvroValues, BadRecordsNameTheRecord) {
  AvroValueConverter converter;
  converter.add_schema(avro::SchemaRef::from_id(5), std::make_shared<const std::string>("{}"),
                       schema());
  converter.add_unknown(avro::SchemaRef::from_id(9), "unknown_schema: not found");
  std::string out;
  auto result = converter.convert(record("{\"json\":1}"), &out);
  EXPECT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_NE(result.reason.find("record docs/1/7: the value is not Confluent Avro framing"),
            std::string::npos)
      << result.reason;
  result = converter.convert(record(avro::frame(9, kDatum), 8), &out);
  EXPECT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_EQ(result.reason,
            "record docs/1/8: schema id 9 cannot be used: unknown_schema: not found");
  result = converter.convert(record(avro::frame(5, "\x04"), 9), &out);
  EXPECT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_NE(result.reason.find("record docs/1/9: the value does not decode with id 5"),
            std::string::npos)
      << result.reason;
  EXPECT_TRUE(out.empty());
}

TEST(AvroValues, HeaderCarriedIdWins) {
  AvroValueConverter converter;
  converter.add_schema(avro::SchemaRef::from_id(5), std::make_shared<const std::string>("{}"),
                       schema());
  const std::string id = avro::frame(5, "");  // magic 0 + the 4-byte id
  const std::vector<RecordHeader> headers = {{"__value_schema_id", "junk"},
                                             {"__value_schema_id", id}};
  RecordView r = record(kDatum);
  r.headers = headers;
  std::string out;
  auto result = converter.convert(r, &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  EXPECT_EQ(out, R"({"id":2,"name":"ab"})");
}

}  // namespace
}  // namespace ks3::server

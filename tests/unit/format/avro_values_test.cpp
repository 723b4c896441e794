// The pure core of the Avro input (server/format/avro_values.hpp): framing, schema lookup,
// decoding to the documented JSON, and the reasons bad records carry.
#include "server/format/avro_values.hpp"

#include <gtest/gtest.h>

#include "server/format/avro/json_mapping.hpp"

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

// Reader schema v2 (format.avro.reader_schema): adds "tag" with a default, promotes id to
// double, drops nothing; v1 = schema() above.
const char* kReaderText = R"({"type":"record","name":"R","fields":[{"name":"id","type":"double"},
    {"name":"name","type":["null","string"]},{"name":"tag","type":"string","default":"none"}]})";

std::shared_ptr<const AvroWriterSchema> reader() {
  auto text = std::make_shared<const std::string>(kReaderText);
  return reader_schema(text, avro::Schema::parse(*text).value()).value();
}

TEST(AvroValues, ReaderSchemaResolvesEveryWriterSchema) {
  AvroValueConverter converter({}, reader());
  converter.add_schema(avro::SchemaRef::from_id(5), std::make_shared<const std::string>("{}"),
                       schema());
  std::string out;
  auto result = converter.convert(record(avro::frame(5, kDatum)), &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  EXPECT_EQ(out, R"({"id":2,"name":"ab","tag":"none"})");
  // Datums: re-encoded in the reader schema, one schema ("reader schema") whatever the writer.
  result = converter.convert(record(avro::frame(5, kDatum)), nullptr);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  ASSERT_TRUE(result.writer);
  EXPECT_EQ(result.writer->name, "reader schema");
  EXPECT_EQ(*result.writer->text, kReaderText);
  auto again = result.writer->decoder->decode(result.payload);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(avro::to_json(*again), R"({"id":2,"name":"ab","tag":"none"})");
  EXPECT_EQ(result.payload, std::string("\0\0\0\0\0\0\0\x40\x02\x04"
                                        "ab"
                                        "\x08"
                                        "none",
                                        17));
}

TEST(AvroValues, ReaderSchemaMismatchesAreBadRecordsNamingSchemaAndField) {
  AvroValueConverter converter({}, reader());
  // id 6 lacks "name", which the reader has without a default: no datum of id 6 is readable.
  converter.add_schema(avro::SchemaRef::from_id(6), std::make_shared<const std::string>("{}"),
                       avro::Schema::parse(R"({"type":"record","name":"R","fields":[
                           {"name":"id","type":"long"}]})")
                           .value());
  // id 7 writes "tag" as an int: not a promotion to string, fails each datum.
  converter.add_schema(avro::SchemaRef::from_id(7), std::make_shared<const std::string>("{}"),
                       avro::Schema::parse(R"({"type":"record","name":"R","fields":[
                           {"name":"id","type":"long"},{"name":"name","type":"string"},
                           {"name":"tag","type":"int"}]})")
                           .value());
  std::string out;
  auto result = converter.convert(record(avro::frame(6, "\x04"), 3), &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_EQ(result.reason,
            "record docs/1/3: schema id 6 cannot be used: the reader schema "
            "(format.avro.reader_schema) cannot read it: incompatible: reader field R.name is "
            "not in the writer schema and has no default");
  result = converter.convert(record(avro::frame(7, std::string("\x04\x02x\x02", 4)), 4), &out);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_EQ(result.reason,
            "record docs/1/4: the value does not decode with id 7 (bad_data: field tag: tag: "
            "writer type int cannot be read as reader type string at byte 3)");
  EXPECT_TRUE(out.empty());
}

TEST(AvroValues, KeysDecodeWithTheirWriterSchemaAndNameTheKeyWhenBad) {
  // The reader schema applies to values only: a key of schema 5 decodes as written.
  AvroValueConverter converter({}, reader());
  RecordView r = record(avro::frame(5, kDatum), 11);
  const std::string key = avro::frame(5, std::string("\x06\x00", 2));  // id 3, name null
  r.key = key;
  std::string json;
  auto result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::needs_schema);
  EXPECT_EQ(result.schema, avro::SchemaRef::from_id(5));
  converter.add_schema(avro::SchemaRef::from_id(5), std::make_shared<const std::string>("{}"),
                       schema());
  result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  EXPECT_EQ(json, R"({"id":3,"name":null})");
  // The id in the "__key_schema_id" header, the bytes bare.
  const std::string bare("\x08\x00", 2);
  const std::string id_header("\x00\x00\x00\x00\x05", 5);
  std::vector<RecordHeader> headers{{"__key_schema_id", id_header}};
  r.key = bare;
  r.headers = headers;
  json.clear();
  result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::converted) << result.reason;
  EXPECT_EQ(json, R"({"id":4,"name":null})");
  r.headers = {};
  r.key = "plain";
  result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_NE(result.reason.find("record docs/1/11: the key is not Confluent Avro framing"),
            std::string::npos)
      << result.reason;
  const std::string truncated = avro::frame(5, "\x06");
  r.key = truncated;
  result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_NE(result.reason.find("record docs/1/11: the key does not decode with id 5"),
            std::string::npos)
      << result.reason;
  converter.add_unknown(avro::SchemaRef::from_id(9), "unknown_schema: not found");
  const std::string unknown = avro::frame(9, "\x06");
  r.key = unknown;
  result = converter.convert_key(r, json);
  ASSERT_EQ(result.outcome, AvroValueConverter::Outcome::bad_record);
  EXPECT_EQ(result.reason,
            "record docs/1/11: key schema id 9 cannot be used: unknown_schema: not found");
}

}  // namespace
}  // namespace ks3::server

// Encoder output is compared with golden files in tests/data/encoder/. After an intended format
// change, regenerate them with KS3_UPDATE_GOLDEN=1 and review the diff.
#include "server/format/record_encoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace ks3::server {
namespace {

using ::testing::HasSubstr;

const std::vector<RecordHeader> kHeaders = {
    {"trace", "abc"}, {"empty", std::nullopt}, {"bin", std::string_view("\xff\x00", 2)}};

struct Sample {
  RecordView record;
  ChangeOp op = ChangeOp::none;
};

std::vector<Sample> samples() {
  std::vector<Sample> out;
  RecordView r;
  r.topic = "edfi.dms.document";
  r.partition = 2;
  r.offset = 100;
  r.timestamp_ms = 1700000000123;
  r.key = R"({"id":"7f1c"})";
  r.value =
      R"({"id":7,"resourcename":"Student","edfidoc":{"name":"Ana, \"Ann\""},"__deleted":"false"})";
  out.push_back({r, ChangeOp::none});
  r.offset = 101;
  r.value = "{\n  \"id\": 7,\n  \"resourcename\": \"Student\",\n  \"__deleted\": \"true\"\n}";
  r.headers = kHeaders;
  out.push_back({r, ChangeOp::remove});
  r.offset = 102;
  r.timestamp_ms = -1;
  r.key.reset();
  r.value.reset();  // tombstone
  r.headers = {};
  out.push_back({r, ChangeOp::remove});
  r.offset = 103;
  r.key = "plain-key";
  r.value = R"({"before":null,"after":{"id":8},"source":{"table":"document"},"op":"c"})";
  out.push_back({r, ChangeOp::create});
  return out;
}

std::string encode_all(const RecordEncoder& encoder, const std::vector<Sample>& records) {
  JsonReader json;
  std::string out = encoder.object_header();
  for (const Sample& sample : records) {
    auto error = encoder.encode(sample.record, sample.op, json, out);
    EXPECT_FALSE(error) << *error;
  }
  return out;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(KS3_TEST_DATA_DIR) + "/encoder/" + name;
  if (std::getenv("KS3_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "missing golden file " << path << " (KS3_UPDATE_GOLDEN=1 creates it)";
  std::stringstream expected;
  expected << file.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file " << path;
}

TEST(RecordEncoder, JsonlDefaultEnvelope) {
  RecordEncoder encoder{EncoderOptions{}};
  EXPECT_EQ(encoder.extension(), ".jsonl");
  EXPECT_EQ(encoder.object_header(), "");
  expect_golden("default.jsonl", encode_all(encoder, samples()));
}

TEST(RecordEncoder, JsonlAllFieldsWithStringValues) {
  EncoderOptions options;
  options.fields = {EnvelopeField::op,      EnvelopeField::topic,     EnvelopeField::partition,
                    EnvelopeField::offset,  EnvelopeField::timestamp, EnvelopeField::key,
                    EnvelopeField::headers, EnvelopeField::value};
  options.value_encoding = BytesEncoding::string;
  RecordEncoder encoder{options};
  EXPECT_TRUE(encoder.needs_op());
  expect_golden("all_fields_string.jsonl", encode_all(encoder, samples()));
}

TEST(RecordEncoder, JsonlBase64) {
  EncoderOptions options;
  options.value_encoding = BytesEncoding::base64;
  options.key_encoding = BytesEncoding::base64;
  options.fields.push_back(EnvelopeField::headers);
  expect_golden("base64.jsonl", encode_all(RecordEncoder{options}, samples()));
}

TEST(RecordEncoder, Csv) {
  EncoderOptions options;
  options.format = OutputFormat::csv;
  options.fields = {EnvelopeField::topic,     EnvelopeField::partition, EnvelopeField::offset,
                    EnvelopeField::timestamp, EnvelopeField::key,       EnvelopeField::op,
                    EnvelopeField::value};
  RecordEncoder encoder{options};
  EXPECT_EQ(encoder.extension(), ".csv");
  expect_golden("records.csv", encode_all(encoder, samples()));
}

TEST(RecordEncoder, Raw) {
  EncoderOptions options;
  options.format = OutputFormat::raw;
  RecordEncoder encoder{options};
  EXPECT_EQ(encoder.extension(), ".bin");
  EXPECT_FALSE(encoder.needs_op());
  expect_golden("records.raw", encode_all(encoder, samples()));
}

TEST(RecordEncoder, InvalidJsonValueIsAnErrorNamingTheRecordAndWritesNothing) {
  RecordEncoder encoder{EncoderOptions{}};
  JsonReader json;
  RecordView r;
  r.topic = "orders";
  r.partition = 3;
  r.offset = 42;
  r.value = "{not json";
  std::string out = "existing";
  auto error = encoder.encode(r, ChangeOp::none, json, out);
  ASSERT_TRUE(error);
  EXPECT_THAT(*error, HasSubstr("orders/3/42"));
  EXPECT_THAT(*error, HasSubstr("not valid JSON"));
  EXPECT_EQ(out, "existing");

  EncoderOptions key_json;
  key_json.key_encoding = BytesEncoding::json;
  r.value = "{}";
  r.key = "not-json";
  error = RecordEncoder{key_json}.encode(r, ChangeOp::none, json, out);
  ASSERT_TRUE(error);
  EXPECT_THAT(*error, HasSubstr("key is not valid JSON"));
  EXPECT_EQ(out, "existing");
}

TEST(RecordEncoder, EveryJsonLineIsValidJson) {
  EncoderOptions options;
  options.fields.push_back(EnvelopeField::headers);
  options.fields.push_back(EnvelopeField::op);
  options.value_encoding = BytesEncoding::string;
  std::string out = encode_all(RecordEncoder{options}, samples());
  JsonReader json;
  std::istringstream lines(out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(json.is_valid(line)) << line;
    ++count;
  }
  EXPECT_EQ(count, 4);
}

TEST(RecordEncoder, DeadLetterIsLossless) {
  RecordView r;
  r.topic = "t";
  r.partition = 1;
  r.offset = 9;
  r.key = std::string_view("\x00k", 2);
  r.value = "{bad";
  r.headers = kHeaders;
  std::string out;
  encode_dead_letter(r, "value is not valid JSON", out);
  expect_golden("dead_letter.jsonl", out);
  JsonReader json;
  EXPECT_TRUE(json.is_valid(out));
}

TEST(RecordEncoder, ParsesNames) {
  EXPECT_EQ(parse_output_format("csv"), OutputFormat::csv);
  EXPECT_EQ(parse_output_format("parquet"), OutputFormat::parquet);
  EXPECT_EQ(parse_output_format("avro"), OutputFormat::avro);
  EXPECT_EQ(parse_output_format("orc"), std::nullopt);
  EXPECT_EQ(parse_bytes_encoding("base64"), BytesEncoding::base64);
  EXPECT_EQ(parse_bytes_encoding("hex"), std::nullopt);
  EXPECT_EQ(parse_envelope_field("headers"), EnvelopeField::headers);
  EXPECT_EQ(parse_envelope_field("nope"), std::nullopt);
}

}  // namespace
}  // namespace ks3::server

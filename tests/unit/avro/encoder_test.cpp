// The binary encoder: python3-avro's datums (tests/data/avro, an independent implementation)
// decode and re-encode to the same bytes; values resolved to a reader schema re-encode in it and
// decode back equal; values that do not fit the schema fail naming the field.
#include "server/format/avro/encoder.hpp"

#include <gtest/gtest.h>

#include "server/format/avro/container_writer.hpp"
#include "server/format/avro/decoder.hpp"
#include "server/format/avro/json_mapping.hpp"
#include "tests/unit/avro/avro_test_support.hpp"

namespace ks3::avro {
namespace {

using test::data_path;

using test::schema;

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

class EncoderFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(EncoderFixture, ReencodesPythonDatumsToTheSameBytes) {
  auto writer = schema(test::read_text(data_path(GetParam() + ".avsc")));
  auto decoder = Decoder::create(writer);
  ASSERT_TRUE(decoder) << decoder.error().message;
  auto datums = test::read_lines(data_path(GetParam() + ".datums.hex"));
  ASSERT_FALSE(datums.empty());
  for (std::size_t i = 0; i < datums.size(); ++i) {
    auto value = (*decoder)->decode(test::unhex(datums[i]));
    ASSERT_TRUE(value) << "datum " << i << ": " << value.error().message;
    std::string out;
    auto encoded = append_binary(out, writer->root(), *value);
    ASSERT_TRUE(encoded) << "datum " << i << ": " << encoded.error().message;
    EXPECT_EQ(hex(out), datums[i]) << "datum " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Avro, EncoderFixture,
                         ::testing::Values("primitives", "complex", "logical", "evolve"));

TEST(AvroEncoder, ReaderSchemaValuesReencodeInTheReaderSchema) {
  // The evolve fixture: python3-avro's datums of the writer schema, resolved to the reader
  // schema (defaults, removed fields, promotions), encoded in the reader schema, decode with the
  // reader schema alone to the same JSON python3-avro resolved.
  auto writer = schema(test::read_text(data_path("evolve.avsc")));
  auto reader = schema(test::read_text(data_path("evolve.reader.avsc")));
  auto resolving = Decoder::create(writer, reader);
  ASSERT_TRUE(resolving) << resolving.error().message;
  auto plain = Decoder::create(reader);
  ASSERT_TRUE(plain) << plain.error().message;
  auto datums = test::read_lines(data_path("evolve.datums.hex"));
  auto expected = test::read_lines(data_path("evolve.expected.jsonl"));
  ASSERT_EQ(datums.size(), expected.size());
  for (std::size_t i = 0; i < datums.size(); ++i) {
    auto value = (*resolving)->decode(test::unhex(datums[i]));
    ASSERT_TRUE(value) << value.error().message;
    std::string out;
    auto encoded = append_binary(out, reader->root(), *value);
    ASSERT_TRUE(encoded) << encoded.error().message;
    auto again = (*plain)->decode(out);
    ASSERT_TRUE(again) << "datum " << i << ": " << again.error().message;
    EXPECT_TRUE(
        test::json_equal(boost::json::parse(to_json(*again)), boost::json::parse(expected[i])))
        << "datum " << i << ": " << to_json(*again) << " vs " << expected[i];
  }
}

TEST(AvroEncoder, PromotionsAndDefaultsInAUnion) {
  auto writer = schema(R"({"type":"record","name":"R","fields":[
      {"name":"n","type":"int"},{"name":"f","type":"float"},{"name":"s","type":"string"}]})");
  auto reader = schema(R"({"type":"record","name":"R","fields":[
      {"name":"n","type":"long"},{"name":"f","type":"double"},{"name":"s","type":"bytes"},
      {"name":"o","type":["null","string"],"default":null},
      {"name":"u","type":["long","null"],"default":7}]})");
  auto d = Decoder::create(writer, reader);
  ASSERT_TRUE(d) << d.error().message;
  std::string datum;
  append_long(datum, -300);
  datum += std::string("\x00\x00\x20\x40", 4);  // 2.5f
  append_long(datum, 2);
  datum += "hi";
  auto value = (*d)->decode(datum);
  ASSERT_TRUE(value) << value.error().message;
  std::string out;
  ASSERT_TRUE(append_binary(out, reader->root(), *value));
  std::string want;
  append_long(want, -300);
  want += std::string("\x00\x00\x00\x00\x00\x00\x04\x40", 8);  // 2.5
  append_long(want, 2);
  want += "hi";
  append_long(want, 0);  // o: branch 0 (null)
  append_long(want, 0);  // u: branch 0 (long) ...
  append_long(want, 7);  // ... 7
  EXPECT_EQ(hex(out), hex(want));
}

TEST(AvroEncoder, ValuesThatDoNotFitFailNamingTheField) {
  auto s = schema(R"({"type":"record","name":"R","fields":[
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
          {"name":"qty","type":"int"},{"name":"tag","type":["null","string"]}]}}}]})");
  auto d = Decoder::create(s);
  ASSERT_TRUE(d);
  std::string datum;
  append_long(datum, 2);
  for (int i = 0; i < 2; ++i) {
    append_long(datum, i);
    append_long(datum, 0);  // tag null
  }
  append_long(datum, 0);
  auto value = (*d)->decode(datum);
  ASSERT_TRUE(value) << value.error().message;

  Value big = *value;
  big.children[0].children[1].children[0].integer = std::int64_t{1} << 40;
  std::string out;
  auto r = append_binary(out, s->root(), big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(r.error().message, "field lines[1].qty: int value 1099511627776 out of 32-bit range");

  Value branch = *value;
  branch.children[0].children[0].children[1].union_branch = 5;
  out.clear();
  r = append_binary(out, s->root(), branch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "field lines[0].tag: union branch 5 out of range (2 branches)");

  Value wrong = *value;
  wrong.children[0].children[0].children[0].node = s->root().fields[0].type;  // an array node
  out.clear();
  r = append_binary(out, s->root(), wrong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "field lines[0].qty: a array value where the schema has int");

  Value short_record = *value;
  short_record.children[0].children[0].children.pop_back();
  out.clear();
  r = append_binary(out, s->root(), short_record);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "field lines[0]: record L has 2 fields, the value 1");
}

}  // namespace
}  // namespace ks3::avro

// Hand-made encodings for what python3-avro does not write or resolve: negative block counts,
// malformed data, and the resolution rules python3-avro 1.11 lacks.
#include "server/format/avro/decoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "server/format/avro/container_writer.hpp"
#include "server/format/avro/json_mapping.hpp"
#include "tests/unit/avro/avro_test_support.hpp"

namespace ks3::avro {
namespace {

using test::schema;

std::shared_ptr<const Decoder> decoder(std::string_view writer, std::string_view reader = {}) {
  auto d = Decoder::create(schema(writer), reader.empty() ? nullptr : schema(reader));
  EXPECT_TRUE(d) << d.error().message;
  return *d;
}

std::string longs(std::initializer_list<std::int64_t> values) {
  std::string out;
  for (auto v : values) append_long(out, v);
  return out;
}

std::string str(std::string_view s) {
  std::string out;
  append_long(out, static_cast<std::int64_t>(s.size()));
  out += s;
  return out;
}

std::string decode_json(const Decoder& d, const std::string& bytes) {
  auto v = d.decode(bytes);
  if (!v) return "ERROR " + v.error().message;
  return to_json(*v);
}

TEST(AvroDecoder, ArraysAndMapsWithNegativeBlockCounts) {
  auto d = decoder(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"array","items":"long"}},
      {"name":"m","type":{"type":"map","values":"string"}}]})");
  // a: a block of -2 items (byte size 2), then a block of 1, then 0; m: -1 entry block.
  std::string bytes = longs({-2, 2, 1, 2, 1, 3, 0});
  std::string entry = str("k") + str("v");
  bytes += longs({-1, static_cast<std::int64_t>(entry.size())}) + entry + longs({0});
  EXPECT_EQ(decode_json(*d, bytes), R"({"a":[1,2,3],"m":{"k":"v"}})");
}

TEST(AvroDecoder, SkipsRemovedFieldsUsingBlockSizes) {
  auto d = decoder(R"({"type":"record","name":"R","fields":[
      {"name":"gone","type":{"type":"array","items":"string"}},
      {"name":"kept","type":"int"}]})",
                   R"({"type":"record","name":"R","fields":[{"name":"kept","type":"int"}]})");
  std::string items = str("xy") + str("z");
  std::string bytes = longs({-2, static_cast<std::int64_t>(items.size())}) + items + longs({1}) +
                      str("w") + longs({0, 21});
  EXPECT_EQ(decode_json(*d, bytes), R"({"kept":21})");
}

TEST(AvroDecoder, ErrorsNameTheFieldAndTheByteOffset) {
  auto d = decoder(R"({"type":"record","name":"R","fields":[
      {"name":"id","type":"int"},
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
          {"name":"price","type":"double"}]}}}]})");
  std::string bytes = longs({7, 2}) + std::string(8, '\0') + std::string(3, '\0');
  EXPECT_EQ(decode_json(*d, bytes),
            "ERROR field lines[1].price: truncated: double needs 8 bytes, 3 left at byte 10");
  EXPECT_EQ(decode_json(*d, longs({7, 0}) + "x"),
            "ERROR 1 bytes left after the datum at byte 2 (wrong schema?)");
  auto v = d->decode("");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, ErrorKind::bad_data);
}

TEST(AvroDecoder, RejectsMalformedValues) {
  EXPECT_EQ(decode_json(*decoder(R"("int")"), longs({1LL << 33})),
            "ERROR int value 8589934592 out of 32-bit range at byte 5");
  EXPECT_EQ(decode_json(*decoder(R"(["null","int"])"), longs({2})),
            "ERROR union branch 2 out of range (2 branches) at byte 1");
  EXPECT_EQ(decode_json(*decoder(R"("string")"), longs({-1})),
            "ERROR string length -1 is negative at byte 1");
  EXPECT_EQ(decode_json(*decoder(R"("string")"), longs({100}) + "ab"),
            "ERROR truncated: string of 100 bytes, 2 left at byte 2");
  EXPECT_EQ(decode_json(*decoder(R"({"type":"enum","name":"E","symbols":["A"]})"), longs({1})),
            "ERROR enum index 1 out of range (1 symbols) at byte 1");
  EXPECT_EQ(decode_json(*decoder(R"("boolean")"), "\x02"),
            "ERROR boolean byte is not 0 or 1 at byte 1");
  EXPECT_EQ(decode_json(*decoder(R"("long")"), std::string(11, '\xff')),
            "ERROR varint longer than 10 bytes at byte 10");
}

TEST(AvroDecoder, LimitsItemsAndDepth) {
  // 2^40 nulls would take no bytes at all: the item limit stops it.
  auto nulls = decoder(R"({"type":"array","items":"null"})");
  auto v = nulls->decode(longs({1LL << 40, 0}));
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("array items or map entries"), std::string::npos);

  auto list = Schema::parse(
      R"({"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]})");
  auto d = Decoder::create(*list, nullptr, DecodeLimits{.max_depth = 10, .max_items = 100});
  ASSERT_TRUE(d);
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += longs({1});
  deep += longs({0});
  auto r = (*d)->decode(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nesting deeper than 10"), std::string::npos);
}

TEST(AvroDecoder, ResolutionRulesPythonLacks) {
  // Field alias, bytes -> string, string -> bytes, enum default, reader union from a plain type.
  auto d = decoder(R"({"type":"record","name":"a.R","fields":[
      {"name":"old","type":"int"},
      {"name":"b","type":"bytes"},
      {"name":"s","type":"string"},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y","Z"]}},
      {"name":"u","type":"long"}]})",
                   R"({"type":"record","name":"b.R","aliases":["a.R"],"fields":[
      {"name":"new","type":"long","aliases":["old"]},
      {"name":"b","type":"string"},
      {"name":"s","type":"bytes"},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["Y","OTHER"],"default":"OTHER"}},
      {"name":"u","type":["null","string","double"]}]})");
  std::string bytes = longs({5}) + str("hi") + str("\xff") + longs({0, 4});
  EXPECT_EQ(decode_json(*d, bytes), R"({"new":5,"b":"hi","s":"/w==","e":"OTHER","u":4})");
  auto v = d->decode(bytes);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->field("u")->union_branch, 2);
  EXPECT_EQ(v->field("u")->type(), Type::double_type);
}

TEST(AvroDecoder, EnumSymbolWithoutReaderDefaultFailsTheDatum) {
  auto d = decoder(R"({"type":"enum","name":"E","symbols":["X","Y"]})",
                   R"({"type":"enum","name":"E","symbols":["Y"]})");
  EXPECT_EQ(decode_json(*d, longs({1})), R"("Y")");
  EXPECT_EQ(decode_json(*d, longs({0})),
            "ERROR enum symbol X is not in the reader's enum E, which has no default at byte 1");
}

TEST(AvroDecoder, WriterUnionBranchWithoutMatchFailsOnlyWhenUsed) {
  auto d = decoder(R"(["null","string","boolean"])", R"(["null","string"])");
  EXPECT_EQ(decode_json(*d, longs({1}) + str("ok")), R"("ok")");
  EXPECT_EQ(decode_json(*d, longs({0})), "null");
  EXPECT_NE(decode_json(*d, longs({2}) + "\x01").find("matches no branch"), std::string::npos);
}

TEST(AvroDecoder, IncompatibleReaderIsReportedAtCreate) {
  auto missing = Decoder::create(
      schema(R"({"type":"record","name":"R","fields":[]})"),
      schema(R"({"type":"record","name":"R","fields":[{"name":"x","type":"int"}]})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::incompatible);
  EXPECT_EQ(missing.error().message,
            "reader field R.x is not in the writer schema and has no default");
  auto wrong = Decoder::create(schema(R"("string")"), schema(R"("int")"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "writer type string cannot be read as reader type int");
  EXPECT_FALSE(Decoder::create(schema(R"("long")"), schema(R"("int")")));
}

TEST(AvroDecoder, PromotesNumbers) {
  auto d = decoder(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"int"},{"name":"b","type":"long"},{"name":"c","type":"float"}]})",
                   R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"float"},{"name":"b","type":"double"},{"name":"c","type":"double"}]})");
  std::string bytes = longs({3, -9});
  float f = 2.5f;
  bytes.append(reinterpret_cast<const char*>(&f), 4);
  EXPECT_EQ(decode_json(*d, bytes), R"({"a":3,"b":-9,"c":2.5})");
}

TEST(AvroDecoder, ReusesTheValue) {
  auto d = decoder(R"({"type":"array","items":"int"})");
  Value v;
  Error e;
  ASSERT_TRUE(d->decode(longs({3, 1, 2, 3, 0}), v, e));
  EXPECT_EQ(to_json(v), "[1,2,3]");
  ASSERT_TRUE(d->decode(longs({1, 9, 0}), v, e));
  EXPECT_EQ(to_json(v), "[9]");
}

TEST(AvroDecoder, MutatedPythonDatumsNeverCrash) {
  // Every byte flip and truncation of python3-avro's datums either decodes or fails cleanly.
  auto writer = Schema::parse(test::read_text(test::data_path("complex.avsc")));
  ASSERT_TRUE(writer);
  auto d = Decoder::create(*writer);
  ASSERT_TRUE(d);
  std::mt19937 rng(42);
  int failures = 0, decoded = 0;
  for (const auto& hex : test::read_lines(test::data_path("complex.datums.hex"))) {
    std::string datum = test::unhex(hex);
    for (std::size_t cut = 0; cut < datum.size(); ++cut) {
      EXPECT_FALSE((*d)->decode(datum.substr(0, cut))) << "a truncated datum decoded";
    }
    for (int round = 0; round < 300; ++round) {
      std::string m = datum;
      for (int flips = 0; flips < 3; ++flips) {
        m[rng() % m.size()] = static_cast<char>(rng());
      }
      auto v = (*d)->decode(m);
      if (v) {
        ++decoded;
      } else {
        ++failures;
        EXPECT_FALSE(v.error().message.empty());
      }
    }
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace ks3::avro

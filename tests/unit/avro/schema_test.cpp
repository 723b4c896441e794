#include "server/format/avro/schema.hpp"

#include <gtest/gtest.h>

namespace ks3::avro {
namespace {

std::shared_ptr<const Schema> parse_ok(std::string_view text) {
  auto s = Schema::parse(text);
  EXPECT_TRUE(s) << s.error().message;
  return s ? *s : nullptr;
}

std::string parse_error(std::string_view text) {
  auto s = Schema::parse(text);
  EXPECT_FALSE(s) << "parsed: " << text;
  if (s) return {};
  EXPECT_EQ(s.error().kind, ErrorKind::bad_schema);
  return s.error().message;
}

TEST(AvroSchema, ParsesPrimitivesInBothForms) {
  auto s = parse_ok(R"("long")");
  EXPECT_EQ(s->root().type, Type::long_type);
  EXPECT_EQ(s->canonical_form(), R"("long")");
  EXPECT_EQ(parse_ok(R"({"type": "string"})")->canonical_form(), R"("string")");
}

TEST(AvroSchema, FingerprintOfNullIsTheSpecificationsValue) {
  // CRC-64-AVRO of "null", as Java's SchemaNormalization.parsingFingerprint64 gives it.
  EXPECT_EQ(parse_ok(R"("null")")->fingerprint(), 7195948357588979594ULL);
}

TEST(AvroSchema, NamespacesAndReferences) {
  auto s = parse_ok(R"({"type":"record","name":"Outer","namespace":"a.b","fields":[
      {"name":"x","type":{"type":"enum","name":"E","symbols":["A","B"]}},
      {"name":"y","type":"E"},
      {"name":"z","type":"a.b.E"},
      {"name":"w","type":{"type":"fixed","name":"c.F","size":4}},
      {"name":"v","type":{"type":"record","name":"In","namespace":"","fields":[]}}]})");
  ASSERT_TRUE(s);
  const Node& root = s->root();
  EXPECT_EQ(root.name, "a.b.Outer");
  EXPECT_EQ(root.fields[0].type->name, "a.b.E");
  EXPECT_EQ(root.fields[1].type, root.fields[0].type);
  EXPECT_EQ(root.fields[2].type, root.fields[0].type);
  EXPECT_EQ(root.fields[3].type->name, "c.F");
  EXPECT_EQ(root.fields[4].type->name, "In");
  EXPECT_NE(s->find("c.F"), nullptr);
  EXPECT_EQ(
      s->canonical_form(),
      R"({"name":"a.b.Outer","type":"record","fields":[{"name":"x","type":{"name":"a.b.E","type":"enum","symbols":["A","B"]}},{"name":"y","type":"a.b.E"},{"name":"z","type":"a.b.E"},{"name":"w","type":{"name":"c.F","type":"fixed","size":4}},{"name":"v","type":{"name":"In","type":"record","fields":[]}}]})");
}

TEST(AvroSchema, RecursiveRecord) {
  auto s = parse_ok(R"({"type":"record","name":"List","fields":[
      {"name":"value","type":"int"},{"name":"next","type":["null","List"]}]})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->root().fields[1].type->branches[1], &s->root());
}

TEST(AvroSchema, LogicalTypes) {
  auto s = parse_ok(R"({"type":"record","name":"L","fields":[
      {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
      {"name":"f","type":{"type":"fixed","name":"F","size":8,"logicalType":"decimal","precision":18}},
      {"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}},
      {"name":"bad_scale","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}},
      {"name":"too_precise","type":{"type":"fixed","name":"G","size":2,"logicalType":"decimal","precision":5}},
      {"name":"wrong_base","type":{"type":"string","logicalType":"date"}},
      {"name":"unknown","type":{"type":"int","logicalType":"whatever"}},
      {"name":"dur","type":{"type":"fixed","name":"D","size":12,"logicalType":"duration"}}]})");
  ASSERT_TRUE(s);
  const auto& f = s->root().fields;
  EXPECT_EQ(f[0].type->logical, Logical::decimal);
  EXPECT_EQ(f[0].type->precision, 10);
  EXPECT_EQ(f[0].type->scale, 2);
  EXPECT_EQ(f[1].type->logical, Logical::decimal);
  EXPECT_EQ(f[1].type->scale, 0);
  EXPECT_EQ(f[2].type->logical, Logical::timestamp_micros);
  // Invalid or unknown logical types are ignored, as the specification requires.
  EXPECT_EQ(f[3].type->logical, Logical::none);
  EXPECT_EQ(f[4].type->logical, Logical::none);
  EXPECT_EQ(f[5].type->logical, Logical::none);
  EXPECT_EQ(f[6].type->logical, Logical::none);
  EXPECT_EQ(f[7].type->logical, Logical::duration);
}

TEST(AvroSchema, ErrorsNameTheProblemAndThePlace) {
  EXPECT_NE(parse_error("{").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(parse_error(R"({"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]})"),
            "record R field \"a\": unknown type \"Nope\"");
  EXPECT_NE(
      parse_error(
          R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})")
          .find("duplicate field name"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"type":"record","name":"1R","fields":[]})").find("invalid name"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"type":"record","name":"R"})").find("\"fields\""), std::string::npos);
  EXPECT_NE(parse_error(R"(["int","int"])").find("duplicate int in union"), std::string::npos);
  EXPECT_NE(parse_error(R"(["int",["string"]])").find("may not directly contain a union"),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"type":"enum","name":"E","symbols":["A","A"]})").find("duplicate symbol"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})")
                .find("not one of the symbols"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"type":"fixed","name":"F","size":-1})").find("size"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"type":"array"})").find("items"), std::string::npos);
  EXPECT_NE(
      parse_error(R"([{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}])")
          .find("defined twice"),
      std::string::npos);
  EXPECT_NE(parse_error("42").find("JSON string, object or array"), std::string::npos);
}

}  // namespace
}  // namespace ks3::avro

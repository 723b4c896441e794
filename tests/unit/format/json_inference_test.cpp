// Schema inference from JSON values (server/format/json_inference.hpp): the documented rules,
// checked on the schema nodes and on the values each record becomes.
#include "server/format/json_inference.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ks3::server {
namespace {

using K = InferredType::Kind;
using parquet::LogicalType;
using parquet::PhysicalType;

InferredType infer(std::initializer_list<const char*> values) {
  InferredType type;
  for (const char* text : values) type.merge(boost::json::parse(text));
  return type;
}

const parquet::Node& child(const parquet::Node& node, std::string_view name) {
  for (const auto& c : node.children()) {
    if (c.name() == name) return c;
  }
  throw std::out_of_range(std::string(name));
}

TEST(JsonInference, ScalarsAndWidening) {
  EXPECT_EQ(infer({"1", "null", "2"}).kind(), K::integer);
  EXPECT_EQ(infer({"1", "2.5"}).kind(), K::real);
  EXPECT_EQ(infer({"2.5", "1"}).kind(), K::real);
  EXPECT_EQ(infer({"18446744073709551615"}).kind(), K::real);  // past INT64
  EXPECT_EQ(infer({"true", "false"}).kind(), K::boolean);
  EXPECT_EQ(infer({"\"a\""}).kind(), K::string);
  EXPECT_EQ(infer({"null"}).kind(), K::null_only);
  EXPECT_EQ(infer({}).kind(), K::null_only);
}

TEST(JsonInference, ConflictsBecomeJson) {
  EXPECT_EQ(infer({"1", "\"1\""}).kind(), K::json);
  EXPECT_EQ(infer({"true", "1"}).kind(), K::json);
  EXPECT_EQ(infer({"{\"a\":1}", "[1]"}).kind(), K::json);
  // Once JSON, always JSON.
  EXPECT_EQ(infer({"1", "\"x\"", "2"}).kind(), K::json);
  const parquet::Node node = infer({"1", "\"x\""}).to_node("v");
  EXPECT_EQ(node.physical_type(), PhysicalType::kByteArray);
  EXPECT_EQ(node.logical_type().kind, LogicalType::Kind::kJson);
}

TEST(JsonInference, ObjectsAreGroupsInFirstSeenOrder) {
  const InferredType type =
      infer({R"({"b":1,"a":{"x":"s"}})", R"({"c":true,"b":2.5,"a":{"y":null}})"});
  ASSERT_EQ(type.kind(), K::object);
  ASSERT_EQ(type.fields().size(), 3u);
  EXPECT_EQ(type.fields()[0].first, "b");
  EXPECT_EQ(type.fields()[1].first, "a");
  EXPECT_EQ(type.fields()[2].first, "c");
  const parquet::Node node = type.to_node("value");
  ASSERT_TRUE(node.is_group());
  EXPECT_EQ(node.repetition(), parquet::Repetition::kOptional);
  EXPECT_EQ(child(node, "b").physical_type(), PhysicalType::kDouble);
  EXPECT_EQ(child(node, "c").physical_type(), PhysicalType::kBoolean);
  const parquet::Node& a = child(node, "a");
  ASSERT_TRUE(a.is_group());
  EXPECT_EQ(child(a, "x").logical_type().kind, LogicalType::Kind::kString);
  // Only ever null: a STRING column of nulls.
  EXPECT_EQ(child(a, "y").logical_type().kind, LogicalType::Kind::kString);
}

TEST(JsonInference, ArraysAreLists) {
  const InferredType type = infer({R"([1,2])", R"([])", R"([3.5,null])"});
  ASSERT_EQ(type.kind(), K::array);
  EXPECT_EQ(type.element().kind(), K::real);
  const parquet::Node node = type.to_node("tags");
  EXPECT_EQ(node.logical_type().kind, LogicalType::Kind::kList);
  // Mixed items: a list of JSON texts.
  EXPECT_EQ(infer({R"([1,"a"])"}).element().kind(), K::json);
}

TEST(JsonInference, MapsAndOddKeysBecomeJson) {
  EXPECT_EQ(infer({R"({"":1})"}).kind(), K::json);
  EXPECT_EQ(infer({R"({})"}).to_node("v").logical_type().kind, LogicalType::Kind::kJson);
  std::string wide = "{";
  for (std::size_t i = 0; i <= kMaxObjectFields; ++i) {
    wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  }
  wide += "}";
  EXPECT_EQ(infer({wide.c_str()}).kind(), K::json);
}

TEST(JsonInference, ValuesFollowTheColumns) {
  const InferredType type =
      infer({R"({"n":1,"s":"x","o":{"k":1},"l":[1,2],"m":1})", R"({"n":2.5,"m":"t"})"});
  // The cells borrow strings from the JSON they came from: keep it alive while they are read.
  const boost::json::value first =
      boost::json::parse(R"({"n":1,"s":"x","o":{"k":1},"l":[1,2],"m":1})");
  const boost::json::value second = boost::json::parse(R"({"n":2.5,"m":"t"})");
  parquet::Value out;
  type.to_value(first, out);
  ASSERT_EQ(out.kind(), parquet::Value::Kind::kStruct);
  ASSERT_EQ(out.items().size(), 5u);
  EXPECT_EQ(out.items()[0].kind(), parquet::Value::Kind::kDouble);  // widened
  EXPECT_DOUBLE_EQ(out.items()[0].as_double(), 1.0);
  EXPECT_EQ(out.items()[1].as_bytes(), "x");
  EXPECT_EQ(out.items()[2].items()[0].as_int(), 1);
  EXPECT_EQ(out.items()[3].items().size(), 2u);
  EXPECT_EQ(out.items()[4].as_bytes(), "1");  // conflict: the JSON text
  type.to_value(second, out);
  EXPECT_TRUE(out.items()[1].is_null());  // missing field
  EXPECT_EQ(out.items()[4].as_bytes(), "\"t\"");
  type.to_value(boost::json::parse("null"), out);
  EXPECT_TRUE(out.is_null());
}

}  // namespace
}  // namespace ks3::server

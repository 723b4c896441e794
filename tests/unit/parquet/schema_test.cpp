#include "server/format/parquet/schema.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ks3::parquet {
namespace {

using R = Repetition;

TEST(Schema, LevelsAndPaths) {
  Schema s({
      Node::int64("id", R::kRequired),
      Node::string("name", R::kOptional),
      Node::list("tags", R::kOptional, Node::string("x", R::kOptional)),
      Node::group("a", R::kOptional,
                  {Node::int32("b", R::kRequired),
                   Node::list("c", R::kRequired, Node::int64("e", R::kRequired))}),
  });
  const auto& c = s.columns();
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].dotted_path(), "id");
  EXPECT_EQ(c[0].max_definition_level, 0);
  EXPECT_EQ(c[1].max_definition_level, 1);
  EXPECT_EQ(c[2].dotted_path(), "tags.list.element");
  EXPECT_EQ(c[2].max_definition_level, 3);
  EXPECT_EQ(c[2].max_repetition_level, 1);
  EXPECT_EQ(c[3].dotted_path(), "a.b");
  EXPECT_EQ(c[3].max_definition_level, 1);
  EXPECT_EQ(c[4].dotted_path(), "a.c.list.element");
  EXPECT_EQ(c[4].max_definition_level, 2);
  EXPECT_EQ(c[4].max_repetition_level, 1);
  EXPECT_EQ(s.fields()[3].first_leaf(), 3u);
  EXPECT_EQ(s.fields()[3].leaf_count(), 2u);
  EXPECT_TRUE(s.fields()[2].children()[0].is_list_wrapper());
}

TEST(Schema, FlattensDepthFirstWithAnnotations) {
  Schema s({
      Node::list("tags", R::kOptional, Node::string("e", R::kOptional)),
      Node::timestamp("ts", R::kRequired, TimeUnit::kMicros),
      Node::timestamp("local", R::kRequired, TimeUnit::kMillis, /*utc=*/false),
      Node::decimal("d", R::kOptional, 25, 4),
      Node::uuid("u", R::kOptional),
  });
  const auto e = s.to_thrift();
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0].name, "schema");
  EXPECT_EQ(*e[0].num_children, 5);
  EXPECT_FALSE(e[0].repetition_type.has_value());
  EXPECT_EQ(e[1].name, "tags");
  EXPECT_EQ(*e[1].converted_type, ConvertedType::kList);
  EXPECT_EQ(e[1].logical_type->kind, LogicalTypeAnnotation::Kind::kList);
  EXPECT_EQ(e[2].name, "list");
  EXPECT_EQ(*e[2].repetition_type, FieldRepetition::kRepeated);
  EXPECT_EQ(e[3].name, "element");
  EXPECT_EQ(*e[3].converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(*e[4].converted_type, ConvertedType::kTimestampMicros);
  EXPECT_EQ(e[4].logical_type->unit, LogicalTypeAnnotation::TimeUnit::kMicros);
  EXPECT_FALSE(e[5].converted_type.has_value());  // not UTC: no legacy annotation
  EXPECT_FALSE(e[5].logical_type->utc);
  EXPECT_EQ(*e[6].type, PhysicalType::kFixedLenByteArray);
  EXPECT_EQ(*e[6].type_length, 11);  // 25 digits need 11 bytes
  EXPECT_EQ(*e[6].scale, 4);
  EXPECT_EQ(*e[6].precision, 25);
  EXPECT_EQ(*e[7].type_length, 16);
  EXPECT_EQ(e[7].logical_type->kind, LogicalTypeAnnotation::Kind::kUuid);
}

TEST(Schema, DecimalPhysicalTypes) {
  EXPECT_EQ(Node::decimal("d", R::kRequired, 9, 2).physical_type(), PhysicalType::kInt32);
  EXPECT_EQ(Node::decimal("d", R::kRequired, 18, 2).physical_type(), PhysicalType::kInt64);
  EXPECT_EQ(decimal_fixed_length(19), 9);
  EXPECT_EQ(decimal_fixed_length(38), 16);
}

TEST(Schema, RejectsInvalidTrees) {
  EXPECT_THROW(Schema({}), std::invalid_argument);
  EXPECT_THROW(Schema({Node::int64("", R::kRequired)}), std::invalid_argument);
  EXPECT_THROW(Schema({Node::group("g", R::kOptional, {})}), std::invalid_argument);
  EXPECT_THROW(Schema({Node::fixed("f", R::kOptional, 0)}), std::invalid_argument);
  EXPECT_THROW(Schema({Node::leaf("s", R::kOptional, PhysicalType::kInt32,
                                  {.kind = LogicalType::Kind::kString})}),
               std::invalid_argument);
  EXPECT_THROW(Schema({Node::leaf("d", R::kOptional, PhysicalType::kInt32,
                                  {.kind = LogicalType::Kind::kDecimal, .precision = 10})}),
               std::invalid_argument);
  EXPECT_THROW(
      Schema({Node::leaf("d", R::kOptional, PhysicalType::kInt64,
                         {.kind = LogicalType::Kind::kDecimal, .precision = 4, .scale = 5})}),
      std::invalid_argument);
  try {
    Schema({Node::group("outer", R::kOptional,
                        {Node::leaf("u", R::kOptional, PhysicalType::kFixedLenByteArray,
                                    {.kind = LogicalType::Kind::kUuid}, 8)})});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("outer.u"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ks3::parquet

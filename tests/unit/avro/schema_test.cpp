#include "server/format/avro/schema.hpp"

#include <gtest/gtest.h>

namespace ks3::avro {
namespace {

TEST(AvroSchema, ParsesPrimitive) {
  auto s = Schema::parse(R"("long")");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->root().type, Type::long_type);
  EXPECT_EQ((*s)->canonical_form(), R"("long")");
}

}  // namespace
}  // namespace ks3::avro

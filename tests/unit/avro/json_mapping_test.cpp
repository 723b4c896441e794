#include "server/format/avro/json_mapping.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ks3::avro {
namespace {

TEST(AvroJsonMapping, DecimalText) {
  EXPECT_EQ(decimal_to_string("", 0), "0");
  EXPECT_EQ(decimal_to_string(std::string("\x04\xce", 2), 2), "12.30");   // 1230
  EXPECT_EQ(decimal_to_string(std::string("\xfb\x32", 2), 2), "-12.30");  // -1230
  EXPECT_EQ(decimal_to_string("\x05", 3), "0.005");
  EXPECT_EQ(decimal_to_string("\xff", 0), "-1");
  EXPECT_EQ(decimal_to_string(std::string("\x80\x00", 2), 0), "-32768");
  EXPECT_EQ(decimal_to_string(std::string(16, '\xff'), 9), "-0.000000001");
  EXPECT_EQ(decimal_to_string(std::string("\x7f") + std::string(15, '\xff'), 0),
            "170141183460469231731687303715884105727");
}

TEST(AvroJsonMapping, DatesAndTimestamps) {
  EXPECT_EQ(date_to_string(0), "1970-01-01");
  EXPECT_EQ(date_to_string(19782), "2024-02-29");
  EXPECT_EQ(date_to_string(-1), "1969-12-31");
  EXPECT_EQ(date_to_string(-719528), "0000-01-01");
  EXPECT_EQ(timestamp_to_string(-1, 1000, true), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(timestamp_to_string(1709214301123456, 1000000, false), "2024-02-29T13:45:01.123456");
  EXPECT_EQ(timestamp_to_string(253402300800000, 1000, true), "+10000-01-01T00:00:00.000Z");
}

TEST(AvroJsonMapping, NumbersThatJsonLacksBecomeStrings) {
  auto s = Schema::parse(R"({"type":"array","items":"double"})");
  ASSERT_TRUE(s);
  Value v;
  v.node = &(*s)->root();
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL, 0.1}) {
    Value item;
    item.node = (*s)->root().items;
    item.real = d;
    v.children.push_back(item);
  }
  EXPECT_EQ(to_json(v), R"(["NaN","Infinity","-Infinity",0.1])");
}

TEST(AvroJsonMapping, TimeFormatNumberWritesTheUnderlyingNumber) {
  auto s = Schema::parse(R"({"type":"long","logicalType":"timestamp-millis"})");
  ASSERT_TRUE(s);
  Value v;
  v.node = &(*s)->root();
  v.integer = 1500;
  EXPECT_EQ(to_json(v), R"("1970-01-01T00:00:01.500Z")");
  EXPECT_EQ(to_json(v, {.time = TimeFormat::number}), "1500");
}

TEST(AvroJsonMapping, InvalidUtf8StaysValidJson) {
  auto s = Schema::parse(R"({"type":"map","values":"bytes"})");
  ASSERT_TRUE(s);
  Value v;
  v.node = &(*s)->root();
  v.keys = {"k\xff"};
  Value b;
  b.node = (*s)->root().items;
  b.bytes = std::string("\xff\x00", 2);
  v.children.push_back(b);
  EXPECT_EQ(to_json(v), "{\"k\xef\xbf\xbd\":\"/wA=\"}");
}

}  // namespace
}  // namespace ks3::avro

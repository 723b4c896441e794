#include "server/format/parquet/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "server/format/parquet/encoding.hpp"

namespace ks3::parquet {
namespace {

Column col(PhysicalType t, LogicalType l = {}, int32_t len = 0) {
  return Column{{"c"}, t, len, l, 1, 0};
}

TEST(Statistics, SignedIntegers) {
  ColumnStatistics s(col(PhysicalType::kInt32));
  for (int v : {3, -5, 7, 0, -1}) s.add_int(v);
  s.add_nulls(2);
  const Statistics t = s.to_thrift();
  EXPECT_EQ(*t.min_value, plain_bytes(int32_t{-5}));
  EXPECT_EQ(*t.max_value, plain_bytes(int32_t{7}));
  EXPECT_EQ(*t.null_count, 2);
  EXPECT_FALSE(t.nan_count.has_value());

  ColumnStatistics l(col(PhysicalType::kInt64));
  l.add_int(std::numeric_limits<int64_t>::min());
  l.add_int(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*l.to_thrift().min_value, plain_bytes(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(*l.to_thrift().max_value, plain_bytes(std::numeric_limits<int64_t>::max()));
}

TEST(Statistics, DoublesSkipNaNAndSignZeros) {
  ColumnStatistics s(col(PhysicalType::kDouble));
  s.add_double(std::nan(""));
  s.add_double(2.5);
  s.add_double(-1.25);
  s.add_double(std::nan(""));
  Statistics t = s.to_thrift();
  EXPECT_EQ(*t.min_value, plain_bytes(-1.25));
  EXPECT_EQ(*t.max_value, plain_bytes(2.5));
  EXPECT_EQ(*t.nan_count, 2);
  EXPECT_EQ(*t.null_count, 0);

  // A zero min is written -0.0, a zero max +0.0.
  ColumnStatistics z(col(PhysicalType::kDouble));
  z.add_double(0.0);
  t = z.to_thrift();
  EXPECT_EQ(*t.min_value, plain_bytes(-0.0));
  EXPECT_EQ(*t.max_value, plain_bytes(0.0));

  // All NaN: no min/max.
  ColumnStatistics n(col(PhysicalType::kFloat));
  n.add_double(std::nan(""));
  t = n.to_thrift();
  EXPECT_FALSE(t.min_value.has_value());
  EXPECT_EQ(*t.nan_count, 1);

  ColumnStatistics f(col(PhysicalType::kFloat));
  f.add_double(1.5);
  f.add_double(-3);
  EXPECT_EQ(*f.to_thrift().min_value, plain_bytes(-3.0f));
}

TEST(Statistics, Utf8IsUnsignedBytewise) {
  ColumnStatistics s(col(PhysicalType::kByteArray, {.kind = LogicalType::Kind::kString}));
  s.add_bytes("z");
  s.add_bytes("\xc3\xa9t\xc3\xa9");  // "été": 0xC3 > 'z' unsigned (it would be < signed)
  s.add_bytes("abc");
  s.add_bytes("ab");
  const Statistics t = s.to_thrift();
  EXPECT_EQ(*t.min_value, "ab");  // no length prefix in statistics
  EXPECT_EQ(*t.max_value, "\xc3\xa9t\xc3\xa9");
}

TEST(Statistics, DecimalFixedIsSigned) {
  const Column c = col(PhysicalType::kFixedLenByteArray,
                       {.kind = LogicalType::Kind::kDecimal, .precision = 20, .scale = 2}, 9);
  ColumnStatistics s(c);
  for (int64_t v : {5, -300, 1000, -1}) {
    std::string b;
    ASSERT_TRUE(decimal_to_fixed(v, 9, b));
    s.add_bytes(b);
  }
  std::string lo, hi;
  decimal_to_fixed(-300, 9, lo);
  decimal_to_fixed(1000, 9, hi);
  EXPECT_EQ(*s.to_thrift().min_value, lo);
  EXPECT_EQ(*s.to_thrift().max_value, hi);
}

TEST(Statistics, BooleanAndReset) {
  ColumnStatistics s(col(PhysicalType::kBoolean));
  s.add_int(1);
  s.add_int(0);
  EXPECT_EQ(*s.to_thrift().min_value, std::string(1, '\0'));
  EXPECT_EQ(*s.to_thrift().max_value, std::string(1, '\1'));
  s.reset();
  s.add_nulls(3);
  const Statistics t = s.to_thrift();
  EXPECT_FALSE(t.min_value.has_value());
  EXPECT_EQ(*t.null_count, 3);
}

TEST(Encoding, DecimalToFixed) {
  std::string b;
  ASSERT_TRUE(decimal_to_fixed(-2, 3, b));
  EXPECT_EQ(b, std::string("\xff\xff\xfe", 3));
  b.clear();
  ASSERT_TRUE(decimal_to_fixed(258, 10, b));
  EXPECT_EQ(b, std::string("\0\0\0\0\0\0\0\0\x01\x02", 10));
  b.clear();
  EXPECT_FALSE(decimal_to_fixed(128, 1, b));
  EXPECT_TRUE(decimal_to_fixed(-128, 1, b));
}

TEST(Encoding, Uuid) {
  char raw[16];
  ASSERT_TRUE(parse_uuid("00112233-4455-6677-8899-AaBbCcDdEeFf", raw));
  EXPECT_EQ(std::string(raw, 16),
            std::string("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16));
  EXPECT_FALSE(parse_uuid("00112233-4455-6677-8899+AaBbCcDdEeFf", raw));
  EXPECT_FALSE(parse_uuid("0011223344556677-8899-AaBbCcDdEeFf", raw));
}

}  // namespace
}  // namespace ks3::parquet

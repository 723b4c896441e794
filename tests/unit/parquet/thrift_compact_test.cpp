#include "server/format/parquet/thrift_compact.hpp"

#include <gtest/gtest.h>

namespace ks3::parquet {
namespace {

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    if (!h.empty()) h += ' ';
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

TEST(ThriftCompact, Varints) {
  std::string out;
  append_varint(out, 0);
  append_varint(out, 1);
  append_varint(out, 127);
  append_varint(out, 128);
  append_varint(out, 300);
  EXPECT_EQ(hex(out), "00 01 7f 80 01 ac 02");
}

TEST(ThriftCompact, ZigZag) {
  std::string out;
  for (int64_t v : {0, -1, 1, -2, 2, -64, 64}) append_zigzag(out, v);
  // 0->0, -1->1, 1->2, -2->3, 2->4, -64->127, 64->128.
  EXPECT_EQ(hex(out), "00 01 02 03 04 7f 80 01");
  out.clear();
  append_zigzag(out, INT64_MIN);
  EXPECT_EQ(hex(out), "ff ff ff ff ff ff ff ff ff 01");
}

TEST(ThriftCompact, FieldDeltasAndLongForm) {
  std::string out;
  CompactEncoder e(out);
  e.begin_message();
  e.field_i32(1, 3);        // delta 1, i32 (5): 0x15, zigzag(3) = 6
  e.field_i64(5, -1);       // delta 4, i64 (6): 0x46, zigzag(-1) = 1
  e.field_binary(6, "ab");  // delta 1, binary (8): 0x18, len 2, 'a' 'b'
  e.field_bool(7, true);    // delta 1, true (1): 0x11
  e.field_bool(8, false);   // delta 1, false (2): 0x12
  e.field_i32(40, 0);       // delta 32 > 15: type byte 0x05, zigzag(40) = 80 = 0x50, value 0
  e.field_i16(41, -3);      // delta 1, i16 (4): 0x14, zigzag(-3) = 5
  e.end_message();          // stop
  EXPECT_EQ(hex(out), "15 06 46 01 18 02 61 62 11 12 05 50 00 14 05 00");
}

TEST(ThriftCompact, NestedStructsRestartDeltas) {
  std::string out;
  CompactEncoder e(out);
  e.begin_message();
  e.field_i32(3, 1);  // 0x35 02
  e.begin_struct(5);  // delta 2, struct (12): 0x2c
  e.field_i32(1, 2);  // inner delta from 0: 0x15 04
  e.end_struct();     // 00
  e.field_i32(6, 7);  // delta from 5: 0x15 0e
  e.end_message();    // 00
  EXPECT_EQ(hex(out), "35 02 2c 15 04 00 15 0e 00");
}

TEST(ThriftCompact, Lists) {
  std::string out;
  CompactEncoder e(out);
  e.begin_message();
  e.begin_list(1, CompactType::kI32, 3);  // 0x19, then (3 << 4) | 5 = 0x35
  e.element_i32(0);
  e.element_i32(3);
  e.element_i32(8);
  e.begin_list(2, CompactType::kBinary, 0);  // 0x19, 0x08
  e.begin_list(3, CompactType::kStruct, 1);  // 0x19, 0x1c
  e.begin_element_struct();
  e.field_i32(2, 1);  // 0x25 02
  e.end_struct();     // 00
  e.end_message();    // 00
  EXPECT_EQ(hex(out), "19 35 00 06 10 19 08 19 1c 25 02 00 00");
}

TEST(ThriftCompact, LongList) {
  std::string out;
  CompactEncoder e(out);
  e.begin_message();
  e.begin_list(1, CompactType::kI64, 20);  // 0x19, 0xf6, varint 20
  for (int i = 0; i < 20; ++i) e.element_i64(0);
  e.end_message();
  EXPECT_EQ(out.substr(0, 3), std::string("\x19\xf6\x14", 3));
  EXPECT_EQ(out.size(), 3u + 20u + 1u);
}

TEST(ThriftCompact, Double) {
  std::string out;
  CompactEncoder e(out);
  e.begin_message();
  e.field_double(1, 1.0);  // 0x17, then 1.0 little-endian: 00 00 00 00 00 00 f0 3f
  e.end_message();
  EXPECT_EQ(hex(out), "17 00 00 00 00 00 00 f0 3f 00");
}

}  // namespace
}  // namespace ks3::parquet

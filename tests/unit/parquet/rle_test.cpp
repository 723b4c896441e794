#include "server/format/parquet/rle.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::parquet {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(Rle, BitWidth) {
  EXPECT_EQ(bit_width_for(0), 0);
  EXPECT_EQ(bit_width_for(1), 1);
  EXPECT_EQ(bit_width_for(2), 2);
  EXPECT_EQ(bit_width_for(3), 2);
  EXPECT_EQ(bit_width_for(4), 3);
  EXPECT_EQ(bit_width_for(255), 8);
  EXPECT_EQ(bit_width_for(256), 9);
}

// Encodings.md: "the numbers 0 through 7 using bit width 3" bit-pack to
// 10001000 11000110 11111010 (LSB first); the run header is (1 group << 1) | 1 = 3.
TEST(Rle, SpecBitPackedExample) {
  const uint16_t v[] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  rle_encode(v, 8, 3, out);
  EXPECT_EQ(out, bytes({0x03, 0x88, 0xC6, 0xFA}));
}

TEST(Rle, RepeatedRun) {
  // 100 times the value 5 at width 3: header 100 << 1 = 200 (varint c8 01), value in 1 byte.
  std::vector<uint16_t> v(100, 5);
  std::string out;
  rle_encode(v.data(), v.size(), 3, out);
  EXPECT_EQ(out, bytes({0xC8, 0x01, 0x05}));
  // Values wider than 8 bits take ceil(width / 8) bytes, little-endian.
  std::vector<uint32_t> w(10, 0x1234);
  out.clear();
  rle_encode(w.data(), w.size(), 13, out);
  EXPECT_EQ(out, bytes({20, 0x34, 0x12}));
}

TEST(Rle, ShortTailIsPaddedBitPacking) {
  // 3 values at width 1: one group of 8 (padded with zeros): header 3, then bits 1,0,1 = 0b101.
  const uint16_t v[] = {1, 0, 1};
  std::string out;
  rle_encode(v, 3, 1, out);
  EXPECT_EQ(out, bytes({0x03, 0x05}));
}

TEST(Rle, MixedRunsAlignLiteralGroups) {
  // 8 literals, then 20 ones: a bit-packed group, then an RLE run.
  std::vector<uint16_t> v = {0, 1, 0, 1, 0, 1, 0, 1};
  v.insert(v.end(), 20, 1);
  std::string out;
  rle_encode(v.data(), v.size(), 1, out);
  EXPECT_EQ(out, bytes({0x03, 0xAA, 40, 0x01}));
}

TEST(Rle, LevelsCarryALengthPrefix) {
  std::vector<uint16_t> v(16, 1);
  std::string out;
  rle_encode_levels(v.data(), v.size(), 1, out);
  EXPECT_EQ(out, bytes({2, 0, 0, 0, 32, 1}));
}

TEST(Rle, RoundTripsRandomData) {
  std::mt19937 rng(42);
  for (int width : {1, 2, 3, 5, 8, 11, 16}) {
    std::vector<uint32_t> v;
    const uint32_t max = (1u << width) - 1;
    while (v.size() < 5000) {
      // Mix long runs with noise so both run kinds and the transitions get exercised.
      const uint32_t x = rng() & max;
      const size_t n = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      v.insert(v.end(), n, x);
    }
    std::string out;
    rle_encode(v.data(), v.size(), width, out);
    size_t used = 0;
    EXPECT_EQ(testing::rle_decode(out, width, v.size(), used), v) << "width " << width;
    EXPECT_EQ(used, out.size());
  }
}

TEST(Rle, BitPackerLsbFirst) {
  std::string out;
  {
    BitPacker p(out, 1);
    for (bool b : {true, false, false, true, true, true, false, false, true}) p.put(b);
  }
  EXPECT_EQ(out, bytes({0x39, 0x01}));
}

}  // namespace
}  // namespace ks3::parquet

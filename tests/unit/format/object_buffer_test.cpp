#include "server/format/object_buffer.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ks3::server {
namespace {

std::string noise(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

TEST(ObjectBuffer, SplitsTheCompressedStreamIntoParts) {
  constexpr std::uint64_t kPart = 64 * 1024;
  ObjectBuffer buffer(Compression::gzip, 1, kPart, "header\n");
  std::string expected = "header\n";
  std::string joined;
  for (unsigned i = 0; i < 200; ++i) {
    std::string record = noise(5000, i);  // incompressible: parts fill quickly
    buffer.append(record);
    expected += record;
    while (auto part = buffer.take_full_part()) {
      EXPECT_GE(part->size(), kPart);
      joined += *part;
    }
  }
  EXPECT_GE(buffer.parts_taken(), 4u);
  joined += buffer.finish();
  EXPECT_EQ(buffer.compressed_bytes(), joined.size());
  EXPECT_EQ(buffer.uncompressed_bytes(), expected.size());
  EXPECT_EQ(decompress(Compression::gzip, joined), expected);
}

TEST(ObjectBuffer, SmallObjectsAreOnePiece) {
  ObjectBuffer buffer(Compression::none, 0, 5u << 20, "");
  buffer.append("a\n");
  buffer.append("b\n");
  EXPECT_FALSE(buffer.take_full_part());
  EXPECT_EQ(buffer.finish(), "a\nb\n");
  EXPECT_EQ(buffer.parts_taken(), 0u);
}

TEST(ObjectBuffer, HeldBytesIncludeCompressorStateUntilFinished) {
  ObjectBuffer buffer(Compression::zstd, 3, 5u << 20, "");
  buffer.append("x");
  EXPECT_GT(buffer.held_bytes(), 1000u);
  buffer.finish();
  EXPECT_LT(buffer.held_bytes(), 100u);
}

}  // namespace
}  // namespace ks3::server

#include "server/compress/compressor.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ks3::server {
namespace {

// JSON-ish records with some repetition, like real payloads, plus incompressible noise.
std::string sample_input(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < bytes) {
    out += R"({"id":)" + std::to_string(rng() % 100000) + R"(,"resourcename":"Student","n":")";
    for (int i = 0; i < 20; ++i) out += static_cast<char>(rng() & 0xff);
    out += "\"}\n";
  }
  out.resize(bytes);
  return out;
}

std::string compress_in_pieces(Compression compression, int level, std::string_view input,
                               std::size_t piece) {
  auto compressor = make_compressor(compression, level);
  std::string out;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    compressor->write(input.substr(at, piece), out);
  }
  compressor->finish(out);
  return out;
}

struct Case {
  Compression compression;
  int level;
};

class CompressorRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(CompressorRoundTrip, DecompressesToTheInput) {
  const auto [compression, level] = GetParam();
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{3 * 1024 * 1024 + 17}}) {
    std::string input = sample_input(size, static_cast<unsigned>(size));
    for (std::size_t piece : {std::size_t{7}, std::size_t{65536}, std::size_t{1} << 22}) {
      if (piece < 1000 && size > 100000) continue;  // keep the test fast
      std::string compressed = compress_in_pieces(compression, level, input, piece);
      auto restored = decompress(compression, compressed);
      ASSERT_TRUE(restored) << "size " << size << " piece " << piece;
      ASSERT_EQ(*restored, input) << "size " << size << " piece " << piece;
    }
  }
}

TEST_P(CompressorRoundTrip, IsDeterministic) {
  const auto [compression, level] = GetParam();
  std::string input = sample_input(500000, 1);
  std::string a = compress_in_pieces(compression, level, input, 1000);
  std::string b = compress_in_pieces(compression, level, input, 1000);
  EXPECT_EQ(a, b);
}

INSTANTIATE_TEST_SUITE_P(All, CompressorRoundTrip,
                         ::testing::Values(Case{Compression::none, 0}, Case{Compression::gzip, 1},
                                           Case{Compression::gzip, 2}, Case{Compression::gzip, 3},
                                           Case{Compression::gzip, 6}, Case{Compression::gzip, 9},
                                           Case{Compression::zstd, 1}, Case{Compression::zstd, 3},
                                           Case{Compression::zstd, 9}),
                         [](const auto& info) {
                           return std::string(to_string(info.param.compression)) +
                                  std::to_string(info.param.level);
                         });

TEST(Compressor, GzipHeadersCarryNoTimestamp) {
  for (int level : {1, 3, 6}) {
    std::string out = compress_in_pieces(Compression::gzip, level, "hello", 5);
    ASSERT_GE(out.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x8b);
    EXPECT_EQ(out[2], 8);
    EXPECT_EQ(out[3] & 0x08, 0) << "no file name";
    EXPECT_EQ(out.substr(4, 4), std::string(4, '\0')) << "MTIME must be 0 (level " << level << ")";
  }
}

TEST(Compressor, CompressesRepetitiveData) {
  std::string input;
  for (int i = 0; i < 10000; ++i)
    input += R"({"resourcename":"Student","deleted":false})"
             "\n";
  for (auto c :
       {Case{Compression::gzip, 1}, Case{Compression::gzip, 6}, Case{Compression::zstd, 3}}) {
    EXPECT_LT(compress_in_pieces(c.compression, c.level, input, 4096).size(), input.size() / 10);
  }
}

TEST(Compressor, ConcatenatedGzipMembersDecompress) {
  std::string a = compress_in_pieces(Compression::gzip, 1, "first\n", 100);
  std::string b = compress_in_pieces(Compression::gzip, 6, "second\n", 100);
  EXPECT_EQ(decompress(Compression::gzip, a + b), "first\nsecond\n");
}

TEST(Compressor, CorruptOrTruncatedInputIsRejected) {
  std::string input = sample_input(100000, 3);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    std::string compressed = compress_in_pieces(c, default_compression_level(c), input, 4096);
    EXPECT_FALSE(decompress(c, compressed.substr(0, compressed.size() / 2))) << to_string(c);
    std::string corrupt = compressed;
    corrupt[corrupt.size() - 5] ^= 0x55;  // inside the trailer checksum
    EXPECT_FALSE(decompress(c, corrupt)) << to_string(c);
  }
}

TEST(Compressor, LevelsAndNames) {
  EXPECT_THROW(make_compressor(Compression::gzip, 0), std::invalid_argument);
  EXPECT_THROW(make_compressor(Compression::gzip, 10), std::invalid_argument);
  EXPECT_THROW(make_compressor(Compression::zstd, 20), std::invalid_argument);
  EXPECT_THROW(make_compressor(Compression::none, 1), std::invalid_argument);
  EXPECT_EQ(parse_compression("zstd"), Compression::zstd);
  EXPECT_EQ(parse_compression("lz4"), std::nullopt);
  // snappy is a page codec of Parquet (and Avro blocks): never a whole-object stream.
  EXPECT_EQ(parse_compression("snappy"), Compression::snappy);
  EXPECT_THROW(make_compressor(Compression::snappy, 0), std::invalid_argument);
  EXPECT_EQ(compression_extension(Compression::snappy), "");
  EXPECT_EQ(compression_extension(Compression::gzip), ".gz");
  EXPECT_EQ(compression_extension(Compression::zstd), ".zst");
  EXPECT_EQ(compression_extension(Compression::none), "");
  EXPECT_GT(make_compressor(Compression::gzip, 1)->state_bytes(), 0u);
  EXPECT_GT(make_compressor(Compression::zstd, 3)->state_bytes(), 0u);
}

}  // namespace
}  // namespace ks3::server

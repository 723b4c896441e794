#include "s3/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ks3::s3 {
namespace {

std::string bytes_from(int first, int step) {
  std::string out(32, '\0');
  for (int i = 0; i < 32; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>(first + i * step);
  return out;
}

// RFC 3720 (iSCSI), B.4 "CRC Examples", and the usual check value of CRC-32C.
TEST(Crc32c, MatchesTheRfc3720Examples) {
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  EXPECT_EQ(crc32c(bytes_from(0x00, 1)), 0x46DD794Eu);
  EXPECT_EQ(crc32c(bytes_from(0x1F, -1)), 0x113FDB5Cu);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, ContinuesOverPieces) {
  const std::string data =
      "The quick brown fox jumps over the lazy dog, twice: " + bytes_from(0, 3);
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    const std::string_view view(data);
    EXPECT_EQ(crc32c(view.substr(cut), crc32c(view.substr(0, cut))), crc32c(data)) << cut;
  }
}

// x-amz-checksum-crc32c carries the four bytes most significant first, base64-encoded.
TEST(Crc32c, HeaderValueIsTheBigEndianBytesInBase64) {
  EXPECT_EQ(crc32c_base64("123456789"), "4waSgw==");            // E3 06 92 83
  EXPECT_EQ(crc32c_base64(std::string(32, '\0')), "ipE2qg==");  // 8A 91 36 AA
  EXPECT_EQ(crc32c_base64(""), "AAAAAA==");
}

}  // namespace
}  // namespace ks3::s3

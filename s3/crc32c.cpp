#include "s3/crc32c.hpp"

#include <isa-l/crc.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace ks3::s3 {

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
  // ISA-L's crc32_iscsi neither inverts its seed nor its result, and takes an int length: the
  // standard register starts at ~crc and ends inverted, and a 5 GiB part goes in pieces.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  unsigned int state = ~crc;
  auto* bytes = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data()));
  for (std::size_t done = 0; done < data.size();) {
    const std::size_t n = std::min(kChunk, data.size() - done);
    state = crc32_iscsi(bytes + done, static_cast<int>(n), state);  // reads only
    done += n;
  }
  return ~state;
}

std::string crc32c_base64(std::string_view data) {
  const std::uint32_t crc = crc32c(data);
  const std::array<unsigned char, 4> big_endian{
      static_cast<unsigned char>(crc >> 24), static_cast<unsigned char>(crc >> 16),
      static_cast<unsigned char>(crc >> 8), static_cast<unsigned char>(crc)};
  std::array<unsigned char, 12> out{};  // base64 of 4 bytes = 8 chars + NUL
  const int n = EVP_EncodeBlock(out.data(), big_endian.data(), static_cast<int>(big_endian.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace ks3::s3

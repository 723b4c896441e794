// PLAIN encoding (parquet-format Encodings.md, "PLAIN = 0"): fixed-width values little-endian,
// BYTE_ARRAY as a 4-byte little-endian length then the bytes, FIXED_LEN_BYTE_ARRAY as the bytes,
// BOOLEAN bit-packed LSB first (see BitPacker in rle.hpp). Also used for statistics values
// (where byte arrays carry no length prefix) and for dictionary pages.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ks3::parquet {

static_assert(std::endian::native == std::endian::little, "the plain encoder assumes a LE host");

template <typename T>
inline void plain_append(std::string& out, T v) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

inline void plain_append_byte_array(std::string& out, std::string_view v) {
  plain_append(out, static_cast<uint32_t>(v.size()));
  out.append(v);
}

inline void plain_append_fixed(std::string& out, std::string_view v) {
  out.append(v);
}

// The bytes of one plain-encoded fixed-width value (statistics min/max).
template <typename T>
inline std::string plain_bytes(T v) {
  std::string s;
  plain_append(s, v);
  return s;
}

// Big-endian two's complement of `unscaled` in `width` bytes (DECIMAL in FIXED_LEN_BYTE_ARRAY);
// false when the value does not fit.
bool decimal_to_fixed(int64_t unscaled, int width, std::string& out);

// Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits either case) into 16 raw bytes.
bool parse_uuid(std::string_view text, char out[16]);

}  // namespace ks3::parquet

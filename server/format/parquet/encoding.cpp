#include "server/format/parquet/encoding.hpp"

namespace ks3::parquet {

bool decimal_to_fixed(int64_t unscaled, int width, std::string& out) {
  if (width <= 0) return false;
  if (width < 8) {
    const int64_t limit = int64_t{1} << (8 * width - 1);
    if (unscaled < -limit || unscaled >= limit) return false;
  }
  const char fill = unscaled < 0 ? static_cast<char>(0xFF) : '\0';
  const auto u = static_cast<uint64_t>(unscaled);
  for (int i = width - 1; i >= 0; --i) {
    out.push_back(i >= 8 ? fill : static_cast<char>((u >> (8 * i)) & 0xFF));
  }
  return true;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool parse_uuid(std::string_view text, char out[16]) {
  if (text.size() != 36) return false;
  int n = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[n++] = static_cast<char>((hi << 4) | lo);
    i += 2;
  }
  return n == 16;
}

}  // namespace ks3::parquet

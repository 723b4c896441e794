#include "server/keys/key_safe.hpp"

#include <cstdint>

namespace ks3::server {

bool is_key_safe_byte(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '=';
}

bool is_key_safe_text(std::string_view text) {
  if (text.empty() || text == "." || text == "..") return false;
  for (char c : text) {
    if (!is_key_safe_byte(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void append_encoded(std::string& out, std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (is_key_safe_byte(byte)) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
}

}  // namespace

void append_key_safe(std::string& out, std::string_view value, std::string_view missing_default,
                     std::size_t max_bytes) {
  if (value.empty()) {
    out += missing_default;
    return;
  }
  if (value == "." || value == "..") {
    out += value.size() == 1 ? "%2E" : "%2E%2E";
    return;
  }
  const std::size_t start = out.size();
  append_encoded(out, value);
  if (out.size() - start <= max_bytes) return;

  // Too long: keep a prefix that does not split a %XX triplet, then "~" + hash of the whole value.
  constexpr std::size_t kSuffix = 1 + 16;
  std::size_t keep = max_bytes > kSuffix ? max_bytes - kSuffix : 0;
  if (keep >= 1 && out[start + keep - 1] == '%') keep -= 1;
  if (keep >= 2 && out[start + keep - 2] == '%') keep -= 2;
  out.resize(start + keep);
  out += '~';
  std::uint64_t hash = fnv1a64(value);
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(hash >> shift) & 0xF];
}

}  // namespace ks3::server

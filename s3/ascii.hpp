// ASCII text helpers shared by the S3 code (header names, endpoints, profile keys): no locale.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ks3::s3 {

inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// `text` equals `lower` (already lowercase) ignoring ASCII case, without a copy.
inline bool equals_ascii_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lower[i]) return false;
  }
  return true;
}

inline bool starts_with_ascii_lowercase(std::string_view text, std::string_view lower) {
  return text.size() >= lower.size() && equals_ascii_lowercase(text.substr(0, lower.size()), lower);
}

}  // namespace ks3::s3

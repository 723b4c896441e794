// ASCII text helpers shared by the S3 code (header names, endpoints, profile keys): no locale.
#pragma once

#include <string>
#include <string_view>

namespace ks3::s3 {

inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace ks3::s3

#include "server/format/text_escape.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace ks3::server {

void append_base64(std::string& out, std::string_view bytes) {
  // OpenSSL's encoder (no line breaks, '=' padding), a chunk of whole 3-byte groups at a time:
  // its length argument is an int, and the pieces join up into the encoding of the whole.
  constexpr std::size_t kChunk = 3 << 16;
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4 + 1);  // + the NUL EVP_EncodeBlock writes
  std::size_t written = start;
  for (std::size_t i = 0; i < bytes.size(); i += kChunk) {
    const std::size_t n = std::min(kChunk, bytes.size() - i);
    written += static_cast<std::size_t>(EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data() + written),
        reinterpret_cast<const unsigned char*>(bytes.data() + i), static_cast<int>(n)));
  }
  out.resize(written);
}

void append_csv_field(std::string& out, std::string_view field, char separator) {
  bool needs_quotes =
      field.find_first_of(std::string{separator, '"', '\r', '\n'}) != std::string_view::npos;
  if (!needs_quotes) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace ks3::server

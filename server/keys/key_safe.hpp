// The rule that makes a value taken from record data safe inside an S3 object key.
//
// S3 accepts any UTF-8 in a key, but tools that consume data lakes do not: '/' would create
// directories the template never asked for, "." and ".." confuse path-based readers, and odd
// bytes break shell scripts and Hive partition parsing. So, for every value that comes from a
// record (key, JSON fields, topic):
//   1. bytes A-Z a-z 0-9 . _ - = stay as they are;
//   2. every other byte (including '/', '%', space, '+', and each byte of a multi-byte UTF-8
//      character) becomes %XX with uppercase hex, as in a URL: "Ünit 7/b" -> "%C3%9Cnit%207%2Fb";
//   3. an empty value takes the configured default (`_unknown`); "." -> "%2E", ".." -> "%2E%2E";
//   4. a result longer than the cap (128 bytes) is cut at a character boundary and ends with
//      "~" and 16 hex digits of the 64-bit FNV-1a hash of the whole value, so long values stay
//      distinct and the key stays under S3's 1024-byte limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ks3::server {

inline constexpr std::size_t kMaxKeyValueBytes = 128;

// True for the bytes kept as they are by rule 1.
bool is_key_safe_byte(unsigned char c);

// Appends the safe form of `value` to `out` (rules 1-4); `missing_default` is used for an empty
// value and must itself be safe (checked at start-up with is_key_safe_text).
void append_key_safe(std::string& out, std::string_view value, std::string_view missing_default,
                     std::size_t max_bytes = kMaxKeyValueBytes);

// True when `text` is non-empty, made only of rule-1 bytes, and not "." or "..".
bool is_key_safe_text(std::string_view text);

}  // namespace ks3::server

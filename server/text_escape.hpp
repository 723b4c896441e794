// Byte-level text helpers for the encoders: JSON string escaping, base64, CSV quoting.
#pragma once

#include <string>
#include <string_view>

namespace ks3::server {

// Appends `text` as a JSON string literal, quotes included (RFC 8259 section 7): '"', '\\' and
// control characters are escaped. Invalid UTF-8 (bad sequences, overlong forms, surrogates,
// code points past U+10FFFF) is replaced by U+FFFD per byte, the Unicode "maximal subpart"
// practice, so the output is always valid JSON; use base64 for binary data that must survive.
void append_json_string(std::string& out, std::string_view text);

// Standard base64 (RFC 4648 section 4) with '=' padding.
void append_base64(std::string& out, std::string_view bytes);

// Appends one CSV field per RFC 4180 section 2: a field containing the separator, a quote, CR or
// LF is enclosed in double quotes, and each quote inside is doubled.
void append_csv_field(std::string& out, std::string_view field, char separator = ',');

}  // namespace ks3::server

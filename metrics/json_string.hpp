// JSON string literals that are always valid JSON, shared by the log writer and the record
// encoders (server/record_encoder), so a record key or topic in a JSON log line cannot break it.
#pragma once

#include <string>
#include <string_view>

namespace ks3::json {

// Appends `text` as a JSON string literal, quotes included (RFC 8259 section 7): '"', '\\' and
// control characters are escaped. Invalid UTF-8 (bad sequences, overlong forms, surrogates,
// code points past U+10FFFF) is replaced by U+FFFD per byte, the Unicode "maximal subpart"
// practice, so the output is always valid JSON; use base64 for binary data that must survive.
void append_json_string(std::string& out, std::string_view text);

// Appends `text` unquoted and unescaped, invalid UTF-8 replaced by U+FFFD the same way (for
// string columns of columnar formats, which must hold valid UTF-8).
void append_valid_utf8(std::string& out, std::string_view text);

}  // namespace ks3::json

// Byte-level text helpers for the encoders: JSON string escaping, base64, CSV quoting.
#pragma once

#include <string>
#include <string_view>

#include "metrics/json_string.hpp"

namespace ks3::server {

// JSON string literals (always valid JSON): see metrics/json_string.hpp.
using json::append_json_string;

// Standard base64 (RFC 4648 section 4) with '=' padding.
void append_base64(std::string& out, std::string_view bytes);

// Appends one CSV field per RFC 4180 section 2: a field containing the separator, a quote, CR or
// LF is enclosed in double quotes, and each quote inside is doubled.
void append_csv_field(std::string& out, std::string_view field, char separator = ',');

}  // namespace ks3::server

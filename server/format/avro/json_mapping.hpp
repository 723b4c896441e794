// Avro value -> JSON text: the mapping used for JSON-lines output from Avro input.
//
//   null, boolean, int, long   -> null, true/false, a number
//   float, double              -> a number (shortest text that reads back to the same value);
//                                 NaN and the infinities, which JSON lacks, -> the strings "NaN",
//                                 "Infinity", "-Infinity"
//   string                     -> a string (invalid UTF-8 replaced by U+FFFD, see
//   metrics/json_string) bytes, fixed               -> a base64 string (RFC 4648, padded) enum ->
//   its symbol as a string array                      -> an array; map -> an object; record -> an
//   object, fields in
//                                 schema order
//   union                      -> the plain value of the branch taken (not Avro's JSON encoding
//                                 {"type": value}): a nullable field is its value or null
//   decimal (bytes or fixed)   -> a string of the exact decimal number, e.g. "-12.30" for
//                                 unscaled -1230 with scale 2 (a string: a JSON number would lose
//                                 digits in most readers)
//   uuid                       -> its string
//   With TimeFormat::iso8601 (the default):
//     date                     -> "2024-02-29"
//     time-millis/-micros      -> "13:45:01.123" / "13:45:01.123456"
//     timestamp-millis/-micros -> "2024-02-29T13:45:01.123Z" / "...01.123456Z" (UTC)
//     local-timestamp-*        -> the same without the "Z" (no time zone)
//   With TimeFormat::number the underlying number (days, ms or us) is written instead.
//   duration (fixed 12)        -> {"months":m,"days":d,"millis":ms}
#pragma once

#include <string>

#include "server/format/avro/value.hpp"

namespace ks3::avro {

enum class TimeFormat { iso8601, number };

struct JsonOptions {
  TimeFormat time = TimeFormat::iso8601;
};

void append_json(std::string& out, const Value& value, const JsonOptions& options = {});
std::string to_json(const Value& value, const JsonOptions& options = {});

// Helpers, exposed for tests and for columnar writers that want the same text.
// The decimal text of a big-endian two's-complement unscaled integer with `scale`.
std::string decimal_to_string(std::string_view unscaled, int scale);
// "YYYY-MM-DD" for days since 1970-01-01.
std::string date_to_string(std::int64_t days);
// ISO-8601 for a count of `units_per_second` (1000 or 1000000) since the epoch; "Z" if utc.
std::string timestamp_to_string(std::int64_t count, std::int64_t units_per_second, bool utc);

}  // namespace ks3::avro

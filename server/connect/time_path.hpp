// Confluent's TimeBasedPartitioner `path.format` (a Joda-Time DateTimeFormat pattern such as
// 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH) as key template text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks3::server::connect {

struct TimePath {
  std::string key_template;  // e.g. year={{timestamp:YYYY}}/month={{timestamp:MM}}/...
  // The finest field's length in milliseconds (second, minute, hour, day; a month or year
  // field counts as a day): partition.duration.ms must divide it for the same paths.
  std::int64_t finest_unit_ms = 0;
};

// The template for a pattern of numeric fields (yyyy/YYYY, MM, dd, HH, mm, ss), quoted
// literals ('year', '' for a quote) and other literal characters; nullopt for anything
// else (text fields such as MMM or EEE, unpadded or two-digit years, 12-hour clocks).
std::optional<TimePath> joda_path_to_template(std::string_view pattern);

}  // namespace ks3::server::connect

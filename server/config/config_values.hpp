// Parsing of configuration values given as text (YAML scalars, environment variables, --set):
// sizes, durations, booleans, integers, lists. Pure; every failure says what a good value is.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::server {

// "8388608", "8MiB", "8 MiB", "512KiB", "1GiB" (powers of 1024), "5MB", "1GB", "10KB" (powers
// of 1000), "100B". Case-insensitive units.
std::optional<std::uint64_t> parse_size(std::string_view text);
// "8MiB" when exact, else the number of bytes.
std::string format_size(std::uint64_t bytes);

// "1500" (milliseconds, as in Kafka Connect's *.ms settings), "1500ms", "30s", "5m", "2h", "1d";
// "0" is zero (off).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "30s", "5m", "1500ms": the largest unit that is exact.
std::string format_duration(std::chrono::milliseconds duration);

// true/false, yes/no, on/off, 1/0 (case-insensitive).
std::optional<bool> parse_bool(std::string_view text);

// A non-negative decimal integer that fits in 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// "a, b,,c" -> {"a", "b", "c"}: comma-separated, trimmed, empty items dropped.
std::vector<std::string> split_list(std::string_view text);

// Interprets the escapes \n \r \t \0 \\ in a delimiter given on a command line or in an
// environment variable (YAML double-quoted strings are already unescaped by YAML itself).
std::string unescape_delimiter(std::string_view text);

std::string_view trim(std::string_view text);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace ks3::server

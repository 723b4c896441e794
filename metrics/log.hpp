// Structured logging shared by every area: plain text (default) or JSON lines.
//
//   ks3::log::info("object completed", {{"key", key}, {"records", n}});
//
// Fields are key/value pairs; values are strings or integers. Never pass a secret: there is
// no redaction here, the caller decides what is safe to print.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace ks3::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { text, json };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(std::string(v ? "true" : "false")) {}

  std::string_view key;
  std::variant<std::string, std::int64_t, double> value;
};

using Fields = std::initializer_list<Field>;

// Process-wide settings; call once at start-up (not thread-safe against concurrent logging).
void configure(Level min_level, Format format);
bool parse_level(std::string_view text, Level& out);
bool parse_format(std::string_view text, Format& out);
bool enabled(Level level);

// Formats one line (no trailing newline). Pure; exposed for tests.
std::string format_line(Format format, Level level, std::string_view timestamp,
                        std::string_view message, Fields fields);

void write(Level level, std::string_view message, Fields fields = {});
inline void debug(std::string_view m, Fields f = {}) {
  if (enabled(Level::debug)) write(Level::debug, m, f);
}
inline void info(std::string_view m, Fields f = {}) {
  if (enabled(Level::info)) write(Level::info, m, f);
}
inline void warn(std::string_view m, Fields f = {}) {
  if (enabled(Level::warn)) write(Level::warn, m, f);
}
inline void error(std::string_view m, Fields f = {}) {
  if (enabled(Level::error)) write(Level::error, m, f);
}

}  // namespace ks3::log

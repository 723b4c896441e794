#include "metrics/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "metrics/json_string.hpp"

namespace ks3::log {
namespace {

using json::append_json_string;

std::atomic<int> g_min_level{static_cast<int>(Level::info)};
Format g_format = Format::text;
std::mutex g_write_mutex;

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

// Plain text quotes a value only when it would be ambiguous (spaces, quotes, '=' or empty).
void append_text_value(std::string& out, std::string_view s) {
  bool needs_quotes = s.empty() || s.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (needs_quotes) {
    append_json_string(out, s);
  } else {
    out += s;
  }
}

std::string value_text(const Field& f) {
  if (auto* s = std::get_if<std::string>(&f.value)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::get<double>(f.value));
  return buf;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ms));
  return buf;
}

}  // namespace

void configure(Level min_level, Format format) {
  g_min_level.store(static_cast<int>(min_level));
  g_format = format;
}

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

bool parse_format(std::string_view text, Format& out) {
  if (text == "text") {
    out = Format::text;
    return true;
  }
  if (text == "json") {
    out = Format::json;
    return true;
  }
  return false;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

std::string format_line(Format format, Level level, std::string_view timestamp,
                        std::string_view message, Fields fields) {
  std::string out;
  out.reserve(128);
  if (format == Format::json) {
    out += "{\"ts\":";
    append_json_string(out, timestamp);
    out += ",\"level\":";
    append_json_string(out, level_name(level));
    out += ",\"msg\":";
    append_json_string(out, message);
    for (const auto& f : fields) {
      out += ',';
      append_json_string(out, f.key);
      out += ':';
      if (std::holds_alternative<std::string>(f.value)) {
        append_json_string(out, std::get<std::string>(f.value));
      } else {
        out += value_text(f);
      }
    }
    out += '}';
    return out;
  }
  out += timestamp;
  out += ' ';
  out += level_name(level);
  out += ' ';
  out += message;
  for (const auto& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    append_text_value(out, value_text(f));
  }
  return out;
}

void write(Level level, std::string_view message, Fields fields) {
  std::string line = format_line(g_format, level, now_rfc3339(), message, fields);
  line += '\n';
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ks3::log

#include "server/format/avro/json_mapping.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "metrics/json_string.hpp"
#include "server/format/avro/base64.hpp"

namespace ks3::avro {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> proleptic Gregorian y/m/d.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void append_year(std::string& out, std::int64_t y) {
  char buf[32];
  if (y >= 0 && y <= 9999) {
    std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
  } else {
    std::snprintf(buf, sizeof buf, "%+06lld", static_cast<long long>(y));  // ISO 8601 expanded
  }
  out += buf;
}

void append_date(std::string& out, std::int64_t days) {
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  append_year(out, y);
  char buf[16];
  std::snprintf(buf, sizeof buf, "-%02u-%02u", m, d);
  out += buf;
}

// "HH:MM:SS.fff" for `count` units (per second) into a day.
void append_time_of_day(std::string& out, std::int64_t count, std::int64_t units) {
  std::int64_t secs = count / units;
  std::int64_t frac = count % units;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%0*lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                units == 1000 ? 3 : 6, static_cast<long long>(frac));
  out += buf;
}

void append_number(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

template <class F>
void append_real(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

void append_quoted(std::string& out, const std::string& s) {
  out += '"';
  out += s;
  out += '"';
}

void append_logical(std::string& out, const Value& v, const Node& n, const JsonOptions& options) {
  switch (n.logical) {
    case Logical::date:
      out += '"';
      append_date(out, v.integer);
      out += '"';
      return;
    case Logical::time_millis:
    case Logical::time_micros: {
      std::int64_t units = n.logical == Logical::time_millis ? 1000 : 1000000;
      if (v.integer < 0 || v.integer >= 86400 * units) return append_number(out, v.integer);
      out += '"';
      append_time_of_day(out, v.integer, units);
      out += '"';
      return;
    }
    case Logical::timestamp_millis:
    case Logical::local_timestamp_millis:
      return append_quoted(
          out, timestamp_to_string(v.integer, 1000, n.logical == Logical::timestamp_millis));
    case Logical::timestamp_micros:
    case Logical::local_timestamp_micros:
      return append_quoted(
          out, timestamp_to_string(v.integer, 1000000, n.logical == Logical::timestamp_micros));
    default:
      (void)options;
      return append_number(out, v.integer);
  }
}

}  // namespace

std::string date_to_string(std::int64_t days) {
  std::string out;
  append_date(out, days);
  return out;
}

std::string timestamp_to_string(std::int64_t count, std::int64_t units, bool utc) {
  std::int64_t secs = floor_div(count, units);
  std::int64_t frac = count - secs * units;
  std::int64_t days = floor_div(secs, 86400);
  std::int64_t sod = secs - days * 86400;
  std::string out;
  append_date(out, days);
  out += 'T';
  append_time_of_day(out, sod * units + frac, units);
  if (utc) out += 'Z';
  return out;
}

std::string decimal_to_string(std::string_view unscaled, int scale) {
  std::vector<unsigned char> mag(unscaled.begin(), unscaled.end());
  bool negative = !mag.empty() && (mag[0] & 0x80);
  if (negative) {  // two's complement negation: invert, add one
    for (auto& b : mag) b = static_cast<unsigned char>(~b);
    for (std::size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::string digits;
  std::size_t start = 0;
  while (start < mag.size()) {
    if (mag[start] == 0) {
      ++start;
      continue;
    }
    unsigned rem = 0;
    for (std::size_t i = start; i < mag.size(); ++i) {
      unsigned cur = (rem << 8) | mag[i];
      mag[i] = static_cast<unsigned char>(cur / 10);
      rem = cur % 10;
    }
    digits += static_cast<char>('0' + rem);
  }
  if (digits.empty()) digits = "0";
  std::string out = negative ? "-" : "";
  auto s = static_cast<std::size_t>(scale > 0 ? scale : 0);
  while (digits.size() <= s) digits += '0';  // leading zeros (digits are reversed)
  for (std::size_t i = digits.size(); i-- > 0;) {
    out += digits[i];
    if (i == s && s > 0) out += '.';
  }
  return out;
}

void append_json(std::string& out, const Value& v, const JsonOptions& options) {
  const Node& n = *v.node;
  switch (n.type) {
    case Type::null_type:
      out += "null";
      return;
    case Type::boolean:
      out += v.boolean ? "true" : "false";
      return;
    case Type::int_type:
    case Type::long_type:
      if (n.logical == Logical::none || options.time == TimeFormat::number) {
        return append_number(out, v.integer);
      }
      return append_logical(out, v, n, options);
    case Type::float_type:
      return append_real(out, static_cast<float>(v.real));
    case Type::double_type:
      return append_real(out, v.real);
    case Type::string:
      return ks3::json::append_json_string(out, v.bytes);
    case Type::bytes:
    case Type::fixed:
      if (n.logical == Logical::decimal)
        return append_quoted(out, decimal_to_string(v.bytes, n.scale));
      if (n.logical == Logical::duration && v.bytes.size() == 12) {
        std::uint32_t parts[3];
        for (int i = 0; i < 3; ++i) {
          parts[i] = 0;
          for (int b = 3; b >= 0; --b) {
            parts[i] = (parts[i] << 8) |
                       static_cast<unsigned char>(v.bytes[static_cast<std::size_t>(i * 4 + b)]);
          }
        }
        out += "{\"months\":" + std::to_string(parts[0]) + ",\"days\":" + std::to_string(parts[1]) +
               ",\"millis\":" + std::to_string(parts[2]) + "}";
        return;
      }
      out += '"';
      append_base64(out, v.bytes);
      out += '"';
      return;
    case Type::enumeration:
      return ks3::json::append_json_string(out, v.symbol());
    case Type::array:
      out += '[';
      for (std::size_t i = 0; i < v.children.size(); ++i) {
        if (i) out += ',';
        append_json(out, v.children[i], options);
      }
      out += ']';
      return;
    case Type::map:
      out += '{';
      for (std::size_t i = 0; i < v.children.size(); ++i) {
        if (i) out += ',';
        ks3::json::append_json_string(out, v.keys[i]);
        out += ':';
        append_json(out, v.children[i], options);
      }
      out += '}';
      return;
    case Type::record:
      out += '{';
      for (std::size_t i = 0; i < n.fields.size() && i < v.children.size(); ++i) {
        if (i) out += ',';
        ks3::json::append_json_string(out, n.fields[i].name);
        out += ':';
        append_json(out, v.children[i], options);
      }
      out += '}';
      return;
    case Type::union_type:
      out += "null";
      return;  // never: values hold the branch taken
  }
}

std::string to_json(const Value& value, const JsonOptions& options) {
  std::string out;
  append_json(out, value, options);
  return out;
}

}  // namespace ks3::avro

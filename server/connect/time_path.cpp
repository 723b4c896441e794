#include "server/connect/time_path.hpp"

#include <algorithm>

namespace ks3::server::connect {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Literal text as the key template takes it: no braces (they could form "{{" next to a
// variable) and no control bytes.
bool append_literal(std::string& out, char c) {
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '{' || c == '}') return false;
  out += c;
  return true;
}

}  // namespace

std::optional<TimePath> joda_path_to_template(std::string_view pattern) {
  struct Field {
    char letter;
    std::size_t count;
    std::string_view ours;
    std::int64_t unit_ms;
  };
  static constexpr Field kFields[] = {
      {'Y', 4, "YYYY", kDay},  {'y', 4, "YYYY", kDay}, {'M', 2, "MM", kDay},
      {'d', 2, "DD", kDay},    {'H', 2, "HH", kHour},  {'m', 2, "mm", kMinute},
      {'s', 2, "ss", kSecond},
  };
  TimePath result;
  std::int64_t finest = 0;
  std::size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {  // '' is one quote
        if (!append_literal(result.key_template, '\'')) return std::nullopt;
        i += 2;
        continue;
      }
      std::size_t close = i + 1;
      std::string literal;
      while (true) {
        if (close >= pattern.size()) return std::nullopt;  // unterminated quote
        if (pattern[close] == '\'') {
          if (close + 1 < pattern.size() && pattern[close + 1] == '\'') {
            literal += '\'';
            close += 2;
            continue;
          }
          break;
        }
        literal += pattern[close++];
      }
      for (char l : literal) {
        if (!append_literal(result.key_template, l)) return std::nullopt;
      }
      i = close + 1;
      continue;
    }
    if (is_letter(c)) {
      std::size_t run = 1;
      while (i + run < pattern.size() && pattern[i + run] == c) ++run;
      const Field* field = nullptr;
      for (const Field& f : kFields) {
        if (f.letter == c && f.count == run) field = &f;
      }
      if (!field) return std::nullopt;
      result.key_template += "{{timestamp:" + std::string(field->ours) + "}}";
      finest = finest == 0 ? field->unit_ms : std::min(finest, field->unit_ms);
      i += run;
      continue;
    }
    if (!append_literal(result.key_template, c)) return std::nullopt;
    ++i;
  }
  if (finest == 0) return std::nullopt;  // no date field at all
  result.finest_unit_ms = finest;
  return result;
}

}  // namespace ks3::server::connect

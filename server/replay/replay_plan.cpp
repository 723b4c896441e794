#include "server/replay/replay_plan.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace ks3::server::replay {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Characters a rendered data value can contain (server/keys/key_safe.hpp): A-Z a-z 0-9 . _ - =,
// %XX escapes, and the '~' before the hash of a cut value.
bool key_safe_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '=' || c == '%' || c == '~';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "%2E" -> "."; a '%' not followed by two hex digits stays as it is.
std::string decode_key_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<std::int64_t> parse_number(std::string_view digits) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

KeyPattern KeyPattern::parse(std::string_view key_template, std::string key_prefix) {
  KeyPattern pattern;
  pattern.prefix_ = std::move(key_prefix);
  bool has_partition = false;
  bool has_start_offset = false;
  std::string_view rest = key_template;
  while (!rest.empty()) {
    const std::size_t open = rest.find("{{");
    if (open != 0) {
      const std::string_view literal = rest.substr(0, open);
      if (!pattern.pieces_.empty() && pattern.pieces_.back().kind == Kind::literal) {
        pattern.pieces_.back().text += literal;
      } else {
        pattern.pieces_.push_back({Kind::literal, std::string(literal)});
      }
      if (open == std::string_view::npos) break;
      rest.remove_prefix(open);
    }
    const std::size_t close = rest.find("}}");
    if (close == std::string_view::npos) {
      throw ReplayError("key template '" + std::string(key_template) + "': '{{' without '}}'");
    }
    const std::string_view body = trim(rest.substr(2, close - 2));
    const std::string_view name = body.substr(0, body.find(':'));
    Piece piece;
    if (name == "topic") {
      piece.kind = Kind::topic;
    } else if (name == "partition") {
      piece.kind = Kind::partition;
      has_partition = true;
    } else if (name == "start_offset") {
      piece.kind = Kind::start_offset;
      has_start_offset = true;
      const std::string_view argument =
          name.size() < body.size() ? trim(body.substr(name.size() + 1)) : std::string_view{};
      if (!argument.empty() && argument != "padding=true") {
        const auto width = parse_number(argument);
        if (!width || *width < 1 || *width > 20) {
          throw ReplayError("key template '" + std::string(key_template) +
                            "': {{start_offset:N}} takes a width from 1 to 20");
        }
        piece.width = static_cast<std::size_t>(*width);
      }
    } else if (name == "key" || name.starts_with("value.")) {
      piece.kind = Kind::text;
    } else if (name == "timestamp") {
      piece.kind = Kind::any_text;
    } else {
      throw ReplayError("key template '" + std::string(key_template) + "': unknown variable {{" +
                        std::string(body) + "}}");
    }
    pattern.pieces_.push_back(std::move(piece));
    rest.remove_prefix(close + 2);
  }
  if (!has_partition || !has_start_offset) {
    throw ReplayError("key template '" + std::string(key_template) +
                      "' has no {{partition}} or no {{start_offset}}: give the sink's key_template "
                      "(every template of this sink contains both)");
  }
  return pattern;
}

bool KeyPattern::has_topic() const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [](const Piece& piece) { return piece.kind == Kind::topic; });
}

bool KeyPattern::match_from(std::size_t index, std::string_view rest, Captures& captures) const {
  if (index == pieces_.size()) return rest.empty();
  const Piece& piece = pieces_[index];
  if (piece.kind == Kind::literal) {
    if (!rest.starts_with(piece.text)) return false;
    return match_from(index + 1, rest.substr(piece.text.size()), captures);
  }
  // The longest run this variable may take; then every length from 1 up (backtracking).
  std::size_t limit = 0;
  switch (piece.kind) {
    case Kind::partition:
      while (limit < rest.size() && limit < 10 && is_digit(rest[limit])) ++limit;
      break;
    case Kind::start_offset:
      // Zero-padded to the width (20 by default); a longer number keeps every digit.
      while (limit < rest.size() && limit < 20 && is_digit(rest[limit])) ++limit;
      if (limit < piece.width) return false;
      break;
    case Kind::topic:
    case Kind::text:
      while (limit < rest.size() && key_safe_char(rest[limit])) ++limit;
      break;
    case Kind::any_text:
      limit = rest.size();
      break;
    case Kind::literal:
      break;
  }
  const std::size_t first = piece.kind == Kind::start_offset ? piece.width : 1;
  for (std::size_t length = first; length <= limit; ++length) {
    const std::string_view text = rest.substr(0, length);
    // Past the width, digits are the number's own: no leading zero.
    if (piece.kind == Kind::start_offset && length > piece.width && text.front() == '0') continue;
    Captures attempt = captures;
    if (piece.kind == Kind::topic) {
      std::string topic = decode_key_safe(text);
      if (attempt.topic && *attempt.topic != topic) continue;  // {{topic}} twice: equal
      attempt.topic = std::move(topic);
    } else if (piece.kind == Kind::partition || piece.kind == Kind::start_offset) {
      const auto number = parse_number(text);
      if (!number) continue;
      auto& slot = piece.kind == Kind::partition ? attempt.partition : attempt.start_offset;
      if (slot && *slot != *number) continue;
      slot = *number;
    }
    if (match_from(index + 1, rest.substr(length), attempt)) {
      captures = std::move(attempt);
      return true;
    }
  }
  return false;
}

std::optional<ObjectRef> KeyPattern::match(std::string_view key, std::uint64_t size) const {
  if (!key.starts_with(prefix_)) return std::nullopt;
  std::string_view rest = key.substr(prefix_.size());
  ObjectRef object;
  if (rest.ends_with(".jsonl.gz")) {
    object.compression = Compression::gzip;
    rest.remove_suffix(9);
  } else if (rest.ends_with(".jsonl.zst")) {
    object.compression = Compression::zstd;
    rest.remove_suffix(10);
  } else if (rest.ends_with(".jsonl")) {
    rest.remove_suffix(6);
  } else {
    return std::nullopt;
  }
  Captures captures;
  if (!match_from(0, rest, captures)) return std::nullopt;
  if (!captures.partition || !captures.start_offset ||
      *captures.partition > std::numeric_limits<std::int32_t>::max()) {
    return std::nullopt;
  }
  object.key = std::string(key);
  object.size = size;
  object.topic = captures.topic.value_or("");
  object.partition = static_cast<std::int32_t>(*captures.partition);
  object.start_offset = *captures.start_offset;
  return object;
}

ReplayPlan make_plan(const std::vector<ListedObject>& listing, const KeyPattern& pattern,
                     std::string_view source_topic) {
  ReplayPlan plan;
  std::map<std::pair<std::string, std::int32_t>, std::vector<ObjectRef>> by_partition;
  std::set<std::string> topics;
  for (const ListedObject& listed : listing) {
    auto object = pattern.match(listed.key, listed.size);
    if (!object ||
        (!source_topic.empty() && pattern.has_topic() && object->topic != source_topic)) {
      plan.skipped.push_back(listed.key);
      continue;
    }
    topics.insert(object->topic);
    auto& objects = by_partition[{object->topic, object->partition}];
    objects.push_back(std::move(*object));
  }
  plan.topics.assign(topics.begin(), topics.end());
  if (plan.topics.size() > 1) {
    std::string names;
    for (const auto& topic : plan.topics) names += (names.empty() ? "" : ", ") + topic;
    throw ReplayError("the objects under the prefix come from several topics (" + names +
                      "): choose one with the source topic option");
  }
  for (auto& [where, objects] : by_partition) {
    std::sort(objects.begin(), objects.end(), [](const ObjectRef& a, const ObjectRef& b) {
      return std::tie(a.start_offset, a.key) < std::tie(b.start_offset, b.key);
    });
    for (const ObjectRef& object : objects) plan.total_bytes += object.size;
    plan.object_count += objects.size();
    plan.max_partition = std::max(plan.max_partition, where.second);
    plan.partitions.push_back({where.first, where.second, std::move(objects)});
  }
  return plan;
}

}  // namespace ks3::server::replay

#include "server/keys/key_template.hpp"

#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <cstdio>

#include "server/keys/key_safe.hpp"

namespace ks3::server {
namespace {

// Stands for the start offset inside a rendered group, followed by one byte holding the padding
// width (1..20, also a control byte); rendered values never contain control bytes (key_safe.hpp
// encodes them) and parse() rejects them in literal text.
constexpr char kStartOffsetMarker = '\x1f';
constexpr int kDefaultOffsetWidth = 20;  // every int64 offset fits; keys list in offset order
constexpr int kMaxOffsetWidth = 20;

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

void append_padded(std::string& out, std::int64_t number, int width) {
  char buffer[32];
  int length =
      std::snprintf(buffer, sizeof buffer, "%0*lld", width, static_cast<long long>(number));
  out.append(buffer, static_cast<std::size_t>(length));
}

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

}  // namespace

std::vector<KeyTemplate::TimePiece> KeyTemplate::parse_time_format(std::string_view format) {
  struct Token {
    std::string_view text;
    TimeField field;
  };
  static constexpr Token kTokens[] = {
      {"YYYY", TimeField::year}, {"yyyy", TimeField::year}, {"MM", TimeField::month},
      {"DD", TimeField::day},    {"dd", TimeField::day},    {"HH", TimeField::hour},
      {"mm", TimeField::minute}, {"ss", TimeField::second},
  };
  if (format.starts_with("unit=")) format.remove_prefix(5);  // Aiven: {{timestamp:unit=yyyy}}
  if (format.empty()) {
    throw KeyTemplateError(
        "{{timestamp:...}} needs a format, e.g. {{timestamp:YYYY-MM-DD}} or {{timestamp:HH}}");
  }
  std::vector<TimePiece> pieces;
  bool has_field = false;
  while (!format.empty()) {
    bool matched = false;
    for (const Token& token : kTokens) {
      if (format.starts_with(token.text)) {
        pieces.push_back(TimePiece{false, {}, token.field});
        format.remove_prefix(token.text.size());
        matched = has_field = true;
        break;
      }
    }
    if (matched) continue;
    if (pieces.empty() || !pieces.back().literal) pieces.push_back(TimePiece{});
    pieces.back().text += format.front();
    format.remove_prefix(1);
  }
  if (!has_field) {
    throw KeyTemplateError(
        "{{timestamp:...}} format has no date field; use YYYY, MM, DD, HH, mm or ss");
  }
  return pieces;
}

KeyTemplate::Piece KeyTemplate::parse_variable(std::string_view body,
                                               std::vector<JsonPath>& value_paths,
                                               std::vector<JsonPath>& key_paths) {
  body = trim(body);
  std::string_view name = body.substr(0, body.find(':'));
  std::string_view argument =
      name.size() < body.size() ? trim(body.substr(name.size() + 1)) : std::string_view{};
  bool has_argument = name.size() < body.size();
  Piece piece;
  if (name == "topic" && !has_argument) {
    piece.kind = Kind::topic;
  } else if (name == "partition") {
    piece.kind = Kind::partition;
    if (argument == "padding=true") {
      piece.width = 10;  // Aiven pads partitions to the width of the largest int32
    } else if (has_argument) {
      int width = 0;
      auto [end, error] =
          std::from_chars(argument.data(), argument.data() + argument.size(), width);
      if (error != std::errc() || end != argument.data() + argument.size() || width < 1 ||
          width > 10) {
        throw KeyTemplateError(
            "{{partition:" + std::string(argument) +
            "}}: the padding must be a width from 1 to 10, e.g. {{partition:5}}");
      }
      piece.width = width;
    }
  } else if (name == "start_offset") {
    // {{start_offset}} and Aiven's {{start_offset:padding=true}} pad to 20 digits;
    // {{start_offset:10}} to 10, as Kafka Connect's filename.offset.zero.pad.width (an offset
    // with more digits keeps them all).
    piece.kind = Kind::start_offset;
    piece.width = kDefaultOffsetWidth;
    if (has_argument && argument != "padding=true") {
      int width = 0;
      auto [end, error] =
          std::from_chars(argument.data(), argument.data() + argument.size(), width);
      if (error != std::errc() || end != argument.data() + argument.size() || width < 1 ||
          width > kMaxOffsetWidth) {
        throw KeyTemplateError(
            "{{start_offset:" + std::string(argument) +
            "}}: the padding must be a width from 1 to 20, e.g. {{start_offset:10}} (Kafka "
            "Connect's 10 digits; {{start_offset}} pads to 20, {{start_offset:1}} does not pad)");
      }
      piece.width = width;
    }
  } else if (name == "key" && !has_argument) {
    piece.kind = Kind::key;
  } else if (name.starts_with("value.") && !has_argument) {
    auto path = JsonPath::parse(name.substr(6));
    if (!path) {
      throw KeyTemplateError("{{" + std::string(name) +
                             "}}: a JSON path is dot-separated field names, e.g. "
                             "{{value.source.table}}");
    }
    piece.kind = Kind::value_field;
    piece.value_index = value_paths.size();
    value_paths.push_back(std::move(*path));
  } else if (name.starts_with("key.") && !has_argument) {
    auto path = JsonPath::parse(name.substr(4));
    if (!path) {
      throw KeyTemplateError("{{" + std::string(name) +
                             "}}: a JSON path is dot-separated field names, e.g. {{key.id}}");
    }
    piece.kind = Kind::key_field;
    piece.value_index = key_paths.size();
    key_paths.push_back(std::move(*path));
  } else if (name == "timestamp" && has_argument) {
    piece.kind = Kind::timestamp;
    piece.time_format = parse_time_format(argument);
  } else {
    throw KeyTemplateError("unknown template variable {{" + std::string(body) +
                           "}}; use {{topic}}, {{partition}}, {{partition:N}}, {{start_offset}}, "
                           "{{start_offset:N}}, {{key}}, "
                           "{{value.<field.path>}}, {{key.<field.path>}} or "
                           "{{timestamp:<format>}}");
  }
  return piece;
}

KeyTemplate KeyTemplate::parse(std::string_view text, KeyTemplateOptions options) {
  KeyTemplate result;
  result.text_ = std::string(text);
  if (!is_key_safe_text(options.missing_default)) {
    throw KeyTemplateError("the default for missing values ('" + options.missing_default +
                           "') must be non-empty and use only A-Z a-z 0-9 . _ - =");
  }
  result.options_ = std::move(options);
  if (text.empty()) throw KeyTemplateError("the key template is empty");
  // Anywhere, variables included: a timestamp format's text is copied into keys as it is.
  for (char c : text) {
    if (is_control(c)) throw KeyTemplateError("the key template contains a control character");
  }
  // S3 object keys are UTF-8 ("any UTF-8 character", S3 object key naming): a template whose own
  // text is not would make every key invalid, and it could not round-trip through YAML.
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    throw KeyTemplateError("the key template is not valid UTF-8");
  }
  bool has_partition = false, has_start_offset = false;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t open = rest.find("{{");
    std::string_view literal = rest.substr(0, open);
    if (literal.find("}}") != std::string_view::npos) {
      throw KeyTemplateError("'}}' without a matching '{{' in the key template '" +
                             std::string(text) + "'");
    }
    if (!literal.empty()) {
      Piece piece;
      piece.text = std::string(literal);
      result.pieces_.push_back(std::move(piece));
    }
    if (open == std::string_view::npos) break;
    std::size_t close = rest.find("}}", open + 2);
    if (close == std::string_view::npos) {
      throw KeyTemplateError("'{{' without a closing '}}' in the key template '" +
                             std::string(text) + "'");
    }
    Piece piece = parse_variable(rest.substr(open + 2, close - open - 2), result.value_paths_,
                                 result.key_paths_);
    has_partition |= piece.kind == Kind::partition;
    has_start_offset |= piece.kind == Kind::start_offset;
    result.pieces_.push_back(std::move(piece));
    rest.remove_prefix(close + 2);
  }
  if (result.options_.require_offset && (!has_partition || !has_start_offset)) {
    throw KeyTemplateError(
        "the key template '" + std::string(text) + "' must contain {{partition}} and " +
        "{{start_offset}}: object keys must be unique per partition and start offset for the "
        "exactly-once guarantee (replays overwrite the same keys), e.g. " +
        std::string(kDefaultKeyTemplate));
  }
  if (text.starts_with('/') || result.options_.prefix.starts_with('/')) {
    throw KeyTemplateError("object keys must not start with '/'; remove the leading '/'");
  }
  return result;
}

void KeyTemplate::append_timestamp(std::string& out, const Piece& piece,
                                   std::int64_t timestamp_ms) const {
  if (timestamp_ms < 0) {  // Kafka uses -1 for "no timestamp"
    out += options_.missing_default;
    return;
  }
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(timestamp_ms)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(time - day)};
  for (const TimePiece& part : piece.time_format) {
    if (part.literal) {
      out += part.text;
      continue;
    }
    switch (part.field) {
      case TimeField::year:
        append_padded(out, static_cast<int>(date.year()), 4);
        break;
      case TimeField::month:
        append_padded(out, static_cast<unsigned>(date.month()), 2);
        break;
      case TimeField::day:
        append_padded(out, static_cast<unsigned>(date.day()), 2);
        break;
      case TimeField::hour:
        append_padded(out, clock.hours().count(), 2);
        break;
      case TimeField::minute:
        append_padded(out, clock.minutes().count(), 2);
        break;
      case TimeField::second:
        append_padded(out, clock.seconds().count(), 2);
        break;
    }
  }
}

std::string KeyTemplate::render_group(const RecordView& record, JsonReader& json) const {
  std::string out = options_.prefix;
  // Key fields first, so the reader then holds the value for the {{value....}} pieces.
  std::vector<std::optional<std::string>> key_fields;
  if (!key_paths_.empty()) {
    json.load(record.key.value_or(std::string_view{}));
    for (const JsonPath& path : key_paths_) {
      key_fields.push_back(record.key ? json.extract(path) : std::nullopt);
    }
  }
  if (reads_value()) json.load(record.value.value_or(std::string_view{}));
  for (const Piece& piece : pieces_) {
    switch (piece.kind) {
      case Kind::literal:
        out += piece.text;
        break;
      case Kind::topic:
        append_key_safe(out, record.topic, options_.missing_default);
        break;
      case Kind::partition:
        append_padded(out, record.partition, piece.width);
        break;
      case Kind::start_offset:
        out += kStartOffsetMarker;
        out += static_cast<char>(piece.width);
        break;
      case Kind::key:
        append_key_safe(out, record.key.value_or(std::string_view{}), options_.missing_default);
        break;
      case Kind::value_field: {
        auto text = record.value ? json.extract(value_paths_[piece.value_index]) : std::nullopt;
        append_key_safe(out, text.value_or(std::string()), options_.missing_default);
        break;
      }
      case Kind::key_field:
        append_key_safe(out, key_fields[piece.value_index].value_or(std::string()),
                        options_.missing_default);
        break;
      case Kind::timestamp:
        append_timestamp(out, piece, record.timestamp_ms);
        break;
    }
  }
  out += options_.extension;
  return out;
}

bool KeyTemplate::reads_topic() const {
  for (const Piece& piece : pieces_) {
    if (piece.kind == Kind::topic) return true;
  }
  return false;
}

std::string folder_prefix(std::string_view prefix) {
  std::string folder(prefix);
  if (!folder.empty() && !folder.ends_with('/')) folder += '/';
  return folder;
}

bool KeyTemplate::per_partition_only() const {
  for (const Piece& piece : pieces_) {
    if (piece.kind == Kind::key || piece.kind == Kind::value_field ||
        piece.kind == Kind::key_field || piece.kind == Kind::timestamp) {
      return false;
    }
  }
  return true;
}

std::string KeyTemplate::object_key(std::string_view group, std::int64_t start_offset) {
  std::string key;
  key.reserve(group.size() + kMaxOffsetWidth);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] != kStartOffsetMarker) {
      key += group[i];
      continue;
    }
    int width = kDefaultOffsetWidth;
    if (i + 1 < group.size()) width = static_cast<unsigned char>(group[++i]);
    append_padded(key, start_offset, width);
  }
  return key;
}

}  // namespace ks3::server

#include "server/replay/envelope_decoder.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <limits>

namespace ks3::server::replay {
namespace {

namespace bj = boost::json;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void skip_space(std::string_view text, std::size_t& at) {
  while (at < text.size() && is_space(text[at])) ++at;
}

// Skips a string literal starting at the quote at `at`.
void skip_string(std::string_view text, std::size_t& at) {
  for (++at; at < text.size(); ++at) {
    if (text[at] == '\\') {
      ++at;
    } else if (text[at] == '"') {
      ++at;
      return;
    }
  }
}

// Skips one JSON value (known to be valid) starting at `at`.
void skip_value(std::string_view text, std::size_t& at) {
  if (at >= text.size()) return;
  const char c = text[at];
  if (c == '"') {
    skip_string(text, at);
    return;
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    while (at < text.size()) {
      const char d = text[at];
      if (d == '"') {
        skip_string(text, at);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') {
        if (--depth == 0) {
          ++at;
          return;
        }
      }
      ++at;
    }
    return;
  }
  while (at < text.size() && text[at] != ',' && text[at] != '}' && text[at] != ']' &&
         !is_space(text[at])) {
    ++at;
  }
}

// The raw text of the top-level member `name` of a (valid) JSON object: the bytes as they stand
// in the line, which for json-encoded keys and values are the record's own bytes.
std::optional<std::string_view> raw_member(std::string_view text, std::string_view name) {
  std::size_t at = 0;
  skip_space(text, at);
  if (at >= text.size() || text[at] != '{') return std::nullopt;
  ++at;
  for (;;) {
    skip_space(text, at);
    if (at >= text.size() || text[at] != '"') return std::nullopt;
    const std::size_t name_start = at + 1;
    skip_string(text, at);
    const std::string_view member = text.substr(name_start, at - 1 - name_start);
    skip_space(text, at);
    if (at >= text.size() || text[at] != ':') return std::nullopt;
    ++at;
    skip_space(text, at);
    const std::size_t value_start = at;
    skip_value(text, at);
    if (member == name) return text.substr(value_start, at - value_start);
    skip_space(text, at);
    if (at >= text.size() || text[at] != ',') return std::nullopt;
    ++at;
  }
}

std::optional<std::int64_t> as_int64(const bj::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64() &&
      value.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(value.get_uint64());
  }
  return std::nullopt;
}

// A key or value member by its encoding: the bytes, nullopt for null; an error text otherwise.
std::optional<std::string> decode_bytes(std::string_view line, std::string_view name,
                                        const bj::value& member, BytesEncoding encoding,
                                        std::optional<std::string>& out) {
  if (member.is_null()) {
    out.reset();
    return std::nullopt;
  }
  switch (encoding) {
    case BytesEncoding::json: {
      auto raw = raw_member(line, name);
      if (!raw) return "cannot find the raw text of '" + std::string(name) + "'";
      out = std::string(*raw);
      return std::nullopt;
    }
    case BytesEncoding::string:
      if (!member.is_string()) {
        return "'" + std::string(name) + "' is not a string (is the " + std::string(name) +
               " encoding json?)";
      }
      out = std::string(member.get_string());
      return std::nullopt;
    case BytesEncoding::base64: {
      if (!member.is_string()) return "'" + std::string(name) + "' is not a base64 string";
      auto bytes = decode_base64(member.get_string());
      if (!bytes) {
        return "'" + std::string(name) + "' is not valid base64 (is the " + std::string(name) +
               " encoding string?)";
      }
      out = std::move(*bytes);
      return std::nullopt;
    }
  }
  return "unknown encoding";
}

std::optional<std::string> decode_headers(const bj::value& member, bool base64,
                                          std::vector<ReplayHeader>& out) {
  out.clear();
  if (member.is_null()) return std::nullopt;
  if (!member.is_array()) return "'headers' is not an array";
  for (const bj::value& item : member.get_array()) {
    const bj::object* header = item.if_object();
    const bj::value* name = header ? header->if_contains("key") : nullptr;
    const bj::value* value = header ? header->if_contains("value") : nullptr;
    if (!name || !name->is_string() || !value || !(value->is_null() || value->is_string())) {
      return "a header is not {\"key\":string,\"value\":string|null}";
    }
    ReplayHeader decoded{std::string(name->get_string()), std::nullopt};
    if (value->is_string()) {
      if (base64) {
        decoded.value = decode_base64(value->get_string());
        if (!decoded.value) return "header '" + decoded.name + "' has a value that is not base64";
      } else {
        decoded.value = std::string(value->get_string());
      }
    }
    out.push_back(std::move(decoded));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t n = 0;
    for (int j = 0; j < 4; ++j) {
      const int bits = j >= 4 - pad ? 0 : sextet(text[i + j]);
      if (bits < 0) return std::nullopt;
      n = n << 6 | static_cast<std::uint32_t>(bits);
    }
    out += static_cast<char>(n >> 16 & 0xff);
    if (pad < 2) out += static_cast<char>(n >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

std::optional<std::string> decode_envelope(std::string_view line, const DecodeOptions& options,
                                           ReplayRecord& out) {
  out = ReplayRecord{};
  bj::parse_options parse_options;
  parse_options.max_depth = 1024;  // as simdjson, which the encoder validated values with
  boost::system::error_code ec;
  const bj::value parsed = bj::parse(line, ec, {}, parse_options);
  if (ec) return "not a JSON line (" + ec.message() + ")";
  const bj::object* object = parsed.if_object();
  if (!object) return "not a JSON object";

  if (const bj::value* topic = object->if_contains("topic"); topic && topic->is_string()) {
    out.topic = std::string(topic->get_string());
  }
  if (const bj::value* partition = object->if_contains("partition")) {
    auto number = as_int64(*partition);
    if (!number || *number < 0 || *number > std::numeric_limits<std::int32_t>::max()) {
      return "'partition' is not a partition number";
    }
    out.partition = static_cast<std::int32_t>(*number);
  }
  if (const bj::value* offset = object->if_contains("offset")) {
    out.offset = as_int64(*offset);
    if (!out.offset || *out.offset < 0) return "'offset' is not an offset";
  }
  if (const bj::value* timestamp = object->if_contains("timestamp")) {
    out.has_timestamp = true;
    if (!timestamp->is_null()) {
      auto ms = as_int64(*timestamp);
      if (!ms || *ms < 0) return "'timestamp' is not milliseconds since the epoch";
      out.timestamp_ms = *ms;
    }
  }
  if (const bj::value* key = object->if_contains("key")) {
    out.has_key = true;
    if (auto error = decode_bytes(line, "key", *key, options.key_encoding, out.key)) return error;
  }
  const bj::value* value = object->if_contains("value");
  if (!value) return "no 'value' field (format.fields must include value to replay)";
  out.has_value = true;
  if (auto error = decode_bytes(line, "value", *value, options.value_encoding, out.value)) {
    return error;
  }
  if (const bj::value* headers = object->if_contains("headers")) {
    out.has_headers = true;
    if (auto error =
            decode_headers(*headers, options.value_encoding == BytesEncoding::base64, out.headers))
      return error;
  }
  return std::nullopt;
}

}  // namespace ks3::server::replay

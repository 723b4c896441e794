#include "server/record/json_path.hpp"

#include <algorithm>
#include <utility>

namespace ks3::server {
namespace od = simdjson::ondemand;

std::optional<JsonPath> JsonPath::parse(std::string_view dotted) {
  if (dotted.empty()) return std::nullopt;
  JsonPath path;
  path.dotted_ = std::string(dotted);
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    std::string_view segment = dotted.substr(start, dot - start);
    if (segment.empty()) return std::nullopt;
    path.pointer_ += '/';
    // RFC 6901: "~" is written "~0" and "/" is written "~1" inside a reference token.
    for (char c : segment) {
      if (c == '~') {
        path.pointer_ += "~0";
      } else if (c == '/') {
        path.pointer_ += "~1";
      } else {
        path.pointer_ += c;
      }
    }
    start = dot + 1;
  }
  return path;
}

simdjson::padded_string_view JsonReader::pad(std::string_view json) {
  buffer_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer_.assign(json.data(), json.size());
  return simdjson::padded_string_view(buffer_.data(), json.size(), buffer_.capacity());
}

bool JsonReader::load(std::string_view json) {
  loaded_ = !parser_.iterate(pad(json)).get(doc_);
  reiterate_ = false;
  return loaded_;
}

bool JsonReader::at(const JsonPath& path, simdjson::ondemand::value& value) {
  if (!loaded_) return false;
  if (reiterate_) {
    // A failed read may have left the document's iterator unusable (simdjson abandons it on
    // some errors: its parser pointer is then null, and the next rewind dereferences it). Start
    // the same bytes over instead.
    reiterate_ = false;
    simdjson::padded_string_view again(buffer_.data(), buffer_.size(), buffer_.capacity());
    if (parser_.iterate(again).get(doc_)) {
      loaded_ = false;
      return false;
    }
  }
  if (doc_.at_pointer(path.pointer()).get(value)) {
    reiterate_ = true;
    return false;
  }
  return true;
}

namespace {

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 8259: number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT );
// frac = decimal-point 1*DIGIT; exp = e [ minus / plus ] 1*DIGIT
bool is_number_literal(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i - start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

template <typename Value>
std::optional<std::string> scalar_text(Value& value) {
  od::json_type type;
  if (value.type().get(type)) return std::nullopt;
  switch (type) {
    case od::json_type::string: {
      std::string_view text;
      if (value.get_string().get(text)) return std::nullopt;
      return std::string(text);
    }
    case od::json_type::number: {
      std::string_view token = trim_whitespace(value.raw_json_token());
      if (!is_number_literal(token)) return std::nullopt;
      return std::string(token);
    }
    case od::json_type::boolean: {
      bool flag = false;
      if (value.get_bool().get(flag)) return std::nullopt;
      return std::string(flag ? "true" : "false");
    }
    default:  // null, object, array: no text to put in a key
      return std::nullopt;
  }
}

bool walk(od::value value);

bool walk_object(od::object object) {
  for (auto field_result : object) {
    od::field field;
    if (std::move(field_result).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (!walk(field.value())) return false;
  }
  return true;
}

bool walk_array(od::array array) {
  for (auto element_result : array) {
    od::value element;
    if (std::move(element_result).get(element)) return false;
    if (!walk(element)) return false;
  }
  return true;
}

// Touches every value so that simdjson checks all of it (On-Demand only validates what is read).
template <typename Value>
bool walk_scalar_or_container(Value& value) {
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      return !value.get_object().get(object) && walk_object(object);
    }
    case od::json_type::array: {
      od::array array;
      return !value.get_array().get(array) && walk_array(array);
    }
    case od::json_type::string: {
      std::string_view text;
      return !value.get_string().get(text);
    }
    case od::json_type::number: {
      // Checked against the grammar, not parsed: integers past 64 bits are still valid JSON.
      return is_number_literal(trim_whitespace(value.raw_json_token()));
    }
    case od::json_type::boolean: {
      bool flag = false;
      return !value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool is_null = false;
      return !value.is_null().get(is_null) && is_null;
    }
  }
  return false;
}

bool walk(od::value value) {
  return walk_scalar_or_container(value);
}

}  // namespace

std::optional<std::string> JsonReader::extract(const JsonPath& path) {
  od::value value;
  if (!at(path, value)) return std::nullopt;
  auto text = scalar_text(value);
  if (!text) reiterate_ = true;  // reading the value itself may have failed too
  return text;
}

bool JsonReader::exists(const JsonPath& path) {
  od::value value;
  return at(path, value);
}

bool JsonReader::is_valid(std::string_view json) {
  loaded_ = false;  // the document below replaces whatever load() had
  if (json.size() <= kDomMaxBytes) {
    const simdjson::padded_string_view padded = pad(json);
    simdjson::dom::element root;
    if (!dom_.parse(padded.data(), padded.length(), false).get(root)) return true;
  }
  // The DOM also rejects numbers it cannot represent (2^70, 1e400), which JSON allows: every
  // document it refuses gets the walk's verdict, so the fast path changes no answer.
  return is_valid_by_walk(json);
}

bool JsonReader::is_valid_by_walk(std::string_view json) {
  od::document doc;
  if (parser_.iterate(pad(json)).get(doc)) return false;
  bool scalar = false;
  if (doc.is_scalar().get(scalar)) return false;
  if (scalar) {
    // A scalar document: the token must be followed by nothing but whitespace.
    std::string_view token = doc.raw_json_token();
    std::size_t end = static_cast<std::size_t>(token.data() - buffer_.data()) + token.size();
    if (!trim_whitespace(json.substr(std::min(end, json.size()))).empty()) return false;
    return walk_scalar_or_container(doc);
  }
  if (!walk_scalar_or_container(doc)) return false;
  // After a container, any location still in bounds is content after the value.
  const char* trailing = nullptr;
  return doc.current_location().get(trailing) != simdjson::SUCCESS;
}

bool JsonReader::minify(std::string_view json, std::string& out) {
  if (!is_valid(json)) return false;
  std::size_t start = out.size();
  out.resize(start + json.size());
  std::size_t written = 0;
  if (simdjson::minify(json.data(), json.size(), out.data() + start, written)) {
    out.resize(start);
    return false;
  }
  out.resize(start + written);
  return true;
}

}  // namespace ks3::server

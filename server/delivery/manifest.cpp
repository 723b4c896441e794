#include "server/delivery/manifest.hpp"

#include <simdjson.h>

#include <charconv>
#include <cstdio>

#include "metrics/json_string.hpp"

namespace ks3::server {
namespace {

constexpr std::size_t kOffsetDigits = 20;  // INT64_MAX has 19 digits: 20 keep a leading 0
constexpr std::string_view kExtension = ".json";

std::string padded(std::int64_t offset) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%020lld", static_cast<long long>(offset));
  return buffer;
}

std::optional<std::int64_t> parse_padded(std::string_view digits) {
  if (digits.size() != kOffsetDigits) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // from_chars accepts a leading '-'
  }
  return value;
}

// `"name":` after a ',' unless it is the first member of an object.
void field(std::string& out, std::string_view name) {
  out += out.back() == '{' ? "" : ",";
  json::append_json_string(out, name);
  out += ':';
}

template <typename Number>
void number_field(std::string& out, std::string_view name, Number value) {
  field(out, name);
  out += std::to_string(value);
}

void text_field(std::string& out, std::string_view name, std::string_view text) {
  field(out, name);
  json::append_json_string(out, text);
}

ManifestDecoded refused(ManifestDecodeError error, std::string message) {
  ManifestDecoded decoded;
  decoded.error = error;
  decoded.message = std::move(message);
  return decoded;
}

// Reads an integer field; false (and `why`) when missing or not an integer in range.
template <typename T>
bool read_int(simdjson::dom::object object, std::string_view name, T& out, std::int64_t min,
              std::int64_t max, std::string& why) {
  std::int64_t value = 0;
  if (object[name].get_int64().get(value) != simdjson::SUCCESS || value < min || value > max) {
    why = "field '" + std::string(name) + "' is missing or not an integer from " +
          std::to_string(min) + " to " + std::to_string(max);
    return false;
  }
  out = static_cast<T>(value);
  return true;
}

bool read_string(simdjson::dom::object object, std::string_view name, std::string& out,
                 std::string& why) {
  std::string_view value;
  if (object[name].get_string().get(value) != simdjson::SUCCESS) {
    why = "field '" + std::string(name) + "' is missing or not a string";
    return false;
  }
  out = std::string(value);
  return true;
}

constexpr std::int64_t kMaxOffset = INT64_MAX;
constexpr std::int64_t kMaxCount = INT64_MAX;

}  // namespace

std::string manifest_folder(std::string_view root, std::string_view topic, std::int32_t partition) {
  std::string out(root);
  out += kManifestFolder;
  out += topic;
  out += '/';
  out += std::to_string(partition);
  out += '/';
  return out;
}

std::string manifest_file_name(ManifestName name) {
  return padded(name.first_offset) + "-" + padded(name.end_offset) + std::string(kExtension);
}

std::string manifest_key(std::string_view root, std::string_view topic, std::int32_t partition,
                         ManifestName name) {
  return manifest_folder(root, topic, partition) + manifest_file_name(name);
}

std::string manifest_start_after(std::string_view folder, std::int64_t offset) {
  return std::string(folder) + padded(offset);
}

std::optional<ManifestName> parse_manifest_file_name(std::string_view file_name) {
  if (file_name.size() != 2 * kOffsetDigits + 1 + kExtension.size() ||
      !file_name.ends_with(kExtension) || file_name[kOffsetDigits] != '-') {
    return std::nullopt;
  }
  auto first = parse_padded(file_name.substr(0, kOffsetDigits));
  auto end = parse_padded(file_name.substr(kOffsetDigits + 1, kOffsetDigits));
  if (!first || !end || *first >= *end) return std::nullopt;
  return ManifestName{*first, *end};
}

std::string encode_manifest(const Manifest& m) {
  std::string out = "{";
  number_field(out, "version", m.version);
  text_field(out, "topic", m.topic);
  number_field(out, "partition", m.partition);
  number_field(out, "first_offset", m.first_offset);
  number_field(out, "end_offset", m.end_offset);
  number_field(out, "last_offset", m.end_offset - 1);
  text_field(out, "reason", to_string(m.reason));
  number_field(out, "records", m.records);
  number_field(out, "bytes", m.bytes);
  field(out, "objects");
  out += '[';
  for (std::size_t i = 0; i < m.objects.size(); ++i) {
    const ManifestObject& o = m.objects[i];
    out += i > 0 ? ",{" : "{";
    text_field(out, "key", o.key);
    number_field(out, "first_offset", o.first_offset);
    number_field(out, "last_offset", o.last_offset);
    number_field(out, "records", o.records);
    out += '}';
  }
  out += "]}\n";
  return out;
}

std::string_view to_string(ManifestDecodeError error) {
  switch (error) {
    case ManifestDecodeError::not_json:
      return "not_json";
    case ManifestDecodeError::bad_field:
      return "bad_field";
    case ManifestDecodeError::newer_version:
      return "newer_version";
    case ManifestDecodeError::inconsistent:
      return "inconsistent";
  }
  return "?";
}

ManifestDecoded decode_manifest(std::string_view body) {
  // A parser per call: manifests are read rarely (diagnostics, tools), never per record.
  simdjson::dom::parser parser;
  simdjson::padded_string padded_body(body);
  simdjson::dom::element root;
  if (parser.parse(padded_body).get(root) != simdjson::SUCCESS) {
    return refused(ManifestDecodeError::not_json, "manifest is not JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return refused(ManifestDecodeError::not_json, "manifest is not a JSON object");
  }
  Manifest m;
  std::string why;
  std::int64_t version = 0;
  if (!read_int(object, "version", version, 1, INT32_MAX, why)) {
    return refused(ManifestDecodeError::bad_field, why);
  }
  if (version > kManifestVersion) {
    return refused(ManifestDecodeError::newer_version,
                   "manifest version " + std::to_string(version) +
                       " was written by a newer kafka-s3-sink (this one reads up to " +
                       std::to_string(kManifestVersion) + ")");
  }
  m.version = static_cast<int>(version);
  std::string reason;
  std::int64_t last = 0;
  if (!read_string(object, "topic", m.topic, why) ||
      !read_int(object, "partition", m.partition, 0, INT32_MAX, why) ||
      !read_int(object, "first_offset", m.first_offset, 0, kMaxOffset, why) ||
      !read_int(object, "end_offset", m.end_offset, 0, kMaxOffset, why) ||
      !read_int(object, "last_offset", last, 0, kMaxOffset, why) ||
      !read_string(object, "reason", reason, why) ||
      !read_int(object, "records", m.records, 0, kMaxCount, why) ||
      !read_int(object, "bytes", m.bytes, 0, kMaxCount, why)) {
    return refused(ManifestDecodeError::bad_field, why);
  }
  auto parsed_reason = parse_cut_reason(reason);
  if (!parsed_reason || *parsed_reason == CutReason::none) {
    return refused(ManifestDecodeError::bad_field, "field 'reason' is not a cut reason");
  }
  m.reason = *parsed_reason;
  if (m.first_offset >= m.end_offset || last != m.end_offset - 1) {
    return refused(ManifestDecodeError::inconsistent,
                   "offsets do not describe a segment (first < end, last = end - 1)");
  }
  simdjson::dom::array objects;
  if (object["objects"].get_array().get(objects) != simdjson::SUCCESS) {
    return refused(ManifestDecodeError::bad_field, "field 'objects' is missing or not an array");
  }
  for (simdjson::dom::element element : objects) {
    simdjson::dom::object entry;
    if (element.get_object().get(entry) != simdjson::SUCCESS) {
      return refused(ManifestDecodeError::bad_field, "an entry of 'objects' is not an object");
    }
    ManifestObject o;
    if (!read_string(entry, "key", o.key, why) ||
        !read_int(entry, "first_offset", o.first_offset, 0, kMaxOffset, why) ||
        !read_int(entry, "last_offset", o.last_offset, 0, kMaxOffset, why) ||
        !read_int(entry, "records", o.records, 1, kMaxCount, why)) {
      return refused(ManifestDecodeError::bad_field, "objects: " + why);
    }
    if (o.key.empty() || o.first_offset < m.first_offset || o.last_offset >= m.end_offset ||
        o.first_offset > o.last_offset) {
      return refused(ManifestDecodeError::inconsistent,
                     "an object's offsets are outside the segment (or its key is empty)");
    }
    m.objects.push_back(std::move(o));
  }
  ManifestDecoded decoded;
  decoded.manifest = std::move(m);
  return decoded;
}

}  // namespace ks3::server

#include "server/config/avro_reader_schema.hpp"

#include <fstream>
#include <vector>

#include "server/format/avro/value.hpp"

namespace ks3::server {
namespace {

constexpr std::string_view kKey = "format.avro.reader_schema";

// Schema::parse leaves field defaults unchecked (they matter only to a reader): the reader
// schema's defaults are what fills fields a writer lacks, so check each one now.
std::optional<std::string> check_defaults(const avro::Node& node,
                                          std::vector<const avro::Node*>& seen) {
  for (const avro::Node* s : seen) {
    if (s == &node) return std::nullopt;  // a recursive reference: checked already
  }
  seen.push_back(&node);
  for (const avro::Field& field : node.fields) {
    if (field.default_value) {
      auto value = avro::value_from_default(*field.type, *field.default_value);
      if (!value) return "field " + node.name + "." + field.name + ": " + value.error().message;
    }
    if (auto bad = check_defaults(*field.type, seen)) return bad;
  }
  for (const avro::Node* branch : node.branches) {
    if (auto bad = check_defaults(*branch, seen)) return bad;
  }
  if (node.items) return check_defaults(*node.items, seen);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_schema_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  // Bounded: a path like /dev/zero must not hang the start-up.
  std::string text(kMaxSchemaFileBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.bad()) return std::nullopt;
  text.resize(static_cast<std::size_t>(file.gcount()));
  return text;
}

std::optional<ConfigIssue> load_avro_reader_schema(SinkConfig& config,
                                                   const TextFileReader& read_file) {
  AvroReaderSchema& reader = config.avro_reader_schema;
  if (reader.path.empty()) return std::nullopt;
  auto text = read_file(reader.path);
  if (!text) {
    return ConfigIssue{std::string(kKey), "cannot read the schema file " + reader.path +
                                              "; check the path and permissions"};
  }
  if (text->size() > kMaxSchemaFileBytes) {
    return ConfigIssue{std::string(kKey), reader.path + " is larger than " +
                                              std::to_string(kMaxSchemaFileBytes >> 20) +
                                              " MiB: not an Avro schema file"};
  }
  auto schema = avro::Schema::parse(*text);
  if (!schema) {
    return ConfigIssue{std::string(kKey),
                       reader.path + " is not a usable Avro schema: " + schema.error().message};
  }
  std::vector<const avro::Node*> seen;
  if (auto bad = check_defaults((*schema)->root(), seen)) {
    return ConfigIssue{std::string(kKey), reader.path + ": " + *bad};
  }
  reader.text = std::make_shared<const std::string>(std::move(*text));
  reader.schema = std::move(*schema);
  return std::nullopt;
}

}  // namespace ks3::server

// format.avro.reader_schema: reads the .avsc file when the configuration loads, so a missing
// file, text that is not JSON or not a valid Avro schema (a field default that does not fit its
// type included) stops the sink at start-up (exit 2) naming the key, not at the first record.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "server/config/config.hpp"

namespace ks3::server {

// The file's text, or nullopt when it cannot be read (injected for tests).
using TextFileReader = std::function<std::optional<std::string>(const std::string& path)>;

// Sets config.avro_reader_schema.text and .schema from the file at .path (nothing when the path
// is empty); an issue for format.avro.reader_schema when it cannot.
std::optional<ConfigIssue> load_avro_reader_schema(SinkConfig& config,
                                                   const TextFileReader& read_file);

// A schema file is at most this long (a longer one is refused, not read to its end).
inline constexpr std::size_t kMaxSchemaFileBytes = 4U << 20;

// Reads a file, at most kMaxSchemaFileBytes + 1 bytes of it (std::ifstream).
std::optional<std::string> read_schema_file(const std::string& path);

}  // namespace ks3::server

// Confluent's Schema Registry framing of Kafka keys and values.
//
// What is implemented (after Confluent's serializers, schema-registry 8.1 SchemaId and
// DualSchemaIdDeserializer):
//   - the classic prefix: magic byte 0, the schema id as a 4-byte big-endian integer, then the
//     Avro binary datum;
//   - a prefix with magic byte 1 and a 16-byte schema GUID (the same "V1" id bytes), then the
//     datum;
//   - the header-carried id of the newer format: the record header "__value_schema_id" (or
//     "__key_schema_id" for keys) holds the id bytes (magic 1 + 16-byte GUID as Confluent's
//     HeaderSchemaIdSerializer writes them, or magic 0 + 4-byte id), and the record's bytes are
//     the plain datum. As in Confluent's deserializer, a present header wins over the payload;
//     when several headers have the name, the last one counts (the caller passes it).
// A GUID is resolved with the registry's GET /schemas/guids/{guid}; an id with
// GET /schemas/ids/{id}. Protobuf message indexes are not handled (Avro only).
// Failures (empty value, wrong magic byte, too short) are returned, never thrown.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/format/avro/error.hpp"

namespace ks3::avro {

inline constexpr std::string_view value_schema_id_header = "__value_schema_id";
inline constexpr std::string_view key_schema_id_header = "__key_schema_id";

struct SchemaRef {
  enum class Kind { id, guid };
  Kind kind = Kind::id;
  std::int32_t id = 0;
  std::array<std::uint8_t, 16> guid{};

  static SchemaRef from_id(std::int32_t id);
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case) for GUIDs.
  std::string guid_string() const;
  // "id 42" or "guid 0011...": for messages and cache keys.
  std::string describe() const;

  friend bool operator==(const SchemaRef&, const SchemaRef&) = default;
};

struct Framed {
  SchemaRef schema;
  std::string_view payload;  // the Avro binary datum (a view into the record's bytes)
  bool from_header = false;  // the schema id came from a header
};

// Splits a record's key or value. `schema_id_header`: the value of the last
// "__value_schema_id" (or "__key_schema_id") header, if the record has one.
Result<Framed> unframe(std::string_view bytes,
                       std::optional<std::string_view> schema_id_header = std::nullopt);

// The classic framing (magic 0, id), for tests and tools.
std::string frame(std::int32_t schema_id, std::string_view datum);

}  // namespace ks3::avro

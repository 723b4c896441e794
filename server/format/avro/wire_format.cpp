#include "server/format/avro/wire_format.hpp"

#include <cstdio>

namespace ks3::avro {

SchemaRef SchemaRef::from_id(std::int32_t id) {
  SchemaRef ref;
  ref.id = id;
  return ref;
}

std::string SchemaRef::guid_string() const {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < guid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof buf, "%02x", guid[i]);
    out += buf;
  }
  return out;
}

std::string SchemaRef::describe() const {
  return kind == Kind::id ? "id " + std::to_string(id) : "guid " + guid_string();
}

namespace {

// Reads magic + id bytes at the start of `bytes`; the number of bytes used, or an error.
Result<std::size_t> read_id(std::string_view bytes, SchemaRef& ref, std::string_view where) {
  if (bytes.empty()) return Error(ErrorKind::bad_wire_format, std::string(where) + " is empty");
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  if (byte(0) == 0) {
    if (bytes.size() < 5) {
      return Error(ErrorKind::bad_wire_format,
                   std::string(where) + " has " + std::to_string(bytes.size()) +
                       " bytes: magic byte 0 needs a 4-byte schema id after it");
    }
    ref.kind = SchemaRef::Kind::id;
    ref.id =
        static_cast<std::int32_t>((std::uint32_t{byte(1)} << 24) | (std::uint32_t{byte(2)} << 16) |
                                  (std::uint32_t{byte(3)} << 8) | std::uint32_t{byte(4)});
    return std::size_t{5};
  }
  if (byte(0) == 1) {
    if (bytes.size() < 17) {
      return Error(ErrorKind::bad_wire_format,
                   std::string(where) + " has " + std::to_string(bytes.size()) +
                       " bytes: magic byte 1 needs a 16-byte schema GUID after it");
    }
    ref.kind = SchemaRef::Kind::guid;
    for (std::size_t i = 0; i < 16; ++i) ref.guid[i] = byte(i + 1);
    return std::size_t{17};
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", byte(0));
  return Error(ErrorKind::bad_wire_format,
               std::string(where) + " starts with " + hex +
                   ", not the Schema Registry magic byte 0 (or 1): not Confluent-framed Avro");
}

}  // namespace

Result<Framed> unframe(std::string_view bytes, std::optional<std::string_view> schema_id_header) {
  Framed out;
  if (schema_id_header) {
    auto used = read_id(*schema_id_header, out.schema, "schema id header");
    if (!used) return used.error();
    out.payload = bytes;
    out.from_header = true;
    return out;
  }
  auto used = read_id(bytes, out.schema, "record");
  if (!used) return used.error();
  out.payload = bytes.substr(*used);
  return out;
}

std::string frame(std::int32_t schema_id, std::string_view datum) {
  std::string out(5, '\0');
  auto id = static_cast<std::uint32_t>(schema_id);
  out[1] = static_cast<char>(id >> 24);
  out[2] = static_cast<char>(id >> 16);
  out[3] = static_cast<char>(id >> 8);
  out[4] = static_cast<char>(id);
  out += datum;
  return out;
}

}  // namespace ks3::avro

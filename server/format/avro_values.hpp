// Avro record values (format.input avro) -> JSON text, the pure core of the Avro input. Pure: no
// I/O; the schemas come from outside (the pipeline's AvroInput fetches them from the registry).
//
// A value is Confluent-framed (magic 0 + 4-byte schema id, magic 1 + GUID, or the id in the
// "__value_schema_id" header: avro/wire_format.hpp); it is decoded with the writer schema
// (avro/decoder.hpp), resolved to the reader schema when one is configured, and written as JSON
// (avro/json_mapping.hpp: the documented mapping).
// Keys are decoded the same way (convert_key) with format.key_input avro; otherwise
// format.key_encoding applies to their bytes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/format/avro/decoder.hpp"
#include "server/format/avro/json_mapping.hpp"
#include "server/format/avro/schema.hpp"
#include "server/format/avro/wire_format.hpp"
#include "server/record/record.hpp"

namespace ks3::server {

// A writer schema as the record path needs it: its text (Avro container headers), the parsed
// schema (Parquet columns) and a decoder. With a reader schema (format.avro.reader_schema) the
// record path sees one such schema for every record: the reader schema (reader_schema()), its
// datums re-encoded in it.
struct AvroWriterSchema {
  avro::SchemaRef ref;
  std::string name;  // ref.describe(): "id 42"
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const avro::Decoder> decoder;
  const avro::Node& root() const { return decoder->writer().root(); }
};

// The reader schema as the record path's schema: named "reader schema" (a constant, so records
// of different writer schemas never cut the object), decoding its own datums.
avro::Result<std::shared_ptr<const AvroWriterSchema>> reader_schema(
    std::shared_ptr<const std::string> text, std::shared_ptr<const avro::Schema> schema);

class AvroValueConverter {
 public:
  enum class Outcome {
    converted,     // `out` holds the value's JSON text
    bad_record,    // `reason` says why (names topic/partition/offset): the bad-record policy
    needs_schema,  // `schema` is not known yet: fetch it, add_schema/add_unknown, try again
  };
  struct Result {
    Outcome outcome = Outcome::converted;
    std::string reason;
    avro::SchemaRef schema;  // needs_schema
    // converted: the writer schema and the datum (a view into the record's value).
    std::shared_ptr<const AvroWriterSchema> writer;
    std::string_view payload;
  };

  // `reader`: every value is resolved to this schema (reader_schema()); null: values follow
  // their writer schemas.
  explicit AvroValueConverter(avro::JsonOptions json = {},
                              std::shared_ptr<const AvroWriterSchema> reader = nullptr)
      : json_(json), reader_(std::move(reader)) {}

  // `record` must have a value (tombstones are not Avro). The datum is decoded (a datum that
  // does not decode is a bad record) and, when `json` is given, appended to it as JSON text.
  // Without `json` and with a reader schema, the value is re-encoded in the reader schema:
  // `payload` is that datum (valid until the next call) and `writer` the reader schema.
  Result convert(const RecordView& record, std::string* json);

  // format.key_input avro: the record's key (Confluent framing; the id may come in the
  // "__key_schema_id" header) decoded with its writer schema (never the reader schema) and
  // appended to `json` as JSON text. `record` must have a key. The outcomes are those of
  // convert(); a bad key's reason names the record and "the key".
  Result convert_key(const RecordView& record, std::string& json);

  // The writer schema for `ref` (from the registry: its text and the parsed schema).
  void add_schema(const avro::SchemaRef& ref, std::shared_ptr<const std::string> text,
                  std::shared_ptr<const avro::Schema> schema);
  // The registry does not know `ref` (or it is not usable Avro): its records are bad records
  // with `why` as the reason. Kept for the process's life (a restart asks again).
  void add_unknown(const avro::SchemaRef& ref, std::string why);

  std::size_t known_schemas() const { return decoders_.size(); }

 private:
  std::map<std::string, std::shared_ptr<const AvroWriterSchema>, std::less<>> decoders_;
  std::map<std::string, std::string, std::less<>> unknown_;
  // Every schema added (keys decode with these, whatever the reader schema), and their key
  // decoders, made when a key first needs one.
  std::map<std::string, std::shared_ptr<const avro::Schema>, std::less<>> schemas_;
  std::map<std::string, std::shared_ptr<const avro::Decoder>, std::less<>> key_decoders_;
  avro::JsonOptions json_;
  std::shared_ptr<const AvroWriterSchema> reader_;
  avro::Value value_;    // reused between records
  std::string encoded_;  // the value in the reader schema, reused
  avro::Error error_;
};

// The value of the last header named `name`, if any (Confluent's deserializer uses the last).
std::optional<std::string_view> last_header(const RecordView& record, std::string_view name);

}  // namespace ks3::server

#include "server/format/avro_values.hpp"

#include <stdexcept>

#include "server/format/avro/encoder.hpp"
#include "server/format/record_encoder.hpp"

namespace ks3::server {

std::optional<std::string_view> last_header(const RecordView& record, std::string_view name) {
  std::optional<std::string_view> found;
  for (const RecordHeader& header : record.headers) {
    if (header.name == name) found = header.value.value_or(std::string_view());
  }
  return found;
}

avro::Result<std::shared_ptr<const AvroWriterSchema>> reader_schema(
    std::shared_ptr<const std::string> text, std::shared_ptr<const avro::Schema> schema) {
  auto decoder = avro::Decoder::create(std::move(schema));
  if (!decoder) return decoder.error();
  auto reader = std::make_shared<AvroWriterSchema>();
  reader->name = "reader schema";
  reader->text = std::move(text);
  reader->decoder = std::move(*decoder);
  return std::shared_ptr<const AvroWriterSchema>(std::move(reader));
}

AvroValueConverter::Result AvroValueConverter::convert(const RecordView& record,
                                                       std::string* json) {
  Result result;
  auto framed = avro::unframe(*record.value, last_header(record, avro::value_schema_id_header));
  if (!framed) {
    result.outcome = Outcome::bad_record;
    result.reason = "record " + record_position(record) +
                    ": the value is not Confluent Avro framing (" + framed.error().describe() + ")";
    return result;
  }
  const std::string key = framed->schema.describe();
  auto decoder = decoders_.find(key);
  if (decoder == decoders_.end()) {
    if (auto unknown = unknown_.find(key); unknown != unknown_.end()) {
      result.outcome = Outcome::bad_record;
      result.reason = "record " + record_position(record) + ": schema " + key +
                      " cannot be used: " + unknown->second;
      return result;
    }
    result.outcome = Outcome::needs_schema;
    result.schema = framed->schema;
    return result;
  }
  if (!decoder->second->decoder->decode(framed->payload, value_, error_)) {
    result.outcome = Outcome::bad_record;
    result.reason = "record " + record_position(record) + ": the value does not decode with " +
                    key + " (" + error_.describe() + ")";
    return result;
  }
  if (json) avro::append_json(*json, value_, json_);
  if (!reader_) {
    result.writer = decoder->second;
    result.payload = framed->payload;
    return result;
  }
  result.writer = reader_;
  if (!json) {
    encoded_.clear();
    if (auto encoded = avro::append_binary(encoded_, reader_->root(), value_); !encoded) {
      // The decoder builds values that fit the reader schema: this is a bug, not bad data.
      throw std::logic_error("record " + record_position(record) + ": re-encoding the value of " +
                             key + " in the reader schema: " + encoded.error().describe());
    }
    result.payload = encoded_;
  }
  return result;
}

AvroValueConverter::Result AvroValueConverter::convert_key(const RecordView& record,
                                                           std::string& json) {
  Result result;
  auto framed = avro::unframe(*record.key, last_header(record, avro::key_schema_id_header));
  if (!framed) {
    result.outcome = Outcome::bad_record;
    result.reason = "record " + record_position(record) +
                    ": the key is not Confluent Avro framing (" + framed.error().describe() + ")";
    return result;
  }
  const std::string key = framed->schema.describe();
  auto decoder = key_decoders_.find(key);
  if (decoder == key_decoders_.end()) {
    if (auto schema = schemas_.find(key); schema != schemas_.end()) {
      auto created = avro::Decoder::create(schema->second);
      if (!created) {
        result.outcome = Outcome::bad_record;
        result.reason = "record " + record_position(record) + ": key schema " + key +
                        " cannot be used: " + created.error().describe();
        return result;
      }
      decoder = key_decoders_.emplace(key, std::move(*created)).first;
    } else if (auto unknown = unknown_.find(key); unknown != unknown_.end()) {
      result.outcome = Outcome::bad_record;
      result.reason = "record " + record_position(record) + ": key schema " + key +
                      " cannot be used: " + unknown->second;
      return result;
    } else {
      result.outcome = Outcome::needs_schema;
      result.schema = framed->schema;
      return result;
    }
  }
  if (!decoder->second->decode(framed->payload, value_, error_)) {
    result.outcome = Outcome::bad_record;
    result.reason = "record " + record_position(record) + ": the key does not decode with " + key +
                    " (" + error_.describe() + ")";
    return result;
  }
  avro::append_json(json, value_, json_);
  return result;
}

void AvroValueConverter::add_schema(const avro::SchemaRef& ref,
                                    std::shared_ptr<const std::string> text,
                                    std::shared_ptr<const avro::Schema> schema) {
  schemas_[ref.describe()] = schema;
  auto decoder = avro::Decoder::create(std::move(schema),
                                       reader_ ? reader_->decoder->writer_schema() : nullptr);
  if (!decoder) {
    add_unknown(ref, reader_ ? "the reader schema (format.avro.reader_schema) cannot read it: " +
                                   decoder.error().describe()
                             : decoder.error().describe());
    return;
  }
  auto writer = std::make_shared<AvroWriterSchema>();
  writer->ref = ref;
  writer->name = ref.describe();
  writer->text = std::move(text);
  writer->decoder = std::move(*decoder);
  decoders_[writer->name] = std::move(writer);
}

void AvroValueConverter::add_unknown(const avro::SchemaRef& ref, std::string why) {
  unknown_[ref.describe()] = std::move(why);
}

}  // namespace ks3::server

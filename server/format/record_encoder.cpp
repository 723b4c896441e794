#include "server/format/record_encoder.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "server/format/parquet_row.hpp"
#include "server/format/text_escape.hpp"

namespace ks3::server {
namespace {

void append_int(std::string& out, std::int64_t number) {
  char digits[24];  // no temporary string per number: three of them per record
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_headers_json(std::string& out, const RecordView& record, BytesEncoding encoding) {
  out += '[';
  bool first = true;
  for (const RecordHeader& header : record.headers) {
    if (!first) out += ',';
    first = false;
    out += "{\"key\":";
    append_json_string(out, header.name);
    out += ",\"value\":";
    if (!header.value) {
      out += "null";
    } else if (encoding == BytesEncoding::base64) {
      out += '"';
      append_base64(out, *header.value);
      out += '"';
    } else {
      append_json_string(out, *header.value);
    }
    out += '}';
  }
  out += ']';
}

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "jsonl") return OutputFormat::jsonl;
  if (text == "raw") return OutputFormat::raw;
  if (text == "csv") return OutputFormat::csv;
  if (text == "parquet") return OutputFormat::parquet;
  if (text == "avro") return OutputFormat::avro;
  return std::nullopt;
}

std::optional<ParquetValueMode> parse_parquet_value_mode(std::string_view text) {
  if (text == "json") return ParquetValueMode::json;
  if (text == "infer") return ParquetValueMode::infer;
  return std::nullopt;
}

std::string_view to_string(ParquetValueMode mode) {
  return mode == ParquetValueMode::infer ? "infer" : "json";
}

std::optional<BytesEncoding> parse_bytes_encoding(std::string_view text) {
  if (text == "json") return BytesEncoding::json;
  if (text == "string") return BytesEncoding::string;
  if (text == "base64") return BytesEncoding::base64;
  return std::nullopt;
}

std::optional<EnvelopeField> parse_envelope_field(std::string_view text) {
  for (auto field : {EnvelopeField::topic, EnvelopeField::partition, EnvelopeField::offset,
                     EnvelopeField::timestamp, EnvelopeField::key, EnvelopeField::headers,
                     EnvelopeField::value, EnvelopeField::op}) {
    if (to_string(field) == text) return field;
  }
  return std::nullopt;
}

std::string_view to_string(OutputFormat format) {
  switch (format) {
    case OutputFormat::jsonl:
      return "jsonl";
    case OutputFormat::raw:
      return "raw";
    case OutputFormat::csv:
      return "csv";
    case OutputFormat::parquet:
      return "parquet";
    case OutputFormat::avro:
      return "avro";
  }
  return "?";
}

std::string_view to_string(BytesEncoding encoding) {
  switch (encoding) {
    case BytesEncoding::json:
      return "json";
    case BytesEncoding::string:
      return "string";
    case BytesEncoding::base64:
      return "base64";
  }
  return "?";
}

std::string_view to_string(EnvelopeField field) {
  switch (field) {
    case EnvelopeField::topic:
      return "topic";
    case EnvelopeField::partition:
      return "partition";
    case EnvelopeField::offset:
      return "offset";
    case EnvelopeField::timestamp:
      return "timestamp";
    case EnvelopeField::key:
      return "key";
    case EnvelopeField::headers:
      return "headers";
    case EnvelopeField::value:
      return "value";
    case EnvelopeField::op:
      return "op";
  }
  return "?";
}

std::string record_position(const RecordView& record) {
  return std::string(record.topic) + "/" + std::to_string(record.partition) + "/" +
         std::to_string(record.offset);
}

RecordEncoder::RecordEncoder(EncoderOptions options) : options_(std::move(options)) {
  needs_op_ = options_.format != OutputFormat::raw &&
              std::find(options_.fields.begin(), options_.fields.end(), EnvelopeField::op) !=
                  options_.fields.end();
  for (std::size_t i = 0; i < options_.fields.size(); ++i) {
    std::string prefix = i == 0 ? "{\"" : ",\"";
    prefix += to_string(options_.fields[i]);
    prefix += "\":";
    jsonl_field_prefixes_.push_back(std::move(prefix));
  }
}

std::string_view RecordEncoder::extension() const {
  switch (options_.format) {
    case OutputFormat::jsonl:
      return ".jsonl";
    case OutputFormat::csv:
      return ".csv";
    case OutputFormat::parquet:
      return ".parquet";
    case OutputFormat::avro:
      return ".avro";
    case OutputFormat::raw:
      return ".bin";
  }
  return "";
}

std::string RecordEncoder::object_header() const {
  if (options_.format != OutputFormat::csv || !options_.csv_header) return {};
  std::string header;
  for (std::size_t i = 0; i < options_.fields.size(); ++i) {
    if (i) header += ',';
    header += to_string(options_.fields[i]);
  }
  header += "\r\n";
  return header;
}

bool RecordEncoder::append_json_bytes(std::string& out, std::optional<std::string_view> bytes,
                                      BytesEncoding encoding, JsonReader& json) const {
  if (!bytes) {
    out += "null";
    return true;
  }
  switch (encoding) {
    case BytesEncoding::json:
      // A value that spans lines would break the one-record-per-line framing: minify it.
      // (Two memchr scans: find_first_of tests each byte against the set, ~5x slower.)
      if (std::memchr(bytes->data(), '\n', bytes->size()) ||
          std::memchr(bytes->data(), '\r', bytes->size())) {
        return json.minify(*bytes, out);
      }
      if (!json.is_valid(*bytes)) return false;
      out += *bytes;
      return true;
    case BytesEncoding::string:
      append_json_string(out, *bytes);
      return true;
    case BytesEncoding::base64:
      out += '"';
      append_base64(out, *bytes);
      out += '"';
      return true;
  }
  return false;
}

bool RecordEncoder::append_csv_bytes(std::string& out, std::optional<std::string_view> bytes,
                                     BytesEncoding encoding, JsonReader& json) const {
  if (!bytes) return true;  // null: an empty field
  switch (encoding) {
    case BytesEncoding::json:
      if (!json.is_valid(*bytes)) return false;
      append_csv_field(out, *bytes);
      return true;
    case BytesEncoding::string:
      append_csv_field(out, *bytes);
      return true;
    case BytesEncoding::base64:
      append_base64(out, *bytes);
      return true;  // never needs quotes
  }
  return false;
}

std::optional<std::string> RecordEncoder::encode(const RecordView& record, ChangeOp op,
                                                 JsonReader& json, std::string& out) const {
  const std::size_t start = out.size();
  std::optional<std::string> error;
  switch (options_.format) {
    case OutputFormat::jsonl:
      error = encode_jsonl(record, op, json, out);
      break;
    case OutputFormat::csv:
      error = encode_csv(record, op, json, out);
      break;
    case OutputFormat::parquet:
      error = encode_parquet(record, op, json, out);
      break;
    case OutputFormat::avro:
      out += record.value.value_or(std::string_view{});  // the datum (AvroObject takes it)
      break;
    case OutputFormat::raw:
      out += record.value.value_or(std::string_view{});
      out += options_.delimiter;
      break;
  }
  if (error) out.resize(start);
  return error;
}

std::optional<std::string> RecordEncoder::encode_jsonl(const RecordView& record, ChangeOp op,
                                                       JsonReader& json, std::string& out) const {
  if (options_.fields.empty()) out += '{';
  for (std::size_t i = 0; i < options_.fields.size(); ++i) {
    const EnvelopeField field = options_.fields[i];
    out += jsonl_field_prefixes_[i];  // `{"name":` or `,"name":`: one append, not four
    switch (field) {
      case EnvelopeField::topic:
        append_json_string(out, record.topic);
        break;
      case EnvelopeField::partition:
        append_int(out, record.partition);
        break;
      case EnvelopeField::offset:
        append_int(out, record.offset);
        break;
      case EnvelopeField::timestamp:
        if (record.timestamp_ms < 0) {
          out += "null";
        } else {
          append_int(out, record.timestamp_ms);
        }
        break;
      case EnvelopeField::key:
        if (!append_json_bytes(out, record.key, options_.key_encoding, json)) {
          return "record " + record_position(record) +
                 ": the key is not valid JSON (key encoding json)";
        }
        break;
      case EnvelopeField::headers:
        append_headers_json(out, record, options_.value_encoding);
        break;
      case EnvelopeField::value:
        if (!append_json_bytes(out, record.value, options_.value_encoding, json)) {
          return "record " + record_position(record) +
                 ": the value is not valid JSON (value encoding json); set format.value_encoding "
                 "to string or base64, or choose a bad_records policy";
        }
        break;
      case EnvelopeField::op:
        if (op == ChangeOp::none) {
          out += "null";
        } else {
          append_json_string(out, change_op_letter(op));
        }
        break;
    }
  }
  out += "}\n";
  return std::nullopt;
}

std::optional<std::string> RecordEncoder::encode_csv(const RecordView& record, ChangeOp op,
                                                     JsonReader& json, std::string& out) const {
  bool first = true;
  for (EnvelopeField field : options_.fields) {
    if (!first) out += ',';
    first = false;
    switch (field) {
      case EnvelopeField::topic:
        append_csv_field(out, record.topic);
        break;
      case EnvelopeField::partition:
        append_int(out, record.partition);
        break;
      case EnvelopeField::offset:
        append_int(out, record.offset);
        break;
      case EnvelopeField::timestamp:
        if (record.timestamp_ms >= 0) append_int(out, record.timestamp_ms);
        break;
      case EnvelopeField::key:
        if (!append_csv_bytes(out, record.key, options_.key_encoding, json)) {
          return "record " + record_position(record) +
                 ": the key is not valid JSON (key encoding json)";
        }
        break;
      case EnvelopeField::headers: {
        std::string headers;
        append_headers_json(headers, record, options_.value_encoding);
        append_csv_field(out, headers);
        break;
      }
      case EnvelopeField::value:
        if (!append_csv_bytes(out, record.value, options_.value_encoding, json)) {
          return "record " + record_position(record) +
                 ": the value is not valid JSON (value encoding json); set format.value_encoding "
                 "to string or base64, or choose a bad_records policy";
        }
        break;
      case EnvelopeField::op:
        out += change_op_letter(op);
        break;
    }
  }
  out += "\r\n";
  return std::nullopt;
}

namespace {

// Appends an optional text of the row layout (parquet_row.hpp) rendered by `encoding`, in place.
bool append_row_bytes(std::string& out, std::optional<std::string_view> bytes,
                      BytesEncoding encoding, JsonReader& json) {
  append_row_u8(out, bytes ? 1 : 0);
  if (!bytes) return true;
  const std::size_t length_at = out.size();
  append_row_text(out, {});  // the length, patched below
  const std::size_t start = out.size();
  switch (encoding) {
    case BytesEncoding::json:
      if (std::memchr(bytes->data(), '\n', bytes->size()) ||
          std::memchr(bytes->data(), '\r', bytes->size())) {
        if (!json.minify(*bytes, out)) return false;
      } else {
        if (!json.is_valid(*bytes)) return false;
        out += *bytes;
      }
      break;
    case BytesEncoding::string:
      ks3::json::append_valid_utf8(out, *bytes);
      break;
    case BytesEncoding::base64:
      append_base64(out, *bytes);
      break;
  }
  const auto length = static_cast<std::uint32_t>(out.size() - start);
  std::memcpy(out.data() + length_at, &length, sizeof(length));
  return true;
}

}  // namespace

std::optional<std::string> RecordEncoder::encode_parquet_datum(const RecordView& record,
                                                               ChangeOp op, JsonReader& json,
                                                               std::string& out) const {
  const std::size_t start = out.size();
  auto error = encode_parquet(record, op, json, out, true);
  if (error) out.resize(start);
  return error;
}

std::optional<std::string> RecordEncoder::encode_parquet(const RecordView& record, ChangeOp op,
                                                         JsonReader& json, std::string& out,
                                                         bool datum) const {
  std::string text;
  ks3::json::append_valid_utf8(text, record.topic);
  append_row_text(out, text);
  append_row_i32(out, record.partition);
  append_row_i64(out, record.offset);
  append_row_i64(out, record.timestamp_ms < 0 ? -1 : record.timestamp_ms);
  if (!append_row_bytes(out, record.key, options_.key_encoding, json)) {
    return "record " + record_position(record) + ": the key is not valid JSON (key encoding json)";
  }
  append_row_i32(out, static_cast<std::int32_t>(record.headers.size()));
  for (const RecordHeader& header : record.headers) {
    text.clear();
    ks3::json::append_valid_utf8(text, header.name);
    append_row_text(out, text);
    // Header values as in JSON lines: by the value encoding, json treated as string.
    const BytesEncoding encoding = options_.value_encoding == BytesEncoding::base64
                                       ? BytesEncoding::base64
                                       : BytesEncoding::string;
    append_row_bytes(out, header.value, encoding, json);
  }
  append_row_u8(out, op == ChangeOp::none ? 0 : static_cast<std::uint8_t>(change_op_letter(op)[0]));
  if (datum) {
    append_row_u8(out, record.value ? 1 : 0);
    if (record.value) append_row_text(out, *record.value);
    return std::nullopt;
  }
  const std::size_t value_at = out.size();
  if (!append_row_bytes(out, record.value, options_.value_encoding, json)) {
    return "record " + record_position(record) +
           ": the value is not valid JSON (value encoding json); set format.value_encoding "
           "to string or base64, or choose a bad_records policy";
  }
  if (options_.parquet_value == ParquetValueMode::infer && record.value) {
    // The object reads the value with boost::json at the cut: check now, while the record can
    // still go through the bad-record policy (nesting deeper than 1000, numbers out of range).
    const std::string_view text =
        std::string_view(out).substr(value_at + 1 + sizeof(std::uint32_t));
    if (!with_json_value(text, [](const boost::json::value&) {})) {
      return "record " + record_position(record) +
             ": the value cannot be read for parquet.value infer (nested deeper than 1000 levels "
             "or a number out of range); use parquet.value json";
    }
  }
  return std::nullopt;
}

void encode_dead_letter(const RecordView& record, std::string_view reason, std::string& out) {
  out += "{\"topic\":";
  append_json_string(out, record.topic);
  out += ",\"partition\":";
  append_int(out, record.partition);
  out += ",\"offset\":";
  append_int(out, record.offset);
  out += ",\"timestamp\":";
  if (record.timestamp_ms < 0) {
    out += "null";
  } else {
    append_int(out, record.timestamp_ms);
  }
  out += ",\"headers\":";
  append_headers_json(out, record, BytesEncoding::base64);
  out += ",\"key_base64\":";
  if (record.key) {
    out += '"';
    append_base64(out, *record.key);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"value_base64\":";
  if (record.value) {
    out += '"';
    append_base64(out, *record.value);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"error\":";
  append_json_string(out, reason);
  out += "}\n";
}

}  // namespace ks3::server

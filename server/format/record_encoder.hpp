// Encoding records into object bytes: JSON lines (an envelope with selectable fields), raw
// value bytes with a delimiter, or CSV. Pure: no I/O, deterministic (nothing from the clock).
//
// jsonl: one JSON object per line, fields in the configured order, e.g.
//   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000123,"key":"k","value":{...}}
//   - timestamp: Kafka's milliseconds since the epoch, null when the record has none;
//   - key/value by their encoding: json (the bytes must be valid JSON and are embedded as they
//     are, minified if they span lines), string (a JSON string; invalid UTF-8 becomes U+FFFD),
//     base64 (a JSON string); a null key or a tombstone is null;
//   - headers: [{"key":"name","value":"text"}...] (value by the value encoding, json treated as
//     string; null stays null);
//   - op: the Debezium operation letter (debezium.hpp), null when none.
// raw: the value bytes followed by the delimiter (default "\n"); a tombstone is just the delimiter.
// parquet: the record validated and rendered once into a ParquetRow (parquet_row.hpp) that the
//   object's ParquetObject turns into columns (parquet_object.hpp).
// csv: RFC 4180, one row per record (CRLF line ends), the same fields as columns, an optional
//   header row per object; key/value as text (json and string) or base64; null is an empty field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/record/debezium.hpp"
#include "server/record/json_path.hpp"
#include "server/record/record.hpp"

namespace ks3::server {

// avro: object container files of the records' Avro datums (needs format.input avro; the
// pipeline hands the datums to an AvroObject, this encoder is not used).
enum class OutputFormat { jsonl, raw, csv, parquet, avro };
// How a Parquet object stores the record value: one JSON text column, or columns inferred from
// the object's records (json_inference.hpp).
enum class ParquetValueMode { json, infer };
enum class BytesEncoding { json, string, base64 };
enum class EnvelopeField { topic, partition, offset, timestamp, key, headers, value, op };

std::optional<OutputFormat> parse_output_format(std::string_view text);
std::optional<BytesEncoding> parse_bytes_encoding(std::string_view text);
std::optional<EnvelopeField> parse_envelope_field(std::string_view text);
std::optional<ParquetValueMode> parse_parquet_value_mode(std::string_view text);
std::string_view to_string(ParquetValueMode mode);
std::string_view to_string(OutputFormat format);
std::string_view to_string(BytesEncoding encoding);
std::string_view to_string(EnvelopeField field);

struct EncoderOptions {
  OutputFormat format = OutputFormat::jsonl;
  std::vector<EnvelopeField> fields = {EnvelopeField::topic,  EnvelopeField::partition,
                                       EnvelopeField::offset, EnvelopeField::timestamp,
                                       EnvelopeField::key,    EnvelopeField::value};
  BytesEncoding value_encoding = BytesEncoding::json;
  BytesEncoding key_encoding = BytesEncoding::string;
  std::string delimiter = "\n";  // raw only
  bool csv_header = true;
  // parquet only (the codec is compression.type)
  ParquetValueMode parquet_value = ParquetValueMode::json;
  std::uint64_t parquet_row_group_bytes = 64ULL << 20;
};

class RecordEncoder {
 public:
  explicit RecordEncoder(EncoderOptions options);

  // Appends one encoded record to `out`. A key or value that must be JSON but is not: appends
  // nothing and returns an error naming topic/partition/offset (for the bad-record policy).
  std::optional<std::string> encode(const RecordView& record, ChangeOp op, JsonReader& json,
                                    std::string& out) const;

  // format parquet, with Avro input typed from the writer schema: the same row, but the value is
  // an Avro datum (validated by the input) and goes in as its bytes.
  std::optional<std::string> encode_parquet_datum(const RecordView& record, ChangeOp op,
                                                  JsonReader& json, std::string& out) const;

  // Bytes that start every object (the CSV header row), possibly empty.
  std::string object_header() const;

  // ".jsonl", ".csv", ".parquet", ".avro" or ".bin" (raw, as Kafka Connect's ByteArrayFormat).
  std::string_view extension() const;

  bool needs_op() const { return needs_op_; }
  const EncoderOptions& options() const { return options_; }

 private:
  std::optional<std::string> encode_jsonl(const RecordView& record, ChangeOp op, JsonReader& json,
                                          std::string& out) const;
  std::optional<std::string> encode_parquet(const RecordView& record, ChangeOp op, JsonReader& json,
                                            std::string& out, bool datum = false) const;
  std::optional<std::string> encode_csv(const RecordView& record, ChangeOp op, JsonReader& json,
                                        std::string& out) const;
  bool append_json_bytes(std::string& out, std::optional<std::string_view> bytes,
                         BytesEncoding encoding, JsonReader& json) const;
  bool append_csv_bytes(std::string& out, std::optional<std::string_view> bytes,
                        BytesEncoding encoding, JsonReader& json) const;

  EncoderOptions options_;
  bool needs_op_ = false;
  // JSON lines: what precedes each field's value, `{"topic":` then `,"partition":` and so on.
  std::vector<std::string> jsonl_field_prefixes_;
};

// The dead-letter form of a record that could not be written (bad-record policy dead_letter):
// a JSON line with every field, key and value in base64 (lossless), and the reason.
void encode_dead_letter(const RecordView& record, std::string_view reason, std::string& out);

// "topic/partition/offset" for messages, e.g. "orders/3/1234".
std::string record_position(const RecordView& record);

}  // namespace ks3::server

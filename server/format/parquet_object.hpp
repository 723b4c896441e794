// The body of one Parquet object (format.type parquet): rows from the RecordEncoder
// (parquet_row.hpp) in, the bytes of one Parquet file out. Pure: no I/O, no clock; the same rows
// give the same bytes (row groups close by size only), so a replayed object is identical.
//
// Columns, in format.fields order (all but topic/partition/offset OPTIONAL):
//   topic STRING, partition INT32, offset INT64, timestamp TIMESTAMP(MILLIS, UTC),
//   key STRING (JSON with key_encoding json), headers LIST<{key STRING, value STRING}>,
//   op STRING (Debezium letter), value:
//     parquet.value json:  one column, JSON (value_encoding json) or STRING (string, base64);
//     parquet.value infer: a column inferred from the object's values (json_inference.hpp);
//       with Avro input, typed from the object's Avro writer schema instead (avro_parquet.hpp:
//       the rows carry the datums, decoded here).
//
// Memory: with parquet.value json the rows go straight into the ParquetWriter, which buffers
// the open row group column by column (compressed pages) and hands out each closed row group.
// With infer on JSON the schema is known only once the object is complete, so the rows are held (in
// their compact encoded form) until finish() and written then; rotation.max_bytes bounds them.
// held_bytes() counts both, for the pipeline's memory budget.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/compress/compressor.hpp"
#include "server/format/avro_values.hpp"
#include "server/format/json_inference.hpp"
#include "server/format/object_body.hpp"
#include "server/format/parquet/writer.hpp"
#include "server/format/parquet_row.hpp"
#include "server/format/record_encoder.hpp"

namespace ks3::server {

struct ParquetObjectOptions {
  std::vector<EnvelopeField> fields;
  ParquetValueMode value_mode = ParquetValueMode::json;
  BytesEncoding key_encoding = BytesEncoding::string;
  BytesEncoding value_encoding = BytesEncoding::json;
  parquet::WriterOptions writer;
};

// The options from the format settings; the page codec from compression.type / level.
ParquetObjectOptions parquet_object_options(const EncoderOptions& format, Compression compression,
                                            int level);
parquet::Codec parquet_codec(Compression compression);

class ParquetObject final : public ObjectBody {
 public:
  // `avro`: the records' Avro writer schema (rows carry datums; the value columns come from it).
  explicit ParquetObject(ParquetObjectOptions options,
                         std::shared_ptr<const AvroWriterSchema> avro = nullptr);
  ~ParquetObject() override;
  ParquetObject(const ParquetObject&) = delete;
  ParquetObject& operator=(const ParquetObject&) = delete;

  // One row written by RecordEncoder::encode (format parquet). Throws std::logic_error for a
  // malformed row or a value that is not the JSON the encoder validated (bugs).
  void add(std::string_view row) override;
  // Appends the finished file bytes so far (closed row groups) to `out`.
  void take_bytes(std::string& out) override;
  // Appends the rest of the file (footer included) to `out`. Add nothing afterwards.
  void finish(std::string& out) override;
  // Bytes held: encoded rows waiting (infer) and the writer's buffers.
  std::size_t held_bytes() const override;
  std::uint64_t rows() const { return rows_; }

 private:
  parquet::Schema schema_for(const InferredType* value) const;
  void write(const ParquetRow& row, const boost::json::value* parsed);
  bool holds_rows() const { return options_.value_mode == ParquetValueMode::infer && !avro_; }

  ParquetObjectOptions options_;
  std::shared_ptr<const AvroWriterSchema> avro_;
  avro::Value avro_value_;  // the decoded datum, reused
  avro::Error avro_error_;
  std::unique_ptr<parquet::ParquetWriter> writer_;  // json: from the start; infer: at finish
  InferredType inferred_;
  // infer: encoded rows until finish, in chunks of 16 KiB doubling to 1 MiB (a row never spans
  // two).
  // One growing string copied every row again at each doubling and faulted in twice its final
  // size: with 1 KiB documents that copying was the largest cost of the infer path (perf).
  std::vector<std::string> held_rows_;
  std::size_t held_capacity_ = 0;  // sum of the chunks' capacities
  std::uint64_t rows_ = 0;
  ParquetRow row_;        // reused
  parquet::Value value_;  // the Parquet row, reused
};

}  // namespace ks3::server

// ParquetWriter: builds one Parquet file in memory, row group by row group. Pure: no I/O, no
// clock; the same rows and options give the same bytes.
//
//   Schema schema({Node::int64("id", Repetition::kRequired),
//                  Node::string("name", Repetition::kOptional)});
//   ParquetWriter w(schema, {.codec = Codec::kZstd, .row_group_bytes = 64 << 20});
//   w.write_row(Value::structure({Value::integer(1), Value::string_ref("a")}));  // row API
//   w.column(0).put_int64(2); w.column(1).put_null(0); w.end_rows();             // column API
//   w.buffered_bytes();     // memory held, for the sink's memory budget
//   std::string object;
//   w.finish(object);       // "PAR1" ... footer ... "PAR1": upload `object`
//
// Rows go in through the RowBuilder (write_row, Value model) or column-wise through column(i)
// (ColumnWriter::put_*; each leaf gets its values with definition/repetition levels, and every
// column must have received the same number of rows before the row group is flushed).
//
// The open row group is kept as compressed pages per column; it is closed (its column chunks
// appended to the file bytes) when its estimated size reaches WriterOptions::row_group_bytes
// (checked after each write_row and by end_rows), by flush_row_group(), and by finish().
// take_bytes() hands out the finished bytes so far (e.g. as multipart upload parts), finish()
// the rest with the footer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/format/parquet/codec.hpp"
#include "server/format/parquet/column_writer.hpp"
#include "server/format/parquet/metadata.hpp"
#include "server/format/parquet/row_builder.hpp"
#include "server/format/parquet/schema.hpp"
#include "server/format/parquet/value.hpp"
#include "server/format/parquet/writer_options.hpp"

namespace ks3::parquet {

class ParquetWriter {
 public:
  explicit ParquetWriter(Schema schema, WriterOptions options = {});
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  const Schema& schema() const { return *schema_; }
  const WriterOptions& options() const { return *options_; }

  // Row API: one row (a struct Value, fields in schema order). Throws std::invalid_argument
  // (nothing written) when the row does not fit the schema; may close the row group.
  void write_row(const Value& row);

  // Column API: the leaf column writers, in schema order (Schema::columns()).
  size_t num_columns() const { return columns_.size(); }
  ColumnWriter& column(size_t i) { return columns_[i]; }
  // After whole rows went in column-wise: closes the row group when it is full.
  void end_rows();

  // Rows in the file so far (closed row groups + the open one, by the first column).
  int64_t num_rows() const;
  // Bytes held by the writer: finished file bytes not yet taken + the open row group's pages,
  // page buffers and dictionaries. Counts in the caller's memory budget.
  size_t buffered_bytes() const;
  // Estimated size of the open row group in the file.
  size_t row_group_bytes() const;

  // Closes the open row group (nothing when it has no rows). Throws std::logic_error when the
  // columns hold different numbers of rows (column API misuse).
  void flush_row_group();
  // Bytes of closed row groups (and the leading magic) not taken yet.
  size_t finished_bytes() const { return out_.size(); }
  // Appends the finished bytes so far (magic + closed row groups) to `sink` and drops them
  // (an empty `sink` swaps buffers with the writer: no copy, and a sink that is cleared after
  // each upload keeps two buffers warm between them).
  void take_bytes(std::string& sink);
  // Frees the buffers kept between row groups (page, dictionary, chunk and file buffers keep
  // their capacity for the next row group, as refilling touched memory is much cheaper than
  // fresh pages). For a writer that stays idle; buffered_bytes() drops accordingly.
  void release_buffers();
  // Closes the open row group, appends the rest of the file (footer and trailing magic included)
  // to `sink` (an empty `sink` takes the writer's buffer without a copy). The writer takes no more
  // rows afterwards (std::logic_error).
  void finish(std::string& sink);

 private:
  void check_open() const;

  std::unique_ptr<Schema> schema_;  // stable addresses for the column writers and the builder
  std::unique_ptr<WriterOptions> options_;
  std::unique_ptr<Compressor> compressor_;
  std::unique_ptr<PageScratch> scratch_;
  std::vector<ColumnWriter> columns_;
  RowBuilder builder_;
  FileMetaData meta_;
  std::string out_;          // finished bytes not yet taken
  int64_t file_offset_ = 0;  // bytes of the file before out_
  bool finished_ = false;
};

}  // namespace ks3::parquet

// Buffers one leaf column of the current row group as encoded (and compressed) v1 data pages.
//
// Values arrive one by one with their repetition level: put_* for a value that is present (at the
// column's max definition level), put_null(def, rep) for a null or an empty/absent ancestor at
// definition level def < max. A page is closed when its estimated size reaches
// WriterOptions::page_bytes, always at a row boundary (repetition level 0).
//
// BYTE_ARRAY columns start dictionary-encoded (RLE_DICTIONARY pages, one PLAIN dictionary page
// at the head of the chunk). When the first page shows the dictionary does not pay (dictionary +
// indices not smaller than plain), or the dictionary outgrows WriterOptions::dictionary_bytes,
// the column falls back to PLAIN for the rest of the chunk (pages already written stay
// dictionary-encoded, as the spec allows). Each new chunk (row group) tries the dictionary again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/format/parquet/codec.hpp"
#include "server/format/parquet/dictionary.hpp"
#include "server/format/parquet/metadata.hpp"
#include "server/format/parquet/schema.hpp"
#include "server/format/parquet/statistics.hpp"
#include "server/format/parquet/writer_options.hpp"

namespace ks3::parquet {

// Scratch buffers for building one page at a time, shared by the column writers of a file.
struct PageScratch {
  std::string body;
  std::string compressed;
  std::string header;
  size_t capacity() const { return body.capacity() + compressed.capacity() + header.capacity(); }
};

class ColumnWriter {
 public:
  ColumnWriter(const Column& column, const WriterOptions& options, Compressor& compressor,
               PageScratch& scratch);

  const Column& column() const { return column_; }

  // Present values; the method must match the physical type (else std::logic_error).
  void put_bool(bool v, int16_t rep = 0);
  void put_int32(int32_t v, int16_t rep = 0);
  void put_int64(int64_t v, int16_t rep = 0);
  void put_float(float v, int16_t rep = 0);
  void put_double(double v, int16_t rep = 0);
  // BYTE_ARRAY, or FIXED_LEN_BYTE_ARRAY of exactly type_length bytes (else std::invalid_argument).
  void put_bytes(std::string_view v, int16_t rep = 0);
  // def < max definition level (std::logic_error otherwise).
  void put_null(int16_t def, int16_t rep = 0);

  // Rows begun in this chunk (values at repetition level 0).
  int64_t num_rows() const { return rows_; }
  // Bytes held (allocated): finished pages + the open page + the dictionary.
  size_t buffered_bytes() const;
  // Estimated bytes this chunk will take in the file (for the row-group size check).
  size_t estimated_chunk_bytes() const;

  // Closes the open page, appends the chunk ([dictionary page] data pages) to `file`, whose first
  // byte is at `file_offset` in the file, and returns its metadata. Resets for the next chunk.
  ColumnChunk finish_chunk(std::string& file, int64_t file_offset);
  // Frees the buffers an empty chunk keeps (their capacity is otherwise reused by the next one).
  // Only between chunks: the open chunk must be empty.
  void release_buffers();

  bool dictionary_active() const { return dict_mode_; }

 private:
  void begin_value(int16_t def, int16_t rep);
  void check_type(PhysicalType t) const;
  void close_page();
  void fall_back_to_plain();
  void write_page(PageType type, std::string_view body, int32_t num_values, Encoding encoding);
  size_t open_page_bytes() const;

  Column column_;
  const WriterOptions& options_;
  Compressor& compressor_;
  PageScratch& scratch_;
  ColumnStatistics stats_;
  int def_width_;
  int rep_width_;

  // The open page.
  std::vector<uint16_t> def_;
  std::vector<uint16_t> rep_;
  std::string values_;             // PLAIN values (BOOLEAN: one byte per value until packed)
  std::vector<uint32_t> indices_;  // dictionary mode
  int32_t page_values_ = 0;        // levels (values + nulls)
  int32_t page_present_ = 0;
  size_t page_plain_bytes_ = 0;  // what the open page's values take PLAIN-encoded

  // The chunk.
  ByteArrayDictionary dict_;
  bool dict_mode_ = false;
  int32_t dict_pages_ = 0;    // data pages that went out dictionary-encoded
  int32_t plain_pages_ = 0;   // data pages that went out PLAIN
  std::string pages_;         // finished data pages, headers included
  int64_t uncompressed_ = 0;  // pages_ uncompressed, headers included
  int64_t num_values_ = 0;
  int64_t rows_ = 0;
};

}  // namespace ks3::parquet

#include "server/format/parquet/writer.hpp"

#include <stdexcept>

namespace ks3::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

std::vector<ColumnWriter> make_columns(const Schema& schema, const WriterOptions& options,
                                       Compressor& compressor, PageScratch& scratch) {
  std::vector<ColumnWriter> columns;
  columns.reserve(schema.columns().size());
  for (const Column& c : schema.columns()) columns.emplace_back(c, options, compressor, scratch);
  return columns;
}

}  // namespace

ParquetWriter::ParquetWriter(Schema schema, WriterOptions options)
    : schema_(std::make_unique<Schema>(std::move(schema))),
      options_(std::make_unique<WriterOptions>(std::move(options))),
      compressor_(std::make_unique<Compressor>(options_->codec, options_->compression_level)),
      scratch_(std::make_unique<PageScratch>()),
      columns_(make_columns(*schema_, *options_, *compressor_, *scratch_)),
      builder_(*schema_, columns_) {
  meta_.schema = schema_->to_thrift();
  meta_.created_by = options_->created_by;
  meta_.key_value_metadata = options_->key_value_metadata;
  meta_.num_leaf_columns = static_cast<int32_t>(columns_.size());
  out_.append(kMagic);
}

void ParquetWriter::check_open() const {
  if (finished_) throw std::logic_error("parquet: the writer is finished");
}

void ParquetWriter::write_row(const Value& row) {
  check_open();
  builder_.write_row(row);
  end_rows();
}

void ParquetWriter::end_rows() {
  if (row_group_bytes() >= options_->row_group_bytes) flush_row_group();
}

int64_t ParquetWriter::num_rows() const {
  return meta_.num_rows + (columns_.empty() ? 0 : columns_.front().num_rows());
}

size_t ParquetWriter::buffered_bytes() const {
  size_t n = out_.capacity() + scratch_->capacity();
  for (const auto& c : columns_) n += c.buffered_bytes();
  return n;
}

size_t ParquetWriter::row_group_bytes() const {
  size_t n = 0;
  for (const auto& c : columns_) n += c.estimated_chunk_bytes();
  return n;
}

void ParquetWriter::flush_row_group() {
  check_open();
  const int64_t rows = columns_.front().num_rows();
  for (const auto& c : columns_) {
    if (c.num_rows() != rows) {
      throw std::logic_error("parquet: column " + c.column().dotted_path() + " has " +
                             std::to_string(c.num_rows()) + " rows, the first column " +
                             std::to_string(rows));
    }
  }
  if (rows == 0) return;
  // One allocation for the row group's bytes (no doubling copies while appending the chunks).
  out_.reserve(out_.size() + row_group_bytes() + 1024);
  RowGroup rg;
  rg.num_rows = rows;
  const int64_t start = file_offset_ + static_cast<int64_t>(out_.size());
  rg.file_offset = start;
  for (auto& c : columns_) {
    const int64_t at = file_offset_ + static_cast<int64_t>(out_.size());
    ColumnChunk chunk = c.finish_chunk(out_, at);
    rg.total_byte_size += chunk.meta_data.total_uncompressed_size;
    rg.columns.push_back(std::move(chunk));
  }
  rg.total_compressed_size = file_offset_ + static_cast<int64_t>(out_.size()) - start;
  rg.ordinal = static_cast<int16_t>(meta_.row_groups.size());
  meta_.num_rows += rows;
  meta_.row_groups.push_back(std::move(rg));
}

void ParquetWriter::take_bytes(std::string& sink) {
  file_offset_ += static_cast<int64_t>(out_.size());
  if (sink.empty()) {
    sink.swap(out_);
  } else {
    sink.append(out_);
  }
  out_.clear();
}

void ParquetWriter::release_buffers() {
  if (num_rows() != meta_.num_rows) {
    throw std::logic_error("parquet: release_buffers with an open row group");
  }
  for (auto& c : columns_) c.release_buffers();
  std::string().swap(out_);
  // Swap, not assign: a moved-in empty string keeps the target's allocation.
  std::string().swap(scratch_->body);
  std::string().swap(scratch_->compressed);
  std::string().swap(scratch_->header);
}

void ParquetWriter::finish(std::string& sink) {
  flush_row_group();
  const size_t footer_at = out_.size();
  serialize(meta_, out_);
  const auto len = static_cast<uint32_t>(out_.size() - footer_at);
  for (int b = 0; b < 4; ++b) out_.push_back(static_cast<char>((len >> (8 * b)) & 0xFF));
  out_.append(kMagic);
  finished_ = true;
  take_bytes(sink);
}

}  // namespace ks3::parquet

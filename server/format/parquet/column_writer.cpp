#include "server/format/parquet/column_writer.hpp"

#include <algorithm>
#include <stdexcept>

#include "server/format/parquet/encoding.hpp"
#include "server/format/parquet/rle.hpp"

namespace ks3::parquet {

ColumnWriter::ColumnWriter(const Column& column, const WriterOptions& options,
                           Compressor& compressor, PageScratch& scratch)
    : column_(column),
      options_(options),
      compressor_(compressor),
      scratch_(scratch),
      stats_(column_),
      def_width_(bit_width_for(static_cast<uint64_t>(column.max_definition_level))),
      rep_width_(bit_width_for(static_cast<uint64_t>(column.max_repetition_level))) {
  dict_mode_ = options_.dictionary && column_.physical_type == PhysicalType::kByteArray;
}

void ColumnWriter::check_type(PhysicalType t) const {
  if (column_.physical_type != t) {
    throw std::logic_error("parquet: column " + column_.dotted_path() +
                           ": value of the wrong physical type");
  }
}

size_t ColumnWriter::open_page_bytes() const {
  return values_.size() + indices_.size() * 4 + (def_.size() + rep_.size()) / 4;
}

void ColumnWriter::begin_value(int16_t def, int16_t rep) {
  if (rep == 0) {
    // Pages end at row boundaries only.
    if (page_values_ > 0 && open_page_bytes() >= options_.page_bytes) close_page();
    ++rows_;
  }
  if (column_.max_definition_level > 0) def_.push_back(static_cast<uint16_t>(def));
  if (column_.max_repetition_level > 0) rep_.push_back(static_cast<uint16_t>(rep));
  ++page_values_;
}

void ColumnWriter::put_null(int16_t def, int16_t rep) {
  if (def >= column_.max_definition_level || def < 0) {
    throw std::logic_error("parquet: column " + column_.dotted_path() +
                           ": null at the max definition level (a required value is missing)");
  }
  begin_value(def, rep);
  stats_.add_nulls(1);
}

void ColumnWriter::put_bool(bool v, int16_t rep) {
  check_type(PhysicalType::kBoolean);
  begin_value(column_.max_definition_level, rep);
  values_.push_back(v ? 1 : 0);
  ++page_present_;
  stats_.add_int(v ? 1 : 0);
}

void ColumnWriter::put_int32(int32_t v, int16_t rep) {
  check_type(PhysicalType::kInt32);
  begin_value(column_.max_definition_level, rep);
  plain_append(values_, v);
  ++page_present_;
  stats_.add_int(v);
}

void ColumnWriter::put_int64(int64_t v, int16_t rep) {
  check_type(PhysicalType::kInt64);
  begin_value(column_.max_definition_level, rep);
  plain_append(values_, v);
  ++page_present_;
  stats_.add_int(v);
}

void ColumnWriter::put_float(float v, int16_t rep) {
  check_type(PhysicalType::kFloat);
  begin_value(column_.max_definition_level, rep);
  plain_append(values_, v);
  ++page_present_;
  stats_.add_double(v);
}

void ColumnWriter::put_double(double v, int16_t rep) {
  check_type(PhysicalType::kDouble);
  begin_value(column_.max_definition_level, rep);
  plain_append(values_, v);
  ++page_present_;
  stats_.add_double(v);
}

void ColumnWriter::put_bytes(std::string_view v, int16_t rep) {
  if (column_.physical_type == PhysicalType::kFixedLenByteArray) {
    if (v.size() != static_cast<size_t>(column_.type_length)) {
      throw std::invalid_argument("parquet: column " + column_.dotted_path() + ": " +
                                  std::to_string(v.size()) + " bytes for FIXED_LEN_BYTE_ARRAY(" +
                                  std::to_string(column_.type_length) + ")");
    }
    begin_value(column_.max_definition_level, rep);
    plain_append_fixed(values_, v);
    ++page_present_;
    stats_.add_bytes(v);
    return;
  }
  check_type(PhysicalType::kByteArray);
  begin_value(column_.max_definition_level, rep);
  ++page_present_;
  page_plain_bytes_ += 4 + v.size();
  if (dict_mode_) {
    bool inserted = false;
    indices_.push_back(dict_.intern(v, inserted));
    // Values already in the dictionary have been through the statistics.
    if (inserted) {
      stats_.add_bytes(v);
      if (dict_.plain_page().size() > options_.dictionary_bytes) fall_back_to_plain();
    }
    return;
  }
  plain_append_byte_array(values_, v);
  stats_.add_bytes(v);
}

void ColumnWriter::fall_back_to_plain() {
  // The open page's values go PLAIN; earlier pages keep their dictionary encoding.
  values_.clear();
  values_.reserve(page_plain_bytes_);
  for (uint32_t i : indices_) plain_append_byte_array(values_, dict_.value(i));
  indices_.clear();
  dict_mode_ = false;
  if (dict_pages_ == 0) dict_.clear();
}

void ColumnWriter::release_buffers() {
  std::string().swap(pages_);
  std::string().swap(values_);
  std::vector<uint32_t>().swap(indices_);
  std::vector<uint16_t>().swap(def_);
  std::vector<uint16_t>().swap(rep_);
  dict_.release();
}

size_t ColumnWriter::buffered_bytes() const {
  return pages_.capacity() + values_.capacity() + indices_.capacity() * 4 +
         (def_.capacity() + rep_.capacity()) * 2 + dict_.memory_bytes();
}

size_t ColumnWriter::estimated_chunk_bytes() const {
  return pages_.size() + open_page_bytes() +
         (dict_pages_ > 0 || dict_mode_ ? dict_.plain_page().size() : 0);
}

void ColumnWriter::write_page(PageType type, std::string_view body, int32_t num_values,
                              Encoding encoding) {
  std::string_view stored = body;
  if (compressor_.codec() != Codec::kUncompressed) {
    compressor_.compress(body, scratch_.compressed);
    stored = scratch_.compressed;
  }
  PageHeader h;
  h.type = type;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(stored.size());
  if (type == PageType::kDataPage) {
    h.data_page_header = DataPageHeader{.num_values = num_values, .encoding = encoding};
  } else {
    h.dictionary_page_header = DictionaryPageHeader{.num_values = num_values, .encoding = encoding};
  }
  std::string& header = scratch_.header;
  header.clear();
  serialize(h, header);
  uncompressed_ += static_cast<int64_t>(header.size() + body.size());
  pages_ += header;
  pages_.append(stored);
}

void ColumnWriter::close_page() {
  if (page_values_ == 0) return;
  // The dictionary must pay: judged once, on the chunk's first page.
  if (dict_mode_ && dict_pages_ == 0) {
    const size_t index_bytes =
        indices_.size() * static_cast<size_t>(std::max(1, bit_width_for(dict_.size()))) / 8;
    if (dict_.plain_page().size() + index_bytes >= page_plain_bytes_) fall_back_to_plain();
  }
  scratch_.body.clear();
  if (column_.max_repetition_level > 0)
    rle_encode_levels(rep_.data(), rep_.size(), rep_width_, scratch_.body);
  if (column_.max_definition_level > 0)
    rle_encode_levels(def_.data(), def_.size(), def_width_, scratch_.body);
  Encoding encoding = Encoding::kPlain;
  if (dict_mode_) {
    const int width = std::max(1, bit_width_for(dict_.size() - 1));
    scratch_.body.push_back(static_cast<char>(width));
    rle_encode(indices_.data(), indices_.size(), width, scratch_.body);
    encoding = Encoding::kRleDictionary;
    ++dict_pages_;
  } else if (column_.physical_type == PhysicalType::kBoolean) {
    BitPacker packer(scratch_.body, 1);
    for (char b : values_) packer.put(static_cast<uint64_t>(b));
    packer.flush();
    ++plain_pages_;
  } else {
    scratch_.body += values_;
    ++plain_pages_;
  }
  write_page(PageType::kDataPage, scratch_.body, page_values_, encoding);
  num_values_ += page_values_;
  def_.clear();
  rep_.clear();
  values_.clear();
  indices_.clear();
  page_values_ = 0;
  page_present_ = 0;
  page_plain_bytes_ = 0;
}

ColumnChunk ColumnWriter::finish_chunk(std::string& file, int64_t file_offset) {
  close_page();
  ColumnChunk chunk;
  ColumnMetaData& m = chunk.meta_data;
  m.type = column_.physical_type;
  m.path_in_schema = column_.path;
  m.codec = to_thrift(compressor_.codec());
  m.num_values = num_values_;
  m.statistics = stats_.to_thrift();

  int64_t offset = file_offset;
  size_t dict_stored = 0;
  if (dict_pages_ > 0) {
    // The dictionary page goes first: write it through pages_' scratch path into `file`.
    std::string data_pages;
    data_pages.swap(pages_);
    write_page(PageType::kDictionaryPage, dict_.plain_page(), static_cast<int32_t>(dict_.size()),
               Encoding::kPlain);
    dict_stored = pages_.size();
    file += pages_;
    pages_.swap(data_pages);
    m.dictionary_page_offset = offset;
    offset += static_cast<int64_t>(dict_stored);
  }
  m.data_page_offset = offset;
  file += pages_;
  m.total_uncompressed_size = uncompressed_;
  m.total_compressed_size = static_cast<int64_t>(dict_stored + pages_.size());

  m.encodings.push_back(Encoding::kPlain);  // data or dictionary page (and statistics)
  m.encodings.push_back(Encoding::kRle);
  if (dict_pages_ > 0) {
    m.encodings.push_back(Encoding::kRleDictionary);
    m.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kRleDictionary, dict_pages_});
  }
  if (plain_pages_ > 0) {
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, plain_pages_});
  }

  // Reset for the next chunk. The buffers keep their capacity: memory the process has touched
  // once is much cheaper to fill again than fresh pages (see release_buffers()).
  pages_.clear();
  uncompressed_ = 0;
  num_values_ = 0;
  rows_ = 0;
  stats_.reset();
  dict_.clear();
  dict_pages_ = plain_pages_ = 0;
  dict_mode_ = options_.dictionary && column_.physical_type == PhysicalType::kByteArray;
  return chunk;
}

}  // namespace ks3::parquet

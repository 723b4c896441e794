#include "server/format/parquet/metadata.hpp"

#include "server/format/parquet/thrift_compact.hpp"

namespace ks3::parquet {
namespace {

int32_t i32(auto e) {
  return static_cast<int32_t>(e);
}

void write_statistics(CompactEncoder& enc, int16_t id, const Statistics& s) {
  enc.begin_struct(id);
  if (s.null_count) enc.field_i64(3, *s.null_count);
  if (s.max_value) enc.field_binary(5, *s.max_value);
  if (s.min_value) enc.field_binary(6, *s.min_value);
  if (s.nan_count) enc.field_i64(9, *s.nan_count);
  enc.end_struct();
}

void write_logical_type(CompactEncoder& enc, const LogicalTypeAnnotation& t) {
  enc.begin_struct(10);  // SchemaElement.logicalType
  enc.begin_struct(static_cast<int16_t>(t.kind));
  switch (t.kind) {
    case LogicalTypeAnnotation::Kind::kDecimal:
      enc.field_i32(1, t.scale);
      enc.field_i32(2, t.precision);
      break;
    case LogicalTypeAnnotation::Kind::kTimestamp:
      enc.field_bool(1, t.utc);
      enc.begin_struct(2);  // TimeUnit union
      enc.begin_struct(static_cast<int16_t>(t.unit));
      enc.end_struct();
      enc.end_struct();
      break;
    default:  // empty annotation structs
      break;
  }
  enc.end_struct();
  enc.end_struct();
}

void write_schema_element(CompactEncoder& enc, const SchemaElement& e) {
  enc.begin_element_struct();
  if (e.type) enc.field_i32(1, i32(*e.type));
  if (e.type_length) enc.field_i32(2, *e.type_length);
  if (e.repetition_type) enc.field_i32(3, i32(*e.repetition_type));
  enc.field_binary(4, e.name);
  if (e.num_children) enc.field_i32(5, *e.num_children);
  if (e.converted_type) enc.field_i32(6, i32(*e.converted_type));
  if (e.scale) enc.field_i32(7, *e.scale);
  if (e.precision) enc.field_i32(8, *e.precision);
  if (e.logical_type) write_logical_type(enc, *e.logical_type);
  enc.end_struct();
}

void write_column_meta(CompactEncoder& enc, const ColumnMetaData& m) {
  enc.begin_struct(3);  // ColumnChunk.meta_data
  enc.field_i32(1, i32(m.type));
  enc.begin_list(2, CompactType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) enc.element_i32(i32(e));
  enc.begin_list(3, CompactType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const auto& p : m.path_in_schema) enc.element_binary(p);
  enc.field_i32(4, i32(m.codec));
  enc.field_i64(5, m.num_values);
  enc.field_i64(6, m.total_uncompressed_size);
  enc.field_i64(7, m.total_compressed_size);
  enc.field_i64(9, m.data_page_offset);
  if (m.dictionary_page_offset) enc.field_i64(11, *m.dictionary_page_offset);
  if (m.statistics) write_statistics(enc, 12, *m.statistics);
  if (!m.encoding_stats.empty()) {
    enc.begin_list(13, CompactType::kStruct, static_cast<uint32_t>(m.encoding_stats.size()));
    for (const auto& e : m.encoding_stats) {
      enc.begin_element_struct();
      enc.field_i32(1, i32(e.page_type));
      enc.field_i32(2, i32(e.encoding));
      enc.field_i32(3, e.count);
      enc.end_struct();
    }
  }
  enc.end_struct();
}

void write_row_group(CompactEncoder& enc, const RowGroup& rg) {
  enc.begin_element_struct();
  enc.begin_list(1, CompactType::kStruct, static_cast<uint32_t>(rg.columns.size()));
  for (const auto& c : rg.columns) {
    enc.begin_element_struct();
    enc.field_i64(2, c.file_offset);
    write_column_meta(enc, c.meta_data);
    enc.end_struct();
  }
  enc.field_i64(2, rg.total_byte_size);
  enc.field_i64(3, rg.num_rows);
  if (rg.file_offset) enc.field_i64(5, *rg.file_offset);
  if (rg.total_compressed_size) enc.field_i64(6, *rg.total_compressed_size);
  if (rg.ordinal) enc.field_i16(7, *rg.ordinal);
  enc.end_struct();
}

}  // namespace

void serialize(const PageHeader& h, std::string& out) {
  CompactEncoder enc(out);
  enc.begin_message();
  enc.field_i32(1, i32(h.type));
  enc.field_i32(2, h.uncompressed_page_size);
  enc.field_i32(3, h.compressed_page_size);
  if (h.crc) enc.field_i32(4, *h.crc);
  if (h.data_page_header) {
    const auto& d = *h.data_page_header;
    enc.begin_struct(5);
    enc.field_i32(1, d.num_values);
    enc.field_i32(2, i32(d.encoding));
    enc.field_i32(3, i32(d.definition_level_encoding));
    enc.field_i32(4, i32(d.repetition_level_encoding));
    enc.end_struct();
  }
  if (h.dictionary_page_header) {
    const auto& d = *h.dictionary_page_header;
    enc.begin_struct(7);
    enc.field_i32(1, d.num_values);
    enc.field_i32(2, i32(d.encoding));
    enc.end_struct();
  }
  enc.end_message();
}

void serialize(const FileMetaData& m, std::string& out) {
  CompactEncoder enc(out);
  enc.begin_message();
  enc.field_i32(1, m.version);
  enc.begin_list(2, CompactType::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const auto& e : m.schema) write_schema_element(enc, e);
  enc.field_i64(3, m.num_rows);
  enc.begin_list(4, CompactType::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const auto& rg : m.row_groups) write_row_group(enc, rg);
  if (!m.key_value_metadata.empty()) {
    enc.begin_list(5, CompactType::kStruct, static_cast<uint32_t>(m.key_value_metadata.size()));
    for (const auto& kv : m.key_value_metadata) {
      enc.begin_element_struct();
      enc.field_binary(1, kv.key);
      if (kv.value) enc.field_binary(2, *kv.value);
      enc.end_struct();
    }
  }
  if (m.created_by) enc.field_binary(6, *m.created_by);
  if (m.type_defined_column_orders && m.num_leaf_columns > 0) {
    enc.begin_list(7, CompactType::kStruct, static_cast<uint32_t>(m.num_leaf_columns));
    for (int32_t i = 0; i < m.num_leaf_columns; ++i) {
      enc.begin_element_struct();
      enc.begin_struct(1);  // TYPE_ORDER: TypeDefinedOrder {}
      enc.end_struct();
      enc.end_struct();
    }
  }
  enc.end_message();
}

}  // namespace ks3::parquet

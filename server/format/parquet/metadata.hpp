// Parquet file metadata (the subset of parquet-format's parquet.thrift this writer emits) and its
// serialisation in the Thrift compact protocol: page headers and the FileMetaData footer.
// Field ids follow parquet.thrift; optional fields are written only when set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ks3::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // never written
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kJson = 19,
};

enum class FieldRepetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kRleDictionary = 8,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kZstd = 6,
};

enum class PageType : int32_t { kDataPage = 0, kDictionaryPage = 2 };

// The LogicalType union (field ids of parquet.thrift's LogicalType).
struct LogicalTypeAnnotation {
  enum class Kind : int16_t {
    kString = 1,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,
    kDate = 6,
    kTimestamp = 8,
    kJson = 12,
    kUuid = 14,
  };
  enum class TimeUnit : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };
  Kind kind = Kind::kString;
  int32_t scale = 0;                  // DECIMAL
  int32_t precision = 0;              // DECIMAL
  bool utc = true;                    // TIMESTAMP isAdjustedToUTC
  TimeUnit unit = TimeUnit::kMillis;  // TIMESTAMP
};

struct Statistics {
  std::optional<std::string> max_value;  // plain-encoded, byte arrays without length prefix
  std::optional<std::string> min_value;
  std::optional<int64_t> null_count;
  std::optional<int64_t> nan_count;  // FLOAT / DOUBLE columns only
};

struct SchemaElement {
  std::optional<PhysicalType> type;  // leaves only
  std::optional<int32_t> type_length;
  std::optional<FieldRepetition> repetition_type;  // all but the root
  std::string name;
  std::optional<int32_t> num_children;  // groups only
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<LogicalTypeAnnotation> logical_type;
};

struct DataPageHeader {
  int32_t num_values = 0;  // including nulls
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // pages including their headers
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;  // written when not empty
};

struct ColumnChunk {
  int64_t file_offset = 0;  // deprecated; 0 as the spec asks
  ColumnMetaData meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first, root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;  // written when not empty
  std::optional<std::string> created_by;
  // One TYPE_ORDER ColumnOrder per leaf column when set (min_value/max_value are then defined).
  bool type_defined_column_orders = true;
  int32_t num_leaf_columns = 0;
};

// Appends the compact-protocol serialisation of a page header / the footer metadata to `out`.
void serialize(const PageHeader& header, std::string& out);
void serialize(const FileMetaData& metadata, std::string& out);

}  // namespace ks3::parquet

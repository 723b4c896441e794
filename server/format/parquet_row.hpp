// The row a record becomes on its way into a Parquet object (format.type parquet). The encoder
// (RecordEncoder) validates and renders the record once, on the record path, into this compact
// binary form; the object (ParquetObject) reads it back. Pure, no I/O.
//
// Rendering (the same texts as JSON lines): key and value by their encoding (json: the JSON
// text, minified when it spans lines, validated; string: UTF-8, invalid sequences replaced by
// U+FFFD; base64), header values by the value encoding (json as string), the Debezium op letter.
//
// Layout (little-endian): topic (u32 length + bytes), partition i32, offset i64, timestamp i64
// (-1: none), key (u8 present [+ u32 length + bytes]), header count u32 and per header the name
// (u32 + bytes) and the value (u8 present [+ u32 + bytes]), op (u8: 0 none, else the letter),
// value (u8 present [+ u32 + bytes]).
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks3::server {

struct ParquetRow {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;
  std::optional<std::string_view> key;
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> headers;
  char op = 0;  // 0: none
  std::optional<std::string_view> value;
};

// Appends `row` in the layout above.
void append_parquet_row(std::string& out, const ParquetRow& row);
// Writers that render texts in place: the pieces of the layout.
void append_row_text(std::string& out, std::string_view text);
void append_row_u8(std::string& out, std::uint8_t v);
void append_row_i32(std::string& out, std::int32_t v);
void append_row_i64(std::string& out, std::int64_t v);

// Reads one row from the front of `bytes` (views into `bytes`) and advances `bytes` past it.
// False on a truncated or malformed row (a bug: rows come from append_parquet_row).
bool read_parquet_row(std::string_view& bytes, ParquetRow& row);

// Parses a JSON value the way the Parquet object reads values (boost::json, nesting up to 1000).
// The encoder validates infer-mode values with it, so the object never meets one it cannot read.
// `out` gets its memory from `storage` (its own storage must be the same, or the value is copied).
bool parse_json_value(std::string_view text, boost::json::value& out,
                      boost::json::storage_ptr storage = {});

// Parses `text` as parse_json_value does into memory on the stack (heap blocks only past
// kJsonStackBytes, freed on return) and calls use(value) while it lives; false, without calling
// it, when `text` does not parse. parquet.value infer reads every value three times (encoder
// check, schema merge, row at the cut); with boost::json's default allocator each parse made one
// heap allocation per container and per string longer than its inline buffer.
inline constexpr std::size_t kJsonStackBytes = 16 * 1024;
template <typename Use>
bool with_json_value(std::string_view text, Use&& use) {
  alignas(std::max_align_t) unsigned char buffer[kJsonStackBytes];
  boost::json::monotonic_resource memory(buffer, sizeof buffer);
  const boost::json::storage_ptr storage(&memory);
  boost::json::value value(storage);
  if (!parse_json_value(text, value, storage)) return false;
  use(static_cast<const boost::json::value&>(value));
  return true;
}

}  // namespace ks3::server

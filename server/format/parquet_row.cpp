#include "server/format/parquet_row.hpp"

#include <boost/json/parse.hpp>
#include <cstring>

namespace ks3::server {
namespace {

template <typename T>
void put(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));  // the machine is little-endian (x86-64, aarch64)
  out.append(bytes, sizeof(T));
}

template <typename T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

bool get_text(std::string_view& in, std::string_view& text) {
  std::uint32_t size = 0;
  if (!get(in, size) || in.size() < size) return false;
  text = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

bool get_optional(std::string_view& in, std::optional<std::string_view>& text) {
  std::uint8_t present = 0;
  if (!get(in, present)) return false;
  if (!present) {
    text.reset();
    return true;
  }
  std::string_view t;
  if (!get_text(in, t)) return false;
  text = t;
  return true;
}

void put_optional(std::string& out, std::optional<std::string_view> text) {
  append_row_u8(out, text ? 1 : 0);
  if (text) append_row_text(out, *text);
}

}  // namespace

void append_row_text(std::string& out, std::string_view text) {
  put(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}
void append_row_u8(std::string& out, std::uint8_t v) {
  put(out, v);
}
void append_row_i32(std::string& out, std::int32_t v) {
  put(out, v);
}
void append_row_i64(std::string& out, std::int64_t v) {
  put(out, v);
}

void append_parquet_row(std::string& out, const ParquetRow& row) {
  append_row_text(out, row.topic);
  append_row_i32(out, row.partition);
  append_row_i64(out, row.offset);
  append_row_i64(out, row.timestamp_ms);
  put_optional(out, row.key);
  put(out, static_cast<std::uint32_t>(row.headers.size()));
  for (const auto& [name, value] : row.headers) {
    append_row_text(out, name);
    put_optional(out, value);
  }
  append_row_u8(out, static_cast<std::uint8_t>(row.op));
  put_optional(out, row.value);
}

bool read_parquet_row(std::string_view& bytes, ParquetRow& row) {
  std::uint32_t headers = 0;
  std::uint8_t op = 0;
  if (!get_text(bytes, row.topic) || !get(bytes, row.partition) || !get(bytes, row.offset) ||
      !get(bytes, row.timestamp_ms) || !get_optional(bytes, row.key) || !get(bytes, headers)) {
    return false;
  }
  row.headers.clear();
  for (std::uint32_t i = 0; i < headers; ++i) {
    std::string_view name;
    std::optional<std::string_view> value;
    if (!get_text(bytes, name) || !get_optional(bytes, value)) return false;
    row.headers.emplace_back(name, value);
  }
  if (!get(bytes, op) || !get_optional(bytes, row.value)) return false;
  row.op = static_cast<char>(op);
  return true;
}

bool parse_json_value(std::string_view text, boost::json::value& out,
                      boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = 1000;  // simdjson's validation accepts deep documents too
  boost::system::error_code error;
  out = boost::json::parse(text, error, std::move(storage), options);
  return !error;
}

}  // namespace ks3::server

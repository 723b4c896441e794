// Thrift compact protocol encoder: just what the Parquet footer and page headers need (structs,
// lists, i16/i32/i64, binary, bool, double). Writes into a caller-owned std::string; no I/O.
//
// Wire format (Thrift compact protocol spec):
// - integers are zigzag varints (ULEB128 of (n << 1) ^ (n >> 63));
// - a field header is one byte (field-id delta << 4) | type when the delta to the previous field
//   of the same struct is 1..15, else the type byte followed by the zigzag varint field id;
// - a bool field carries its value in the type nibble (1 true, 2 false);
// - a list header is (size << 4) | element type when size < 15, else 0xF0 | type + varint size;
// - a struct ends with a stop byte 0; nested structs restart the field-id delta at 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::parquet {

enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Appends ULEB128 / zigzag varints.
void append_varint(std::string& out, uint64_t v);
void append_zigzag(std::string& out, int64_t v);

class CompactEncoder {
 public:
  explicit CompactEncoder(std::string& out) : out_(out) {}

  // The outermost struct of a message (no field header) and its end (stop byte).
  void begin_message() { push(); }
  void end_message() { end_struct(); }

  // Fields of the current struct; ids must increase within a struct (not checked).
  void field_bool(int16_t id, bool v);
  void field_i8(int16_t id, int8_t v);
  void field_i16(int16_t id, int16_t v);
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_double(int16_t id, double v);
  void field_binary(int16_t id, std::string_view v);
  void begin_struct(int16_t id);  // a struct-valued field; close with end_struct()
  void end_struct();
  // A list-valued field; then write exactly `size` elements with the element_* calls
  // (or begin_element_struct/end_struct for lists of structs).
  void begin_list(int16_t id, CompactType element_type, uint32_t size);

  void element_i32(int32_t v) { append_zigzag(out_, v); }
  void element_i64(int64_t v) { append_zigzag(out_, v); }
  void element_binary(std::string_view v);
  void begin_element_struct() { push(); }

  std::string& out() { return out_; }

 private:
  void field_header(int16_t id, CompactType type);
  void push();

  std::string& out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;  // last field ids of the enclosing structs
};

}  // namespace ks3::parquet

#include "server/format/parquet/thrift_compact.hpp"

#include <bit>

namespace ks3::parquet {

void append_varint(std::string& out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

void append_zigzag(std::string& out, int64_t v) {
  append_varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void CompactEncoder::push() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactEncoder::field_header(int16_t id, CompactType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    append_zigzag(out_, id);
  }
  last_id_ = id;
}

void CompactEncoder::field_bool(int16_t id, bool v) {
  field_header(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse);
}

void CompactEncoder::field_i8(int16_t id, int8_t v) {
  field_header(id, CompactType::kByte);
  out_.push_back(static_cast<char>(v));
}

void CompactEncoder::field_i16(int16_t id, int16_t v) {
  field_header(id, CompactType::kI16);
  append_zigzag(out_, v);
}

void CompactEncoder::field_i32(int16_t id, int32_t v) {
  field_header(id, CompactType::kI32);
  append_zigzag(out_, v);
}

void CompactEncoder::field_i64(int16_t id, int64_t v) {
  field_header(id, CompactType::kI64);
  append_zigzag(out_, v);
}

void CompactEncoder::field_double(int16_t id, double v) {
  field_header(id, CompactType::kDouble);
  // Doubles are 8 bytes little-endian in the compact protocol.
  uint64_t bits = std::bit_cast<uint64_t>(v);
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
  out_.append(buf, 8);
}

void CompactEncoder::field_binary(int16_t id, std::string_view v) {
  field_header(id, CompactType::kBinary);
  element_binary(v);
}

void CompactEncoder::element_binary(std::string_view v) {
  append_varint(out_, v.size());
  out_.append(v);
}

void CompactEncoder::begin_struct(int16_t id) {
  field_header(id, CompactType::kStruct);
  push();
}

void CompactEncoder::end_struct() {
  out_.push_back(static_cast<char>(CompactType::kStop));
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

void CompactEncoder::begin_list(int16_t id, CompactType element_type, uint32_t size) {
  field_header(id, CompactType::kList);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<uint32_t>(element_type)));
  } else {
    out_.push_back(static_cast<char>(0xF0 | static_cast<uint32_t>(element_type)));
    append_varint(out_, size);
  }
}

}  // namespace ks3::parquet

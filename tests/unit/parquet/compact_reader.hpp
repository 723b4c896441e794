// Test helper: a generic Thrift compact protocol decoder (the reverse of thrift_compact.hpp,
// written independently from the spec) and small readers for the Parquet file layout, so the unit
// tests can look at what the writer produced: footer fields by id, page headers, RLE-hybrid levels.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::parquet::testing {

struct TValue {
  int type = 0;  // compact type id
  int64_t i = 0;
  double d = 0;
  std::string bin;
  std::vector<TValue> list;
  std::map<int, TValue> fields;

  const TValue& operator[](int id) const {
    auto it = fields.find(id);
    if (it == fields.end()) throw std::out_of_range("no field " + std::to_string(id));
    return it->second;
  }
  bool has(int id) const { return fields.count(id) != 0; }
};

class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<uint8_t>(byte());
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  int64_t zigzag() {
    const uint64_t u = varint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }

  TValue read_struct() {
    TValue s;
    s.type = 12;
    int last = 0;
    while (true) {
      const auto h = static_cast<uint8_t>(byte());
      if (h == 0) return s;
      const int type = h & 0x0F;
      const int delta = h >> 4;
      const int id = delta ? last + delta : static_cast<int>(zigzag());
      last = id;
      s.fields[id] = read_value(type, /*in_list=*/false);
    }
  }

 private:
  char byte() {
    if (pos_ >= in_.size()) throw std::runtime_error("compact reader: out of data");
    return in_[pos_++];
  }

  TValue read_value(int type, bool in_list) {
    TValue v;
    v.type = type;
    switch (type) {
      case 1:
      case 2:
        if (in_list) {
          v.i = byte() == 1;
        } else {
          v.i = type == 1;
        }
        v.type = 1;
        break;
      case 3:
        v.i = static_cast<int8_t>(byte());
        break;
      case 4:
      case 5:
      case 6:
        v.i = zigzag();
        break;
      case 7: {
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k)
          bits |= static_cast<uint64_t>(static_cast<uint8_t>(byte())) << (8 * k);
        std::memcpy(&v.d, &bits, 8);
        break;
      }
      case 8: {
        const size_t n = varint();
        if (pos_ + n > in_.size()) throw std::runtime_error("compact reader: binary past the end");
        v.bin.assign(in_.substr(pos_, n));
        pos_ += n;
        break;
      }
      case 9: {
        const auto h = static_cast<uint8_t>(byte());
        size_t n = h >> 4;
        if (n == 15) n = varint();
        for (size_t k = 0; k < n; ++k) v.list.push_back(read_value(h & 0x0F, true));
        break;
      }
      case 12:
        v = read_struct();
        break;
      default:
        throw std::runtime_error("compact reader: type " + std::to_string(type));
    }
    return v;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

inline uint32_t le32(std::string_view s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

// The FileMetaData of a whole file (checks both magics and the footer length).
inline TValue read_footer(std::string_view file) {
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1") {
    throw std::runtime_error("not a Parquet file");
  }
  const uint32_t len = le32(file, file.size() - 8);
  const std::string_view footer = file.substr(file.size() - 8 - len, len);
  CompactReader r(footer);
  TValue meta = r.read_struct();
  if (r.pos() != footer.size()) throw std::runtime_error("footer length mismatch");
  return meta;
}

// A page header at `offset`; `header_size` receives its length.
inline TValue read_page_header(std::string_view file, size_t offset, size_t& header_size) {
  CompactReader r(file.substr(offset));
  TValue h = r.read_struct();
  header_size = r.pos();
  return h;
}

// Decodes `count` values of the RLE / bit-packing hybrid from `in` (no length prefix); `used`
// receives the bytes consumed.
inline std::vector<uint32_t> rle_decode(std::string_view in, int bit_width, size_t count,
                                        size_t& used) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  const size_t value_bytes = (bit_width + 7) / 8;
  while (out.size() < count) {
    CompactReader hr(in.substr(pos));
    const uint64_t header = hr.varint();
    pos += hr.pos();
    if (header & 1) {
      const size_t n = (header >> 1) * 8;
      const size_t bytes = n * bit_width / 8;
      uint64_t acc = 0;
      int bits = 0;
      size_t at = pos;
      for (size_t k = 0; k < n; ++k) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(static_cast<uint8_t>(in[at++])) << bits;
          bits += 8;
        }
        const uint32_t v = static_cast<uint32_t>(acc & ((uint64_t{1} << bit_width) - 1));
        acc >>= bit_width;
        bits -= bit_width;
        if (out.size() < count) out.push_back(v);
      }
      pos += bytes;
    } else {
      uint32_t v = 0;
      for (size_t b = 0; b < value_bytes; ++b)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(in[pos + b])) << (8 * b);
      pos += value_bytes;
      for (uint64_t k = 0; k < (header >> 1); ++k) out.push_back(v);
    }
  }
  used = pos;
  return out;
}

}  // namespace ks3::parquet::testing

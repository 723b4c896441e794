// The RLE / bit-packing hybrid encoding (parquet-format Encodings.md, "RLE = 3"), used for
// definition and repetition levels and for dictionary indices.
//
// A run is a ULEB128 header then its data:
// - RLE run: header (count << 1), then the repeated value in ceil(bit_width / 8) bytes, LE;
// - bit-packed run: header (groups << 1) | 1, then groups * 8 values packed LSB first.
// Only the last bit-packed run may be padded (with zeros) to a multiple of 8 values: readers know
// how many values to take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ks3::parquet {

// Bits needed for values 0..max_value (0 for max_value == 0).
int bit_width_for(uint64_t max_value);

// Appends the hybrid encoding of values[0..n) (each < 2^bit_width) to `out`, without any
// length prefix. Runs of 8 or more equal values become RLE runs; the rest is bit-packed.
void rle_encode(const uint16_t* values, size_t n, int bit_width, std::string& out);
void rle_encode(const uint32_t* values, size_t n, int bit_width, std::string& out);

// Levels in a v1 data page: a 4-byte little-endian length, then the hybrid encoding.
void rle_encode_levels(const uint16_t* levels, size_t n, int bit_width, std::string& out);

// Bit-packs values LSB first (plain BOOLEAN values, and bit-packed runs).
class BitPacker {
 public:
  BitPacker(std::string& out, int bit_width) : out_(out), width_(bit_width) {}
  ~BitPacker() { flush(); }
  void put(uint64_t v) {
    acc_ |= v << bits_;
    bits_ += width_;
    while (bits_ >= 8) {
      out_.push_back(static_cast<char>(acc_ & 0xFF));
      acc_ >>= 8;
      bits_ -= 8;
    }
  }
  // Writes a partial last byte (zero-padded).
  void flush() {
    if (bits_ > 0) out_.push_back(static_cast<char>(acc_ & 0xFF));
    acc_ = 0;
    bits_ = 0;
  }

 private:
  std::string& out_;
  int width_;
  uint64_t acc_ = 0;
  int bits_ = 0;
};

}  // namespace ks3::parquet

#include "server/format/parquet/rle.hpp"

#include <algorithm>
#include <bit>

#include "server/format/parquet/thrift_compact.hpp"

namespace ks3::parquet {
namespace {

constexpr size_t kMinRepeat = 8;

// Length of the run of equal values at i, counted up to `cap`.
template <typename T>
size_t run_length(const T* v, size_t i, size_t n, size_t cap) {
  size_t j = i + 1;
  const size_t end = std::min(n, i + cap);
  while (j < end && v[j] == v[i]) ++j;
  return j - i;
}

template <typename T>
void encode(const T* v, size_t n, int bit_width, std::string& out) {
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = run_length(v, i, n, n);
    if (run >= kMinRepeat) {
      append_varint(out, static_cast<uint64_t>(run) << 1);
      const uint64_t value = v[i];
      for (size_t b = 0; b < value_bytes; ++b) out.push_back(static_cast<char>(value >> (8 * b)));
      i += run;
      continue;
    }
    // Bit-packed: whole groups of 8 until a long run starts at a group boundary (or the end).
    const size_t start = i;
    size_t groups = 0;
    do {
      i = std::min(i + 8, n);
      ++groups;
    } while (i < n && run_length(v, i, n, kMinRepeat) < kMinRepeat);
    append_varint(out, (static_cast<uint64_t>(groups) << 1) | 1);
    BitPacker packer(out, bit_width);
    for (size_t k = start; k < start + groups * 8; ++k) packer.put(k < n ? v[k] : 0);
    packer.flush();
  }
}

}  // namespace

int bit_width_for(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - std::countl_zero(max_value);
}

void rle_encode(const uint16_t* values, size_t n, int bit_width, std::string& out) {
  encode(values, n, bit_width, out);
}

void rle_encode(const uint32_t* values, size_t n, int bit_width, std::string& out) {
  encode(values, n, bit_width, out);
}

void rle_encode_levels(const uint16_t* levels, size_t n, int bit_width, std::string& out) {
  const size_t at = out.size();
  out.append(4, '\0');
  encode(levels, n, bit_width, out);
  const uint32_t len = static_cast<uint32_t>(out.size() - at - 4);
  for (int b = 0; b < 4; ++b) out[at + b] = static_cast<char>((len >> (8 * b)) & 0xFF);
}

}  // namespace ks3::parquet

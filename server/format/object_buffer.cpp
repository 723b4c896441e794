#include "server/format/object_buffer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ks3::server {

ObjectBuffer::ObjectBuffer(Compression compression, int level, std::uint64_t part_size,
                           std::string_view header)
    : compression_(compression), level_(level), part_size_(part_size) {
  if (part_size == 0) throw std::invalid_argument("part size must be at least 1 byte");
  if (!valid_compression_level(compression, level)) {
    throw std::invalid_argument("compression level " + std::to_string(level) +
                                " is out of range for " + std::string(to_string(compression)));
  }
  if (!header.empty()) append(header);
}

void ObjectBuffer::append(std::string_view encoded) {
  raw_ += encoded;
  uncompressed_ += encoded.size();
}

std::uint64_t ObjectBuffer::full_block_bytes() const {
  return raw_.size() / kBlockBytes * kBlockBytes;
}

std::string ObjectBuffer::take_full_blocks() {
  const std::size_t whole = full_block_bytes();
  if (whole == 0) return {};
  // Move the buffer out (no copy of the blocks) and keep the partial block in a fresh one. An
  // object that has filled two blocks will likely fill more: its fresh buffer has room for a
  // whole block and the record that crosses its end, so appends do not regrow it on the way
  // (growing from the partial block's size took 6 copies per block). Smaller objects, such as
  // the thousands of a field-partitioned layout, grow as they need; an idle object gives the
  // room back (release_idle).
  std::string rest;
  if (uncompressed_ >= 2 * kBlockBytes) rest.reserve(kBlockBytes + kBlockBytes / 4);
  rest.assign(std::string_view(raw_).substr(whole));
  std::string blocks = std::move(raw_);
  blocks.resize(whole);
  raw_ = std::move(rest);
  return blocks;
}

std::string ObjectBuffer::take_rest() {
  raw_ended_ = true;
  std::string rest = std::move(raw_);
  raw_ = std::string();
  return rest;
}

void ObjectBuffer::add_compressed(std::string_view compressed) {
  compressed_total_ += compressed.size();
  while (!compressed.empty()) {
    if (compressed_.size() >= part_size_) {
      full_parts_.push_back(std::move(compressed_));
      compressed_ = std::string();
    }
    const std::size_t take =
        std::min<std::uint64_t>(part_size_ - compressed_.size(), compressed.size());
    const std::size_t needed = compressed_.size() + take;
    if (needed > compressed_.capacity()) {
      // std::string's own growth (double, at least what is needed), capped at a part; from
      // kWholePartFromBytes on, a whole part at once. Into a fresh string: reserve() on this one
      // would round a capacity short of double up to double.
      std::uint64_t capacity = std::max<std::uint64_t>(needed, 2 * compressed_.capacity());
      if (capacity >= kWholePartFromBytes) capacity = part_size_;
      std::string grown;
      grown.reserve(std::min<std::uint64_t>(part_size_, capacity));
      grown += compressed_;
      compressed_ = std::move(grown);
    }
    compressed_.append(compressed.substr(0, take));
    compressed.remove_prefix(take);
  }
}

std::optional<std::string> ObjectBuffer::take_full_part() {
  std::string part;
  if (!full_parts_.empty()) {
    part = std::move(full_parts_.front());
    full_parts_.erase(full_parts_.begin());
  } else if (compressed_.size() >= part_size_) {
    part = std::move(compressed_);
    compressed_ = std::string();
  } else {
    return std::nullopt;
  }
  ++parts_taken_;
  return part;
}

std::string ObjectBuffer::take_last_part() {
  if (!full_parts_.empty()) {
    throw std::logic_error("ObjectBuffer::take_last_part: a full part was not taken");
  }
  std::string last = std::move(compressed_);
  compressed_ = std::string();
  return last;
}

void ObjectBuffer::discard() {
  raw_ended_ = true;
  // Swapped, not assigned: assigning an empty string keeps the old one's heap buffer.
  std::string().swap(raw_);
  std::string().swap(compressed_);
  std::vector<std::string>().swap(full_parts_);
}

std::uint64_t ObjectBuffer::held_by_part_being_filled() const {
  const std::uint64_t capacity = compressed_.capacity();
  if (capacity < kWholePartFromBytes) return capacity;
  // A whole part's buffer: resident as far as it is written, give or take a huge page (the rest
  // is untouched heap or memory glibc keeps anyway; object_buffer.hpp).
  return std::min<std::uint64_t>(capacity, compressed_.size() + kHugePageBytes);
}

void ObjectBuffer::release_idle() {
  raw_.shrink_to_fit();
  compressed_.shrink_to_fit();
}

std::uint64_t ObjectBuffer::held_bytes() const {
  std::uint64_t held = raw_.capacity() + held_by_part_being_filled();
  for (const std::string& part : full_parts_) held += part.capacity();
  return held;
}

void compress_full_blocks_now(ObjectBuffer& buffer) {
  std::string blocks = buffer.take_full_blocks();
  if (blocks.empty()) return;
  std::string out;
  compress_blocks(buffer.compression(), buffer.level(), blocks, out);
  buffer.add_compressed(out);
}

std::string finish_now(ObjectBuffer& buffer) {
  compress_full_blocks_now(buffer);
  std::string rest = buffer.take_rest();
  // An object that never held a byte still gets one (empty) block: a valid gzip/zstd file.
  if (!rest.empty() || buffer.compressed_bytes() == 0) {
    std::string out;
    compress_blocks(buffer.compression(), buffer.level(), rest, out);
    buffer.add_compressed(out);
  }
  return buffer.take_last_part();
}

}  // namespace ks3::server

#include "server/format/object_buffer.hpp"

#include <stdexcept>
#include <utility>

namespace ks3::server {

ObjectBuffer::ObjectBuffer(Compression compression, int level, std::uint64_t part_size,
                           std::string_view header)
    : compression_(compression), level_(level), part_size_(part_size) {
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
  compressed_ += compressed;
  compressed_total_ += compressed.size();
}

std::optional<std::string> ObjectBuffer::take_full_part() {
  if (compressed_.size() < part_size_) return std::nullopt;
  // Exactly part_size bytes: a large batch of blocks still goes out as several parts.
  std::string part;
  if (compressed_.size() == part_size_) {
    part = std::move(compressed_);
    compressed_ = std::string();
  } else {
    part.assign(compressed_, 0, part_size_);
    compressed_.erase(0, part_size_);
  }
  ++parts_taken_;
  return part;
}

std::string ObjectBuffer::take_last_part() {
  std::string last = std::move(compressed_);
  compressed_ = std::string();
  return last;
}

void ObjectBuffer::release_idle() {
  raw_.shrink_to_fit();
  compressed_.shrink_to_fit();
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

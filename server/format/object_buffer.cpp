#include "server/format/object_buffer.hpp"

#include <utility>

namespace ks3::server {

ObjectBuffer::ObjectBuffer(Compression compression, int level, std::uint64_t part_size,
                           std::string_view header)
    : compressor_(make_compressor(compression, level)), part_size_(part_size) {
  if (!header.empty()) append(header);
}

void ObjectBuffer::append(std::string_view encoded) {
  compressor_->write(encoded, buffer_);
  uncompressed_ += encoded.size();
}

std::optional<std::string> ObjectBuffer::take_full_part() {
  if (buffer_.size() < part_size_) return std::nullopt;
  std::string part = std::move(buffer_);
  buffer_ = std::string();
  compressed_ += part.size();
  ++parts_taken_;
  return part;
}

std::string ObjectBuffer::finish() {
  if (!finished_) {
    compressor_->finish(buffer_);
    finished_ = true;
  }
  std::string last = std::move(buffer_);
  buffer_ = std::string();
  compressed_ += last.size();
  compressor_.reset();  // the state is no longer needed: give its memory back now
  return last;
}

std::uint64_t ObjectBuffer::held_bytes() const {
  return buffer_.capacity() + (compressor_ ? compressor_->state_bytes() : 0);
}

}  // namespace ks3::server

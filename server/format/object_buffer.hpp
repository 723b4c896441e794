// The bytes of one open object (pure): encoded records go through the compressor into a part
// buffer; once the buffer holds at least a part's worth it is handed out as a part to upload
// (S3: "Each part must be at least 5 MB in size, except the last part"). The parts of one
// object are consecutive slices of one compressed stream, so they concatenate to a valid file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/format/compressor.hpp"

namespace ks3::server {

class ObjectBuffer {
 public:
  // `header` starts the object (the CSV header row), counted like record bytes.
  ObjectBuffer(Compression compression, int level, std::uint64_t part_size,
               std::string_view header);

  // Appends one encoded record (before compression).
  void append(std::string_view encoded);

  // A full part (>= part_size bytes), moved out of the buffer; nullopt while there is none.
  std::optional<std::string> take_full_part();

  // Ends the compressed stream and returns the remaining bytes: the last part (possibly empty
  // when the stream ended exactly at a part boundary). Append nothing afterwards.
  std::string finish();

  // Bytes held now: the part buffer plus the compressor's state.
  std::uint64_t held_bytes() const;
  std::uint64_t uncompressed_bytes() const { return uncompressed_; }
  std::uint64_t compressed_bytes() const { return compressed_; }
  std::uint32_t parts_taken() const { return parts_taken_; }

 private:
  std::unique_ptr<Compressor> compressor_;
  std::uint64_t part_size_;
  std::string buffer_;
  std::uint64_t uncompressed_ = 0;
  std::uint64_t compressed_ = 0;  // bytes handed out as parts or by finish()
  std::uint32_t parts_taken_ = 0;
  bool finished_ = false;
};

}  // namespace ks3::server

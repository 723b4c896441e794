// The bytes of one open object (pure). Encoded records collect in a raw buffer; whole blocks
// (block_compressor.hpp) are taken out to be compressed elsewhere (a worker), and their
// compressed bytes come back in the order they were taken; once the compressed bytes hold at
// least a part's worth they are handed out as a part to upload (S3: "Each part must be at least
// 5 MB in size, except the last part"). The parts of one object are consecutive slices of one
// stream of blocks, so they concatenate to a valid file.
//
// The compressed bytes go straight into part-sized buffers: the one being filled never grows
// past a part, and a full one is handed out by moving it, not by copying a part's worth out of
// a bigger buffer. Growing a buffer by doubling copies its bytes at every step (into fresh
// pages wherever the heap has to grow for it), so the part being filled doubles up to
// kWholePartFromBytes and then takes a whole part's buffer at once. Past what is written, such
// a buffer is pages the heap has not touched yet or memory glibc keeps anyway (the memory
// formula's malloc term, kafka/malloc_tuning.hpp), so it counts by its size plus a huge page,
// not by its capacity.
//
// An idle open object holds at most one partial raw block (< kBlockBytes, after release_idle())
// plus compressed bytes not uploaded yet; no compressor state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/compress/block_compressor.hpp"
#include "server/compress/compressor.hpp"

namespace ks3::server {

class ObjectBuffer {
 public:
  // `header` starts the object (the CSV header row), counted like record bytes.
  ObjectBuffer(Compression compression, int level, std::uint64_t part_size,
               std::string_view header);

  Compression compression() const { return compression_; }
  int level() const { return level_; }

  // Appends one encoded record (before compression).
  void append(std::string_view encoded);

  // Raw bytes of whole blocks waiting to be taken.
  std::uint64_t full_block_bytes() const;
  std::uint64_t raw_bytes() const { return raw_.size(); }
  // Moves the whole blocks out (a multiple of kBlockBytes; empty when there is none). The
  // partial block stays.
  std::string take_full_blocks();
  // Ends the raw stream: moves out everything not taken yet (the last, possibly partial block).
  // Append nothing afterwards.
  std::string take_rest();

  // The compressed bytes of the next blocks taken, in the order they were taken.
  void add_compressed(std::string_view compressed);

  // A full part (exactly part_size bytes), moved out of the buffer; nullopt while there is none.
  std::optional<std::string> take_full_part();
  // The remaining compressed bytes (the last part; empty when the stream ended exactly at a
  // part boundary). Call once every block taken is compressed and added and every full part
  // taken (std::logic_error otherwise).
  std::string take_last_part();

  // The object is given up (abort, failure): every byte it holds is dropped and the raw stream
  // ends.
  void discard();

  // The object is idle: give back the capacity the buffers do not use.
  void release_idle();

  // Bytes held now: raw and compressed buffers (capacity; the part being filled, once a whole
  // part's buffer, by its size), full parts not taken yet included.
  std::uint64_t held_bytes() const;

  // From this size on, the part being filled grows to a whole part at once.
  static constexpr std::uint64_t kWholePartFromBytes = 1 << 20;
  static constexpr std::uint64_t kHugePageBytes = 2 << 20;
  std::uint64_t uncompressed_bytes() const { return uncompressed_; }
  std::uint64_t compressed_bytes() const { return compressed_total_; }
  std::uint32_t parts_taken() const { return parts_taken_; }
  bool raw_ended() const { return raw_ended_; }

 private:
  std::uint64_t held_by_part_being_filled() const;

  Compression compression_;
  int level_;
  std::uint64_t part_size_;
  std::string raw_;         // the partial block (and whole blocks not taken yet)
  std::string compressed_;  // the part being filled: at most part_size bytes
  std::vector<std::string> full_parts_;  // filled parts not taken yet (usually none)
  std::uint64_t uncompressed_ = 0;
  std::uint64_t compressed_total_ = 0;  // every compressed byte added
  std::uint32_t parts_taken_ = 0;
  bool raw_ended_ = false;
};

// Synchronous convenience (tests, tools): compresses and adds every whole block at once.
void compress_full_blocks_now(ObjectBuffer& buffer);
// Synchronous convenience: ends the object and returns the last part.
std::string finish_now(ObjectBuffer& buffer);

}  // namespace ks3::server

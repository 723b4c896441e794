// Block compression (pure, thread-safe): an object's bytes are compressed as a sequence of
// independent blocks of kBlockBytes raw bytes each (the last one shorter), each block a complete
// gzip member (RFC 1952 section 2.2: "A gzip file consists of a series of members") or zstd
// frame (RFC 8878 section 3: "Zstandard compressed data is made of one or more frames"). The
// blocks concatenate into one valid stream: gzip -d, zcat and zstd -d read it as one file.
//
// Block boundaries are multiples of kBlockBytes from the start of the object, so the bytes of an
// object depend only on its records: not on timing, on which worker compressed a block, nor on
// how blocks were batched into jobs. The compressor state (igzip level buffer, zlib stream, zstd
// context) lives in the calling thread (thread_local), not in the objects: an open object holds
// at most one partial raw block.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/compress/compressor.hpp"

namespace ks3::server {

// Raw bytes per block. 16 KiB of JSON lines compress about 6% (gzip -1) and 4% (zstd -3) larger
// than one stream; the partial block an idle object holds stays this small.
inline constexpr std::size_t kBlockBytes = 16 * 1024;

// Compresses `raw` as blocks of kBlockBytes (the last one may be shorter; an empty `raw` gives
// one empty block, so an object is never zero bytes) and appends them to `out`. `raw` must start
// at a block boundary of its object. Throws std::invalid_argument for a bad level and
// std::runtime_error when the library fails. Thread-safe: each thread has its own state.
void compress_blocks(Compression compression, int level, std::string_view raw, std::string& out);

// Memory one thread's compressor state takes for `compression` at `level` (the memory formula).
std::size_t block_compressor_state_bytes(Compression compression, int level);

}  // namespace ks3::server

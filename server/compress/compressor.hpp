// Streaming compression of an object's bytes: gzip, zstd or none.
//
// gzip: levels 1-3 go through ISA-L's igzip (about 3x zlib's speed at level 1 on these machines),
// levels 4-9 through zlib. Both write a gzip member whose header has MTIME 0 (RFC 1952 section
// 2.3.1: "MTIME = 0 means no time stamp is available"), so equal input gives equal bytes and a
// replayed object is identical. zstd: one frame with a content checksum. Not thread-safe; one
// compressor per open object, created on its first record and dropped when the object closes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ks3::server {

// snappy is only a page codec of columnar formats (format.type parquet): the object itself is
// never snappy-compressed as a whole (make_compressor and compress_blocks reject it).
enum class Compression { none, gzip, zstd, snappy };

std::optional<Compression> parse_compression(std::string_view text);
std::string_view to_string(Compression compression);
// ".gz", ".zst" or "".
std::string_view compression_extension(Compression compression);
// Valid levels: gzip 1-9 (default 1), zstd 1-19 (default 3), none 0.
int default_compression_level(Compression compression);
bool valid_compression_level(Compression compression, int level);

class Compressor {
 public:
  virtual ~Compressor() = default;
  // Compresses `input`, appending whatever output is ready to `out`.
  virtual void write(std::string_view input, std::string& out) = 0;
  // Ends the stream, appending the remaining output and the trailer. Write nothing after this.
  virtual void finish(std::string& out) = 0;
  // Approximate memory held by the compressor's state, for the memory budget.
  virtual std::size_t state_bytes() const = 0;
};

// Throws std::invalid_argument for a level outside the valid range (checked at start-up).
std::unique_ptr<Compressor> make_compressor(Compression compression, int level);

// Decompresses a whole gzip (any number of members) or zstd object; for tests, tools and the
// CLI. Returns nullopt on corrupt or truncated input.
std::optional<std::string> decompress(Compression compression, std::string_view data);

}  // namespace ks3::server

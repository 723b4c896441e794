// Avro object container files (specification "Object Container Files"): the header (magic
// "Obj\x01", the metadata map with avro.schema and avro.codec, the 16-byte sync marker), then
// blocks of (datum count, byte size, the datums, possibly compressed, the sync marker).
//
// Input is already-encoded Avro binary datums (for example a Confluent payload after its 5-byte
// prefix), passed through unchanged: the caller guarantees they were written with `schema_json`
// (check with a Decoder if in doubt). Output is appended to the caller's buffer.
//
// Deterministic: the sync marker is derived from the schema and a caller-chosen string (the
// object key), never random, so a replay writes identical bytes.
//
// Codecs: null; deflate (raw RFC 1951 deflate, zlib); snappy (the compressed block followed by
// the 4-byte big-endian CRC-32 of the uncompressed data); zstandard.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/format/avro/error.hpp"

namespace ks3::avro {

enum class Codec { null, deflate, snappy, zstandard };

// "null", "deflate", "snappy", "zstandard" (also "zstd").
Result<Codec> parse_codec(std::string_view name);
// The avro.codec metadata value.
std::string_view codec_name(Codec codec);

using SyncMarker = std::array<std::uint8_t, 16>;

// 16 bytes from two 64-bit hashes of (schema, object key): the same inputs give the same
// marker, different keys give different markers.
SyncMarker derive_sync_marker(std::string_view schema_json, std::string_view object_key);

struct ContainerOptions {
  Codec codec = Codec::null;
  int level = 0;  // 0: the codec's default (deflate 6, zstandard 3); ignored by null and snappy
  // A block is written once this many datum bytes are pending (before compression).
  std::size_t block_bytes = 64 * 1024;
  // Extra metadata entries (keys must not start with "avro.").
  std::vector<std::pair<std::string, std::string>> metadata;
};

class ContainerWriter {
 public:
  ContainerWriter(std::string schema_json, SyncMarker sync, ContainerOptions options = {});

  // Appends the file header. Call once, before any block reaches `out`.
  void write_header(std::string& out) const;

  // Adds one encoded datum; writes a block to `out` when the pending bytes reach block_bytes.
  Result<void> add(std::string_view datum, std::string& out);
  // Adds `count` datums given concatenated (for example a whole block read elsewhere).
  Result<void> add_encoded(std::string_view datums, std::uint64_t count, std::string& out);
  // Writes the pending datums as one block (nothing if none are pending).
  Result<void> flush(std::string& out);

  std::uint64_t datum_count() const { return written_ + pending_count_; }
  std::size_t pending_bytes() const { return pending_.size(); }
  const SyncMarker& sync() const { return sync_; }
  const ContainerOptions& options() const { return options_; }

 private:
  std::string schema_json_;
  SyncMarker sync_;
  ContainerOptions options_;
  std::string pending_;
  std::uint64_t pending_count_ = 0;
  std::uint64_t written_ = 0;
  std::string scratch_;
};

// The zigzag varint of `v`, appended (the Avro long encoding).
void append_long(std::string& out, std::int64_t v);

// A whole file: header, the datums in blocks, for tests and tools.
Result<std::string> write_container(std::string_view schema_json, const SyncMarker& sync,
                                    const std::vector<std::string>& datums,
                                    const ContainerOptions& options = {});

}  // namespace ks3::avro

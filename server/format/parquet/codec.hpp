// Page compression codecs (parquet-format Compression.md): UNCOMPRESSED, SNAPPY (raw snappy
// block format, no framing), GZIP (RFC 1952 gzip member), ZSTD (one zstd frame). A Compressor
// keeps its codec contexts between pages, so compressing a page allocates nothing in steady state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "server/format/parquet/metadata.hpp"

namespace ks3::parquet {

enum class Codec { kUncompressed, kSnappy, kGzip, kZstd };

CompressionCodec to_thrift(Codec codec);
// "none"/"uncompressed", "snappy", "gzip", "zstd" (false for anything else).
bool parse_codec(std::string_view name, Codec& out);
std::string_view codec_name(Codec codec);

class Compressor {
 public:
  // `level`: zstd level (1..22) or gzip level (1..9); 0 = the codec's default (zstd 1, gzip 6).
  explicit Compressor(Codec codec, int level = 0);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Codec codec() const { return codec_; }
  // Replaces `out` with the compressed form of `in` (never called for kUncompressed by the
  // writer, but then it copies). Throws std::runtime_error on a codec failure.
  void compress(std::string_view in, std::string& out);

 private:
  struct State;
  Codec codec_;
  int level_;
  std::unique_ptr<State> state_;
};

}  // namespace ks3::parquet

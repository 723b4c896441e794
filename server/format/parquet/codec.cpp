#include "server/format/parquet/codec.hpp"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

namespace ks3::parquet {

CompressionCodec to_thrift(Codec codec) {
  switch (codec) {
    case Codec::kSnappy:
      return CompressionCodec::kSnappy;
    case Codec::kGzip:
      return CompressionCodec::kGzip;
    case Codec::kZstd:
      return CompressionCodec::kZstd;
    case Codec::kUncompressed:
      break;
  }
  return CompressionCodec::kUncompressed;
}

bool parse_codec(std::string_view name, Codec& out) {
  if (name == "none" || name == "uncompressed") {
    out = Codec::kUncompressed;
  } else if (name == "snappy") {
    out = Codec::kSnappy;
  } else if (name == "gzip") {
    out = Codec::kGzip;
  } else if (name == "zstd") {
    out = Codec::kZstd;
  } else {
    return false;
  }
  return true;
}

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::kSnappy:
      return "snappy";
    case Codec::kGzip:
      return "gzip";
    case Codec::kZstd:
      return "zstd";
    case Codec::kUncompressed:
      break;
  }
  return "none";
}

struct Compressor::State {
  ZSTD_CCtx* zstd = nullptr;
  z_stream zlib{};
  bool zlib_ready = false;
  ~State() {
    if (zstd) ZSTD_freeCCtx(zstd);
    if (zlib_ready) deflateEnd(&zlib);
  }
};

Compressor::Compressor(Codec codec, int level)
    : codec_(codec), level_(level), state_(std::make_unique<State>()) {
  if (codec_ == Codec::kZstd) {
    state_->zstd = ZSTD_createCCtx();
    if (!state_->zstd) throw std::runtime_error("parquet: ZSTD_createCCtx failed");
    if (level_ == 0) level_ = 1;  // as Arrow: fast, and most of the gain of higher levels
  } else if (codec_ == Codec::kGzip) {
    if (level_ == 0) level_ = Z_DEFAULT_COMPRESSION;
    // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&state_->zlib, level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("parquet: deflateInit2 failed");
    }
    state_->zlib_ready = true;
  }
}

Compressor::~Compressor() = default;

void Compressor::compress(std::string_view in, std::string& out) {
  switch (codec_) {
    case Codec::kUncompressed:
      out.assign(in);
      return;
    case Codec::kSnappy: {
      out.resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out.data(), &n);
      out.resize(n);
      return;
    }
    case Codec::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      const size_t n =
          ZSTD_compressCCtx(state_->zstd, out.data(), out.size(), in.data(), in.size(), level_);
      if (ZSTD_isError(n)) {
        throw std::runtime_error(std::string("parquet: zstd: ") + ZSTD_getErrorName(n));
      }
      out.resize(n);
      return;
    }
    case Codec::kGzip: {
      z_stream& z = state_->zlib;
      if (deflateReset(&z) != Z_OK) throw std::runtime_error("parquet: deflateReset failed");
      // deflateBound does not count the gzip wrapper: 18 bytes of header and trailer.
      out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 18);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("parquet: gzip failed");
      out.resize(out.size() - z.avail_out);
      return;
    }
  }
}

}  // namespace ks3::parquet

#include "server/compress/compressor.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ks3::server {
namespace {

constexpr std::size_t kOutputChunk = 64 * 1024;

// Grows `out` by one chunk for a compressor to write into; returns where the chunk starts.
char* grow(std::string& out, std::size_t& start) {
  start = out.size();
  out.resize(start + kOutputChunk);
  return out.data() + start;
}

class NoCompression final : public Compressor {
 public:
  void write(std::string_view input, std::string& out) override { out += input; }
  void finish(std::string&) override {}
  std::size_t state_bytes() const override { return 0; }
};

// ISA-L igzip, levels 1-3. We write the gzip header ourselves (MTIME 0, no name) and let igzip
// write the deflate stream and the CRC32/ISIZE trailer (IGZIP_GZIP_NO_HDR).
class IgzipCompressor final : public Compressor {
 public:
  explicit IgzipCompressor(int level) {
    static constexpr std::size_t kLevelBuffer[] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                                   ISAL_DEF_LVL3_DEFAULT};
    level_buffer_.resize(kLevelBuffer[level]);
    stream_ = std::make_unique<isal_zstream>();
    isal_deflate_init(stream_.get());
    stream_->level = static_cast<std::uint32_t>(level);
    stream_->level_buf = level_buffer_.data();
    stream_->level_buf_size = static_cast<std::uint32_t>(level_buffer_.size());
    stream_->gzip_flag = IGZIP_GZIP_NO_HDR;
    stream_->flush = NO_FLUSH;
  }

  void write(std::string_view input, std::string& out) override {
    if (!header_written_) write_header(out);
    // avail_in is 32 bits: feed very large inputs in slices.
    while (!input.empty()) {
      std::size_t slice = std::min<std::size_t>(input.size(), 1u << 30);
      run(input.substr(0, slice), false, out);
      input.remove_prefix(slice);
    }
  }

  void finish(std::string& out) override {
    if (!header_written_) write_header(out);
    run({}, true, out);
  }

  std::size_t state_bytes() const override { return sizeof(isal_zstream) + level_buffer_.size(); }

 private:
  void write_header(std::string& out) {
    // RFC 1952 section 2.3: ID1 ID2 CM=8 (deflate) FLG=0 MTIME=0 XFL=0 OS=255 (unknown).
    static constexpr unsigned char kHeader[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    out.append(reinterpret_cast<const char*>(kHeader), sizeof kHeader);
    header_written_ = true;
  }

  void run(std::string_view input, bool end, std::string& out) {
    stream_->next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(input.data()));
    stream_->avail_in = static_cast<std::uint32_t>(input.size());
    stream_->end_of_stream = end ? 1 : 0;
    do {
      std::size_t start = 0;
      stream_->next_out = reinterpret_cast<std::uint8_t*>(grow(out, start));
      stream_->avail_out = kOutputChunk;
      int rc = isal_deflate(stream_.get());
      out.resize(start + kOutputChunk - stream_->avail_out);
      if (rc != COMP_OK)
        throw std::runtime_error("igzip compression failed: " + std::to_string(rc));
    } while (stream_->avail_in > 0 || stream_->avail_out == 0 ||
             (end && stream_->internal_state.state != ZSTATE_END));
  }

  std::vector<std::uint8_t> level_buffer_;
  std::unique_ptr<isal_zstream> stream_;  // large (the history window): kept off the object
  bool header_written_ = false;
};

// zlib deflate with windowBits 31 (gzip wrapper); zlib's default header has MTIME 0.
class ZlibGzipCompressor final : public Compressor {
 public:
  explicit ZlibGzipCompressor(int level) {
    if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("zlib deflateInit2 failed");
    }
  }
  ~ZlibGzipCompressor() override { deflateEnd(&stream_); }

  void write(std::string_view input, std::string& out) override {
    while (!input.empty()) {
      std::size_t slice = std::min<std::size_t>(input.size(), std::numeric_limits<uInt>::max());
      run(input.substr(0, slice), Z_NO_FLUSH, out);
      input.remove_prefix(slice);
    }
  }

  void finish(std::string& out) override { run({}, Z_FINISH, out); }

  // deflate's documented memory: (1 << (windowBits + 2)) + (1 << (memLevel + 9)).
  std::size_t state_bytes() const override { return (1u << 17) + (1u << 17) + sizeof stream_; }

 private:
  void run(std::string_view input, int flush, std::string& out) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    int rc = Z_OK;
    do {
      std::size_t start = 0;
      stream_.next_out = reinterpret_cast<Bytef*>(grow(out, start));
      stream_.avail_out = kOutputChunk;
      rc = deflate(&stream_, flush);
      out.resize(start + kOutputChunk - stream_.avail_out);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    } while (stream_.avail_in > 0 || stream_.avail_out == 0 ||
             (flush == Z_FINISH && rc != Z_STREAM_END));
  }

  z_stream stream_{};
};

class ZstdCompressor final : public Compressor {
 public:
  explicit ZstdCompressor(int level) : context_(ZSTD_createCCtx()) {
    if (!context_) throw std::runtime_error("ZSTD_createCCtx failed");
    ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(context_); }

  void write(std::string_view input, std::string& out) override {
    run(input, ZSTD_e_continue, out);
  }
  void finish(std::string& out) override { run({}, ZSTD_e_end, out); }
  std::size_t state_bytes() const override { return ZSTD_sizeof_CCtx(context_); }

 private:
  void run(std::string_view input, ZSTD_EndDirective mode, std::string& out) {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    std::size_t remaining = 0;
    do {
      std::size_t start = 0;
      ZSTD_outBuffer output{grow(out, start), kOutputChunk, 0};
      remaining = ZSTD_compressStream2(context_, &output, &in, mode);
      out.resize(start + output.pos);
      if (ZSTD_isError(remaining)) {
        throw std::runtime_error(std::string("zstd compression failed: ") +
                                 ZSTD_getErrorName(remaining));
      }
    } while (in.pos < in.size || (mode == ZSTD_e_end && remaining != 0));
  }

  ZSTD_CCtx* context_;
};

std::optional<std::string> gunzip(std::string_view data) {
  std::string out;
  while (!data.empty()) {  // a gzip file may hold several members (RFC 1952 section 2.2)
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      std::size_t start = 0;
      stream.next_out = reinterpret_cast<Bytef*>(grow(out, start));
      stream.avail_out = kOutputChunk;
      rc = inflate(&stream, Z_NO_FLUSH);
      out.resize(start + kOutputChunk - stream.avail_out);
      if (rc == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated
      if (rc == Z_BUF_ERROR) rc = Z_OK;
    }
    std::size_t consumed = data.size() - stream.avail_in;
    inflateEnd(&stream);
    if (rc != Z_STREAM_END) return std::nullopt;
    data.remove_prefix(consumed);
  }
  return out;
}

std::optional<std::string> unzstd(std::string_view data) {
  ZSTD_DCtx* context = ZSTD_createDCtx();
  std::string out;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::size_t rc = 0;
  bool progress = true;
  while ((in.pos < in.size || rc != 0) && progress) {
    std::size_t start = 0;
    ZSTD_outBuffer output{grow(out, start), kOutputChunk, 0};
    std::size_t before = in.pos;
    rc = ZSTD_decompressStream(context, &output, &in);
    out.resize(start + output.pos);
    if (ZSTD_isError(rc)) break;
    progress = in.pos != before || output.pos != 0;
  }
  ZSTD_freeDCtx(context);
  if (ZSTD_isError(rc) || rc != 0 || in.pos != in.size) return std::nullopt;
  return out;
}

}  // namespace

std::optional<Compression> parse_compression(std::string_view text) {
  if (text == "none") return Compression::none;
  if (text == "gzip") return Compression::gzip;
  if (text == "zstd") return Compression::zstd;
  if (text == "snappy") return Compression::snappy;
  return std::nullopt;
}

std::string_view to_string(Compression compression) {
  switch (compression) {
    case Compression::none:
      return "none";
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
    case Compression::snappy:
      return "snappy";
  }
  return "?";
}

std::string_view compression_extension(Compression compression) {
  switch (compression) {
    case Compression::none:
      return "";
    case Compression::gzip:
      return ".gz";
    case Compression::zstd:
      return ".zst";
    case Compression::snappy:
      return "";  // inside the file (Parquet pages): the object is not compressed as a whole
  }
  return "";
}

int default_compression_level(Compression compression) {
  switch (compression) {
    case Compression::none:
      return 0;
    case Compression::gzip:
      return 1;
    case Compression::zstd:
      return 3;
    case Compression::snappy:
      return 0;
  }
  return 0;
}

bool valid_compression_level(Compression compression, int level) {
  switch (compression) {
    case Compression::none:
      return level == 0;
    case Compression::gzip:
      return level >= 1 && level <= 9;
    case Compression::zstd:
      return level >= 1 && level <= 19;
    case Compression::snappy:
      return level == 0;
  }
  return false;
}

std::unique_ptr<Compressor> make_compressor(Compression compression, int level) {
  if (!valid_compression_level(compression, level)) {
    throw std::invalid_argument("compression level " + std::to_string(level) +
                                " is out of range for " + std::string(to_string(compression)));
  }
  switch (compression) {
    case Compression::none:
      return std::make_unique<NoCompression>();
    case Compression::gzip:
      if (level <= 3) return std::make_unique<IgzipCompressor>(level);
      return std::make_unique<ZlibGzipCompressor>(level);
    case Compression::zstd:
      return std::make_unique<ZstdCompressor>(level);
    case Compression::snappy:
      break;  // a page codec of Parquet only (config validation rejects it for streams)
  }
  throw std::invalid_argument("snappy compresses Parquet pages, not whole objects");
  return nullptr;
}

std::optional<std::string> decompress(Compression compression, std::string_view data) {
  switch (compression) {
    case Compression::none:
      return std::string(data);
    case Compression::gzip:
      return gunzip(data);
    case Compression::zstd:
      return unzstd(data);
    case Compression::snappy:
      break;
  }
  return std::nullopt;
}

}  // namespace ks3::server

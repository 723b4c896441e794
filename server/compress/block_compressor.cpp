#include "server/compress/block_compressor.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace ks3::server {
namespace {

// Room for one compressed block: deflate and zstd expand incompressible input by well under 1%.
std::size_t bound(std::size_t raw) {
  return raw + raw / 8 + 1024;
}

// RFC 1952 section 2.3: ID1 ID2 CM=8 (deflate) FLG=0 MTIME=0 XFL=0 OS=255 (unknown). "MTIME = 0
// means no time stamp is available": equal input gives equal bytes.
constexpr unsigned char kGzipHeader[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

// ISA-L igzip (levels 1-3): the state is large (history and hash tables), one per thread.
struct IgzipState {
  explicit IgzipState(int level_in) : level(level_in) {
    static constexpr std::size_t kLevelBuffer[] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                                   ISAL_DEF_LVL3_DEFAULT};
    level_buffer.resize(kLevelBuffer[level]);
  }

  void compress(std::string_view block, std::string& out) {
    out.append(reinterpret_cast<const char*>(kGzipHeader), sizeof kGzipHeader);
    isal_deflate_init(stream.get());
    stream->level = static_cast<std::uint32_t>(level);
    stream->level_buf = level_buffer.data();
    stream->level_buf_size = static_cast<std::uint32_t>(level_buffer.size());
    stream->gzip_flag = IGZIP_GZIP_NO_HDR;  // igzip writes the deflate data and the trailer
    stream->flush = NO_FLUSH;
    stream->end_of_stream = 1;
    stream->next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(block.data()));
    stream->avail_in = static_cast<std::uint32_t>(block.size());
    do {
      const std::size_t start = out.size();
      const std::size_t room = bound(block.size());
      out.resize(start + room);
      stream->next_out = reinterpret_cast<std::uint8_t*>(out.data() + start);
      stream->avail_out = static_cast<std::uint32_t>(room);
      const int rc = isal_deflate(stream.get());
      out.resize(start + room - stream->avail_out);
      if (rc != COMP_OK)
        throw std::runtime_error("igzip compression failed: " + std::to_string(rc));
    } while (stream->internal_state.state != ZSTATE_END);
  }

  std::size_t bytes() const { return sizeof(isal_zstream) + level_buffer.size(); }

  int level;
  std::vector<std::uint8_t> level_buffer;
  std::unique_ptr<isal_zstream> stream = std::make_unique<isal_zstream>();
};

// zlib (levels 4-9), windowBits 31: a gzip wrapper whose default header has MTIME 0.
struct ZlibState {
  explicit ZlibState(int level) {
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("zlib deflateInit2 failed");
    }
  }
  ~ZlibState() { deflateEnd(&stream); }
  ZlibState(const ZlibState&) = delete;
  ZlibState& operator=(const ZlibState&) = delete;

  void compress(std::string_view block, std::string& out) {
    if (deflateReset(&stream) != Z_OK) throw std::runtime_error("zlib deflateReset failed");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
    stream.avail_in = static_cast<uInt>(block.size());
    int rc = Z_OK;
    do {
      const std::size_t start = out.size();
      const std::size_t room = bound(block.size());
      out.resize(start + room);
      stream.next_out = reinterpret_cast<Bytef*>(out.data() + start);
      stream.avail_out = static_cast<uInt>(room);
      rc = deflate(&stream, Z_FINISH);
      out.resize(start + room - stream.avail_out);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    } while (rc != Z_STREAM_END);
  }

  // deflate's documented memory: (1 << (windowBits + 2)) + (1 << (memLevel + 9)).
  static std::size_t bytes() { return (1u << 17) + (1u << 17) + sizeof(z_stream); }

  z_stream stream{};
};

struct ZstdState {
  explicit ZstdState(int level) : context(ZSTD_createCCtx()) {
    if (!context) throw std::runtime_error("ZSTD_createCCtx failed");
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdState() { ZSTD_freeCCtx(context); }
  ZstdState(const ZstdState&) = delete;
  ZstdState& operator=(const ZstdState&) = delete;

  void compress(std::string_view block, std::string& out) {
    const std::size_t start = out.size();
    const std::size_t room = ZSTD_compressBound(block.size());
    out.resize(start + room);
    const std::size_t written =
        ZSTD_compress2(context, out.data() + start, room, block.data(), block.size());
    if (ZSTD_isError(written)) {
      out.resize(start);
      throw std::runtime_error(std::string("zstd compression failed: ") +
                               ZSTD_getErrorName(written));
    }
    out.resize(start + written);
  }

  // The context after compressing one block (it sizes its tables by the input).
  static std::size_t bytes(int level) {
    ZstdState state(level);
    std::string out;
    state.compress(std::string(kBlockBytes, 'x'), out);
    return ZSTD_sizeof_CCtx(state.context);
  }

  ZSTD_CCtx* context;
};

// This thread's state for one (compression, level); rebuilt when the caller asks for another.
template <typename State>
State& thread_state(std::unique_ptr<State>& slot, int& slot_level, int level) {
  if (!slot || slot_level != level) {
    slot.reset();
    slot = std::make_unique<State>(level);
    slot_level = level;
  }
  return *slot;
}

template <typename Compress>
void for_each_block(std::string_view raw, Compress&& compress) {
  if (raw.empty()) {
    compress(raw);
    return;
  }
  while (!raw.empty()) {
    const std::string_view block = raw.substr(0, kBlockBytes);
    compress(block);
    raw.remove_prefix(block.size());
  }
}

}  // namespace

void compress_blocks(Compression compression, int level, std::string_view raw, std::string& out) {
  if (!valid_compression_level(compression, level)) {
    throw std::invalid_argument("compression level " + std::to_string(level) +
                                " is out of range for " + std::string(to_string(compression)));
  }
  switch (compression) {
    case Compression::none:
      out.append(raw);
      return;
    case Compression::gzip:
      if (level <= 3) {
        thread_local std::unique_ptr<IgzipState> igzip;
        thread_local int igzip_level = 0;
        auto& state = thread_state(igzip, igzip_level, level);
        if (out.empty()) out.reserve(bound(raw.size()));
        for_each_block(raw, [&](std::string_view block) { state.compress(block, out); });
      } else {
        thread_local std::unique_ptr<ZlibState> zlib;
        thread_local int zlib_level = 0;
        auto& state = thread_state(zlib, zlib_level, level);
        if (out.empty()) out.reserve(bound(raw.size()));
        for_each_block(raw, [&](std::string_view block) { state.compress(block, out); });
      }
      return;
    case Compression::zstd: {
      thread_local std::unique_ptr<ZstdState> zstd;
      thread_local int zstd_level = 0;
      auto& state = thread_state(zstd, zstd_level, level);
      if (out.empty()) out.reserve(bound(raw.size()));
      for_each_block(raw, [&](std::string_view block) { state.compress(block, out); });
      return;
    }
    case Compression::snappy:
      throw std::invalid_argument("snappy compresses Parquet pages, not whole objects");
  }
}

std::size_t block_compressor_state_bytes(Compression compression, int level) {
  switch (compression) {
    case Compression::none:
      return 0;
    case Compression::gzip:
      if (level <= 3) return IgzipState(level).bytes();
      return ZlibState::bytes();
    case Compression::zstd:
      return ZstdState::bytes(level);
    case Compression::snappy:
      return 0;
  }
  return 0;
}

}  // namespace ks3::server

#include "server/format/avro/container_writer.hpp"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "server/format/avro/schema.hpp"

namespace ks3::avro {

Result<Codec> parse_codec(std::string_view name) {
  if (name == "null") return Codec::null;
  if (name == "deflate") return Codec::deflate;
  if (name == "snappy") return Codec::snappy;
  if (name == "zstandard" || name == "zstd") return Codec::zstandard;
  return Error(ErrorKind::invalid_argument, "unknown Avro codec \"" + std::string(name) +
                                                "\" (expected null, deflate, snappy or zstandard)");
}

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::null:
      return "null";
    case Codec::deflate:
      return "deflate";
    case Codec::snappy:
      return "snappy";
    case Codec::zstandard:
      return "zstandard";
  }
  return "null";
}

namespace {

std::uint64_t fnv1a(std::string_view a, std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix(a);
  mix(std::string_view("\0", 1));
  mix(b);
  return h;
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void append_bytes(std::string& out, std::string_view bytes) {
  append_long(out, static_cast<std::int64_t>(bytes.size()));
  out += bytes;
}

Result<void> compress(Codec codec, int level, std::string_view in, std::string& out) {
  out.clear();
  switch (codec) {
    case Codec::null:
      out.assign(in);
      return {};
    case Codec::deflate: {
      z_stream z{};
      if (deflateInit2(&z, level ? level : 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Error(ErrorKind::compression, "deflateInit2 failed");
      }
      out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      int rc = deflate(&z, Z_FINISH);
      out.resize(z.total_out);
      deflateEnd(&z);
      if (rc != Z_STREAM_END) {
        return Error(ErrorKind::compression, "deflate failed (zlib " + std::to_string(rc) + ")");
      }
      return {};
    }
    case Codec::snappy: {
      snappy::Compress(in.data(), in.size(), &out);
      auto crc = static_cast<std::uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size())));
      for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(crc >> shift);
      return {};
    }
    case Codec::zstandard: {
      out.resize(ZSTD_compressBound(in.size()));
      std::size_t n =
          ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level ? level : 3);
      if (ZSTD_isError(n)) {
        return Error(ErrorKind::compression, std::string("zstd: ") + ZSTD_getErrorName(n));
      }
      out.resize(n);
      return {};
    }
  }
  return Error(ErrorKind::invalid_argument, "unknown codec");
}

}  // namespace

void append_long(std::string& out, std::int64_t v) {
  auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  while (z >= 0x80) {
    out += static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  out += static_cast<char>(z);
}

SyncMarker derive_sync_marker(std::string_view schema_json, std::string_view object_key) {
  std::string joined(schema_json);
  joined += '\0';
  joined += object_key;
  std::uint64_t a = splitmix(rabin_fingerprint(joined));
  std::uint64_t b = splitmix(fnv1a(object_key, schema_json) ^ a);
  SyncMarker m{};
  for (int i = 0; i < 8; ++i) {
    m[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a >> (8 * i));
    m[static_cast<std::size_t>(i + 8)] = static_cast<std::uint8_t>(b >> (8 * i));
  }
  return m;
}

ContainerWriter::ContainerWriter(std::string schema_json, SyncMarker sync, ContainerOptions options)
    : schema_json_(std::move(schema_json)), sync_(sync), options_(std::move(options)) {}

void ContainerWriter::write_header(std::string& out) const {
  out += std::string_view("Obj\x01", 4);
  append_long(out, static_cast<std::int64_t>(2 + options_.metadata.size()));
  append_bytes(out, "avro.schema");
  append_bytes(out, schema_json_);
  append_bytes(out, "avro.codec");
  append_bytes(out, codec_name(options_.codec));
  for (const auto& [key, value] : options_.metadata) {
    append_bytes(out, key);
    append_bytes(out, value);
  }
  append_long(out, 0);
  out.append(reinterpret_cast<const char*>(sync_.data()), sync_.size());
}

Result<void> ContainerWriter::add(std::string_view datum, std::string& out) {
  return add_encoded(datum, 1, out);
}

Result<void> ContainerWriter::add_encoded(std::string_view datums, std::uint64_t count,
                                          std::string& out) {
  pending_ += datums;
  pending_count_ += count;
  if (pending_.size() >= options_.block_bytes) return flush(out);
  return {};
}

Result<void> ContainerWriter::flush(std::string& out) {
  if (pending_count_ == 0) return {};
  auto r = compress(options_.codec, options_.level, pending_, scratch_);
  if (!r) return r;
  append_long(out, static_cast<std::int64_t>(pending_count_));
  append_long(out, static_cast<std::int64_t>(scratch_.size()));
  out += scratch_;
  out.append(reinterpret_cast<const char*>(sync_.data()), sync_.size());
  written_ += pending_count_;
  pending_count_ = 0;
  pending_.clear();
  return {};
}

Result<std::string> write_container(std::string_view schema_json, const SyncMarker& sync,
                                    const std::vector<std::string>& datums,
                                    const ContainerOptions& options) {
  ContainerWriter writer(std::string(schema_json), sync, options);
  std::string out;
  writer.write_header(out);
  for (const auto& d : datums) {
    auto r = writer.add(d, out);
    if (!r) return r.error();
  }
  auto r = writer.flush(out);
  if (!r) return r.error();
  return out;
}

}  // namespace ks3::avro

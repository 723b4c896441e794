#include "server/format/avro/container_writer.hpp"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "server/format/avro/schema.hpp"

namespace ks3::avro {
namespace {

constexpr std::string_view kSchema =
    R"({"type":"record","name":"R","fields":[{"name":"s","type":"string"}]})";

// Reads what write_container produced: header fields and the blocks.
struct Reader {
  std::string_view data;
  std::size_t pos = 0;
  std::int64_t read_long() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      auto b = static_cast<unsigned char>(data[pos++]);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) break;
    }
    return static_cast<std::int64_t>((v >> 1) ^ (0 - (v & 1)));
  }
  std::string_view read(std::size_t n) {
    auto s = data.substr(pos, n);
    pos += n;
    return s;
  }
  std::string_view read_bytes() { return read(static_cast<std::size_t>(read_long())); }
};

std::vector<std::string> datums(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string text = "datum number " + std::to_string(i);
    std::string d;
    append_long(d, static_cast<std::int64_t>(text.size()));
    out.push_back(d + text);
  }
  return out;
}

std::string decompress(Codec codec, std::string_view block) {
  std::string out;
  switch (codec) {
    case Codec::null:
      return std::string(block);
    case Codec::deflate: {
      z_stream z{};
      inflateInit2(&z, -15);
      out.resize(1 << 20);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
      z.avail_in = static_cast<uInt>(block.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
      out.resize(z.total_out);
      inflateEnd(&z);
      return out;
    }
    case Codec::snappy: {
      EXPECT_TRUE(snappy::Uncompress(block.data(), block.size() - 4, &out));
      auto crc = static_cast<std::uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
      std::string be;
      for (int shift = 24; shift >= 0; shift -= 8) be += static_cast<char>(crc >> shift);
      EXPECT_EQ(block.substr(block.size() - 4), be) << "snappy CRC32 trailer";
      return out;
    }
    case Codec::zstandard: {
      out.resize(1 << 20);
      auto n = ZSTD_decompress(out.data(), out.size(), block.data(), block.size());
      EXPECT_FALSE(ZSTD_isError(n));
      out.resize(n);
      return out;
    }
  }
  return out;
}

class ContainerCodec : public ::testing::TestWithParam<Codec> {};

TEST_P(ContainerCodec, HeaderBlocksAndSyncMarkers) {
  auto sync = derive_sync_marker(kSchema, "topics/t/partition=0/t+0+0000000000.avro");
  ContainerOptions options;
  options.codec = GetParam();
  options.block_bytes = 200;  // several blocks
  options.metadata = {{"ks3.topic", "t"}};
  auto in = datums(40);
  auto file = write_container(kSchema, sync, in, options);
  ASSERT_TRUE(file) << file.error().message;

  Reader r{*file};
  EXPECT_EQ(r.read(4), std::string_view("Obj\x01", 4));
  EXPECT_EQ(r.read_long(), 3);
  EXPECT_EQ(r.read_bytes(), "avro.schema");
  EXPECT_EQ(r.read_bytes(), kSchema);
  EXPECT_EQ(r.read_bytes(), "avro.codec");
  EXPECT_EQ(r.read_bytes(), codec_name(GetParam()));
  EXPECT_EQ(r.read_bytes(), "ks3.topic");
  EXPECT_EQ(r.read_bytes(), "t");
  EXPECT_EQ(r.read_long(), 0);
  std::string_view marker(reinterpret_cast<const char*>(sync.data()), 16);
  EXPECT_EQ(r.read(16), marker);

  std::string all, expected;
  for (const auto& d : in) expected += d;
  std::int64_t count = 0;
  int blocks = 0;
  while (r.pos < file->size()) {
    count += r.read_long();
    std::string_view block = r.read_bytes();
    all += decompress(GetParam(), block);
    EXPECT_EQ(r.read(16), marker);
    ++blocks;
  }
  EXPECT_EQ(count, 40);
  EXPECT_GT(blocks, 1);
  EXPECT_EQ(all, expected);

  // Deterministic: the same inputs give the same bytes.
  auto again = write_container(kSchema, sync, in, options);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *file);
}

INSTANTIATE_TEST_SUITE_P(Avro, ContainerCodec,
                         ::testing::Values(Codec::null, Codec::deflate, Codec::snappy,
                                           Codec::zstandard));

TEST(AvroContainer, SyncMarkerDependsOnSchemaAndKey) {
  auto a = derive_sync_marker(kSchema, "k1");
  EXPECT_EQ(a, derive_sync_marker(kSchema, "k1"));
  EXPECT_NE(a, derive_sync_marker(kSchema, "k2"));
  EXPECT_NE(a, derive_sync_marker(R"("string")", "k1"));
}

TEST(AvroContainer, EmptyFileIsJustTheHeaderAndCodecNamesParse) {
  auto file = write_container(kSchema, derive_sync_marker(kSchema, "k"), {});
  ASSERT_TRUE(file);
  EXPECT_EQ(
      file->substr(file->size() - 16),
      std::string(reinterpret_cast<const char*>(derive_sync_marker(kSchema, "k").data()), 16));
  EXPECT_EQ(*parse_codec("zstd"), Codec::zstandard);
  auto bad = parse_codec("lz4");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
  EXPECT_NE(bad.error().message.find("\"lz4\""), std::string::npos);
}

TEST(AvroContainer, AddEncodedTakesConcatenatedDatums) {
  ContainerWriter w(std::string(kSchema), derive_sync_marker(kSchema, "k"));
  std::string out;
  w.write_header(out);
  auto in = datums(3);
  ASSERT_TRUE(w.add_encoded(in[0] + in[1] + in[2], 3, out));
  EXPECT_EQ(w.datum_count(), 3u);
  std::size_t header = out.size();
  ASSERT_TRUE(w.flush(out));
  Reader r{std::string_view(out).substr(header)};
  EXPECT_EQ(r.read_long(), 3);
}

}  // namespace
}  // namespace ks3::avro

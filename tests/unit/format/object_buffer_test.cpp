#include "server/format/object_buffer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "server/compress/block_compressor.hpp"

namespace ks3::server {
namespace {

std::string noise(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// JSON-lines-like records of varied length.
std::string json_lines(std::size_t records, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (std::size_t i = 0; i < records; ++i) {
    out += R"({"offset":)" + std::to_string(i) + R"(,"value":{"name":")" +
           std::string(rng() % 300, static_cast<char>('a' + rng() % 26)) + "\"}}\n";
  }
  return out;
}

TEST(ObjectBuffer, SplitsTheCompressedStreamIntoParts) {
  constexpr std::uint64_t kPart = 64 * 1024;
  ObjectBuffer buffer(Compression::gzip, 1, kPart, "header\n");
  std::string expected = "header\n";
  std::string joined;
  for (unsigned i = 0; i < 200; ++i) {
    std::string record = noise(5000, i);  // incompressible: parts fill quickly
    buffer.append(record);
    expected += record;
    compress_full_blocks_now(buffer);
    while (auto part = buffer.take_full_part()) {
      EXPECT_EQ(part->size(), kPart);
      joined += *part;
    }
  }
  EXPECT_GE(buffer.parts_taken(), 4u);
  joined += finish_now(buffer);
  EXPECT_EQ(buffer.compressed_bytes(), joined.size());
  EXPECT_EQ(buffer.uncompressed_bytes(), expected.size());
  EXPECT_EQ(decompress(Compression::gzip, joined), expected);
}

// The part being filled never grows past a part: a full one is moved out whole, not copied out
// of a bigger buffer (each growth of a buffer of 1 MiB and more is a fresh mapping whose pages
// fault in as the bytes are copied).
TEST(ObjectBuffer, ThePartBeingFilledNeverGrowsPastAPart) {
  constexpr std::uint64_t kPart = 100'000;
  ObjectBuffer buffer(Compression::none, 0, kPart, "");
  const std::string stream = noise(1'000'000, 7);
  std::string joined;
  for (std::size_t at = 0; at < stream.size(); at += 7'000) {
    buffer.add_compressed(std::string_view(stream).substr(at, 7'000));
    while (auto part = buffer.take_full_part()) {
      ASSERT_EQ(part->size(), kPart);
      EXPECT_LE(part->capacity(), kPart);
      joined += *part;
    }
    // (The raw buffer is empty: a std::string's inline capacity.)
    ASSERT_LE(buffer.held_bytes(), kPart + std::string().capacity()) << "after " << at << " bytes";
  }
  joined += buffer.take_last_part();
  EXPECT_EQ(joined, stream);
  EXPECT_EQ(buffer.parts_taken(), 10u);
  EXPECT_EQ(buffer.compressed_bytes(), stream.size());
}

// Doubling a buffer of 1 MiB and more writes its bytes into fresh pages at every step: past
// kWholePartFromBytes the part being filled takes a whole part's buffer at once, and counts by
// what it holds (plus a huge page), since its pages are resident only as far as written.
TEST(ObjectBuffer, PastAMebibyteThePartBeingFilledIsAWholePart) {
  constexpr std::uint64_t kPart = 8 * ObjectBuffer::kWholePartFromBytes;
  const std::uint64_t inline_capacity = std::string().capacity();
  ObjectBuffer buffer(Compression::none, 0, kPart, "");
  const std::string stream = noise(kPart + 1000, 11);
  std::size_t at = 0;
  auto add = [&](std::uint64_t bytes) {
    buffer.add_compressed(std::string_view(stream).substr(at, bytes));
    at += bytes;
  };
  add(ObjectBuffer::kWholePartFromBytes / 4);
  EXPECT_EQ(buffer.held_bytes(), ObjectBuffer::kWholePartFromBytes / 4 + inline_capacity)
      << "below a mebibyte it grows as std::string does (here: exactly what is needed)";
  add(ObjectBuffer::kWholePartFromBytes);
  EXPECT_EQ(buffer.held_bytes(), at + ObjectBuffer::kHugePageBytes + inline_capacity)
      << "a whole part, counted by what it holds";
  add(kPart - at);
  std::optional<std::string> part = buffer.take_full_part();
  ASSERT_TRUE(part);
  EXPECT_EQ(part->capacity(), kPart) << "the buffer taken at 1 MiB, filled: no growth since";
  add(stream.size() - at);
  EXPECT_EQ(*part + buffer.take_last_part(), stream);
}

// One batch of compressed blocks worth several parts becomes several parts of exactly part_size,
// in order, and the last part may only be taken once they are.
TEST(ObjectBuffer, ALargeBatchBecomesSeveralWholeParts) {
  constexpr std::uint64_t kPart = 4096;
  ObjectBuffer buffer(Compression::none, 0, kPart, "");
  const std::string batch = noise(3 * kPart + 1000, 8);
  buffer.add_compressed(batch);
  EXPECT_THROW(buffer.take_last_part(), std::logic_error);
  std::string joined;
  for (int i = 0; i < 3; ++i) {
    auto part = buffer.take_full_part();
    ASSERT_TRUE(part) << "part " << i;
    EXPECT_EQ(part->size(), kPart);
    joined += *part;
  }
  EXPECT_FALSE(buffer.take_full_part());
  EXPECT_EQ(buffer.take_last_part(), batch.substr(joined.size()));
  EXPECT_EQ(joined, batch.substr(0, 3 * kPart));
}

TEST(ObjectBuffer, DiscardDropsEveryByte) {
  ObjectBuffer buffer(Compression::none, 0, 4096, "header\n");
  buffer.add_compressed(noise(3 * 4096, 9));
  buffer.append("record\n");
  buffer.discard();
  EXPECT_LT(buffer.held_bytes(), 64u) << "a buffer was kept";
  EXPECT_TRUE(buffer.raw_ended());
  EXPECT_FALSE(buffer.take_full_part());
  EXPECT_EQ(buffer.take_last_part(), "");
}

TEST(ObjectBuffer, RefusesAPartSizeOfZero) {
  EXPECT_THROW(ObjectBuffer(Compression::none, 0, 0, ""), std::invalid_argument);
}

TEST(ObjectBuffer, SmallObjectsAreOnePiece) {
  ObjectBuffer buffer(Compression::none, 0, 5u << 20, "");
  buffer.append("a\n");
  buffer.append("b\n");
  compress_full_blocks_now(buffer);
  EXPECT_FALSE(buffer.take_full_part());
  EXPECT_EQ(finish_now(buffer), "a\nb\n");
  EXPECT_EQ(buffer.parts_taken(), 0u);
}

TEST(ObjectBuffer, AnIdleObjectHoldsAtMostOnePartialBlock) {
  ObjectBuffer buffer(Compression::zstd, 3, 5u << 20, "");
  const std::string data = json_lines(2000, 1);
  for (std::size_t at = 0; at < data.size(); at += 700) {
    buffer.append(std::string_view(data).substr(at, 700));
    compress_full_blocks_now(buffer);
  }
  buffer.release_idle();
  EXPECT_LT(buffer.raw_bytes(), kBlockBytes);
  // No compressor state: the partial raw block plus the compressed bytes, nothing else.
  EXPECT_LE(buffer.held_bytes(), kBlockBytes + buffer.compressed_bytes());
  EXPECT_EQ(decompress(Compression::zstd, finish_now(buffer)), data);
}

// A busy object takes its full blocks out often: once it has filled two, the buffer left behind
// has room for the next block and the record that crosses its end, so filling it does not
// regrow (and copy) it. After its first block an object gets no such room: most objects of a
// field-partitioned layout hold one or two blocks.
TEST(ObjectBuffer, TheNextBlockFillsWithoutRegrowingTheBuffer) {
  ObjectBuffer buffer(Compression::gzip, 1, 5u << 20, "");
  const std::string record(1000, 'r');
  while (buffer.full_block_bytes() == 0) buffer.append(record);
  ASSERT_FALSE(buffer.take_full_blocks().empty());
  EXPECT_LT(buffer.held_bytes(), kBlockBytes / 4) << "room reserved after the first block";
  while (buffer.full_block_bytes() == 0) buffer.append(record);
  ASSERT_FALSE(buffer.take_full_blocks().empty());
  const std::uint64_t held = buffer.held_bytes();
  EXPECT_GE(held, kBlockBytes);
  while (buffer.full_block_bytes() == 0) {
    buffer.append(record);
    ASSERT_EQ(buffer.held_bytes(), held) << "regrew at " << buffer.raw_bytes() << " raw bytes";
  }
  // Idle, it gives the room back.
  ASSERT_FALSE(buffer.take_full_blocks().empty());
  buffer.release_idle();
  EXPECT_LT(buffer.held_bytes(), kBlockBytes);
}

TEST(ObjectBuffer, EmptyObjectsAreValidStreams) {
  for (auto [compression, level] :
       {std::pair{Compression::gzip, 1}, {Compression::gzip, 6}, {Compression::zstd, 3}}) {
    ObjectBuffer buffer(compression, level, 5u << 20, "");
    std::string bytes = finish_now(buffer);
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(decompress(compression, bytes), "");
  }
}

struct Case {
  Compression compression;
  int level;
};

class BlockCompression : public ::testing::TestWithParam<Case> {};

// The bytes depend only on the data: not on how appends and compression jobs were batched.
TEST_P(BlockCompression, BytesDependOnlyOnTheRecords) {
  const auto [compression, level] = GetParam();
  const std::string data = json_lines(3000, 7);
  std::string reference;
  compress_blocks(compression, level, data, reference);
  for (std::size_t chunk : {1u, 333u, 16384u, 100000u}) {
    ObjectBuffer buffer(compression, level, 5u << 20, "");
    std::string out;
    for (std::size_t at = 0; at < data.size(); at += chunk) {
      buffer.append(std::string_view(data).substr(at, chunk));
      if ((at / chunk) % 3 == 0) compress_full_blocks_now(buffer);  // batching varies
    }
    out = finish_now(buffer);
    EXPECT_EQ(out, reference) << "chunk " << chunk;
  }
  EXPECT_EQ(decompress(compression, reference), data);
}

// A worker's compressor state is reused from block to block: what a thread compressed before
// (other objects, other sizes, an empty block) must not change the bytes of the next block.
TEST_P(BlockCompression, BytesDoNotDependOnWhatTheThreadCompressedBefore) {
  const auto [compression, level] = GetParam();
  for (std::size_t size : {std::size_t{0}, std::size_t{90}, std::size_t{2000}, kBlockBytes}) {
    const std::string block = json_lines(3000, 3).substr(0, size);
    std::string fresh;
    std::thread([&] { compress_blocks(compression, level, block, fresh); }).join();
    for (unsigned history = 0; history < 6; ++history) {
      std::string again;
      std::thread([&] {
        std::string elsewhere;
        const std::string before = json_lines(3000, 100 + history);
        compress_blocks(compression, level, before.substr(0, 500 + history * 9000), elsewhere);
        compress_blocks(compression, level, "", elsewhere);
        compress_blocks(compression, level, block, again);
      }).join();
      EXPECT_EQ(again, fresh) << "block of " << size << " bytes after history " << history;
    }
  }
}

// The blocks form one stream for the standard tools (gzip -d and zcat, zstd -d).
TEST_P(BlockCompression, StandardToolsReadTheBlocksAsOneStream) {
  const auto [compression, level] = GetParam();
  const char* tool = compression == Compression::gzip ? "gzip" : "zstd";
  if (std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << tool << " is not installed";
  }
  const std::string data = json_lines(3000, 11);
  ASSERT_GT(data.size(), 20 * kBlockBytes);
  std::string compressed;
  compress_blocks(compression, level, data, compressed);
  char path[] = "/tmp/ks3-blocks-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, compressed.data(), compressed.size()),
            static_cast<ssize_t>(compressed.size()));
  close(fd);
  std::vector<std::string> commands = {std::string(tool) + " -dc < " + path};
  if (compression == Compression::gzip) commands.push_back(std::string("zcat < ") + path);
  for (const std::string& command : commands) {
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char chunk[65536];
    while (std::size_t n = fread(chunk, 1, sizeof chunk, pipe)) out.append(chunk, n);
    EXPECT_EQ(pclose(pipe), 0) << command;
    EXPECT_EQ(out, data) << command;
  }
  unlink(path);
}

INSTANTIATE_TEST_SUITE_P(All, BlockCompression,
                         ::testing::Values(Case{Compression::gzip, 1}, Case{Compression::gzip, 3},
                                           Case{Compression::gzip, 6}, Case{Compression::zstd, 3}),
                         [](const auto& info) {
                           return std::string(to_string(info.param.compression)) +
                                  std::to_string(info.param.level);
                         });

TEST(BlockCompression, StateIsPerWorkerNotPerObject) {
  EXPECT_GT(block_compressor_state_bytes(Compression::gzip, 1), 1000u);
  EXPECT_GT(block_compressor_state_bytes(Compression::zstd, 3), 1000u);
  EXPECT_EQ(block_compressor_state_bytes(Compression::none, 0), 0u);
}

}  // namespace
}  // namespace ks3::server

#include "kafka/malloc_tuning.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace ks3::kafka {
namespace {

TEST(MallocTuning, LeavesAnOperatorsMallocTunablesAlone) {
  auto result = tune_malloc("glibc.malloc.arena_max=2:glibc.rtld.nns=4", kSinkMalloc);
  EXPECT_FALSE(result.applied);
  EXPECT_NE(result.detail.find("GLIBC_TUNABLES"), std::string::npos);
}

// Bytes glibc holds in mmap'ed chunks while a buffer of `bytes` is allocated and written.
std::size_t mapped_while_holding(std::size_t bytes) {
  const std::size_t mapped_before = mallinfo2().hblkhd;
  void* buffer = std::malloc(bytes);
  EXPECT_NE(buffer, nullptr);
  asm volatile("" : : "g"(buffer) : "memory");  // the compiler may not elide the allocation
  std::memset(buffer, 1, bytes);
  const std::size_t mapped = mallinfo2().hblkhd - mapped_before;
  std::free(buffer);
  return mapped;
}

constexpr std::size_t kFetchResponseBytes = 16u << 20;  // fetch.max.bytes

// The sink: a fetch response goes back to the kernel when it is freed (on the heap it left holes
// librdkafka's next responses could not fill); blocks and records stay on the heap.
TEST(MallocTuning, TheSinkMapsFetchResponsesAndKeepsSmallBuffersOnTheHeap) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer replaces malloc: there are no glibc tunables to set";
#endif
  auto result = tune_malloc(nullptr, kSinkMalloc);
  ASSERT_TRUE(result.applied) << result.detail;
  EXPECT_EQ(result.detail, "mmap threshold 1 MiB, trim threshold 32 MiB");
  EXPECT_GE(mapped_while_holding(kFetchResponseBytes), kFetchResponseBytes)
      << "a 16 MiB buffer came from the heap";
  EXPECT_EQ(mapped_while_holding(512u << 10), 0u) << "a 512 KiB buffer was mmap'ed";
}

// kafka-mock-broker: a fetch-sized buffer comes from the heap, not from a fresh mmap each time
// (which is what made every response fault its pages in).
TEST(MallocTuning, TheMockBrokerKeepsFetchSizedBuffersOnTheHeap) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer replaces malloc: there are no glibc tunables to set";
#endif
  auto result = tune_malloc("glibc.rtld.nns=4", kMockBrokerMalloc);  // other tunables
  ASSERT_TRUE(result.applied) << result.detail;
  EXPECT_EQ(mapped_while_holding(kFetchResponseBytes), 0u) << "a 16 MiB buffer was mmap'ed";
}

}  // namespace
}  // namespace ks3::kafka

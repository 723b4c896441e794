#include "kafka/malloc_tuning.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace ks3::kafka {
namespace {

TEST(MallocTuning, LeavesAnOperatorsMallocTunablesAlone) {
  auto result = tune_malloc_for_streaming("glibc.malloc.arena_max=2:glibc.rtld.nns=4");
  EXPECT_FALSE(result.applied);
  EXPECT_NE(result.detail.find("GLIBC_TUNABLES"), std::string::npos);
}

// A fetch-sized buffer comes from the heap once tuned, not from a fresh mmap each time (which
// is what made every fetch fault its pages in).
TEST(MallocTuning, FetchSizedBuffersNoLongerComeFromMmap) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer replaces malloc: there are no glibc tunables to set";
#endif
  auto result = tune_malloc_for_streaming(nullptr);
  ASSERT_TRUE(result.applied) << result.detail;
  EXPECT_EQ(tune_malloc_for_streaming("glibc.rtld.nns=4").applied, true);  // other tunables

  const std::size_t mapped_before = mallinfo2().hblkhd;
  constexpr std::size_t kFetchBytes = 16u << 20;
  void* buffer = std::malloc(kFetchBytes);
  ASSERT_NE(buffer, nullptr);
  asm volatile("" : : "g"(buffer) : "memory");  // the compiler may not elide the allocation
  std::memset(buffer, 1, kFetchBytes);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before) << "a 16 MiB buffer was mmap'ed";
  std::free(buffer);
}

}  // namespace
}  // namespace ks3::kafka

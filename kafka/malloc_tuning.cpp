#include "kafka/malloc_tuning.hpp"

#include <malloc.h>

#include <string_view>

namespace ks3::kafka {

namespace {

// glibc accepts at most HEAP_MAX_SIZE / 2 (32 MiB on 64-bit) for the mmap threshold; a fetch
// buffer (fetch.max.bytes, 16 MiB) fits below it.
constexpr int kMmapThresholdBytes = 32 * 1024 * 1024;
constexpr int kTrimThresholdBytes = 32 * 1024 * 1024;

}  // namespace

MallocTuning tune_malloc_for_streaming(const char* glibc_tunables) {
  if (glibc_tunables &&
      std::string_view(glibc_tunables).find("glibc.malloc.") != std::string_view::npos) {
    return {false, "GLIBC_TUNABLES sets glibc.malloc tunables: left as given"};
  }
  // Setting either turns glibc's dynamic threshold off, so both are set.
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes) == 1;
  if (!mmap_set || !trim_set) return {false, "mallopt refused the thresholds"};
  return {true, "mmap threshold 32 MiB, trim threshold 32 MiB"};
}

}  // namespace ks3::kafka

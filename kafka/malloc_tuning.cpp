#include "kafka/malloc_tuning.hpp"

#include <malloc.h>

#include <string_view>

namespace ks3::kafka {

namespace {

std::string mib(int bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                : std::to_string(bytes) + " bytes";
}

}  // namespace

MallocTuning tune_malloc(const char* glibc_tunables, MallocThresholds thresholds) {
  if (glibc_tunables &&
      std::string_view(glibc_tunables).find("glibc.malloc.") != std::string_view::npos) {
    return {false, "GLIBC_TUNABLES sets glibc.malloc tunables: left as given"};
  }
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, thresholds.mmap_bytes) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, thresholds.trim_bytes) == 1;
  if (!mmap_set || !trim_set) return {false, "mallopt refused the thresholds"};
  return {true, "mmap threshold " + mib(thresholds.mmap_bytes) + ", trim threshold " +
                    mib(thresholds.trim_bytes)};
}

}  // namespace ks3::kafka

#include "kafka/malloc_tuning.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace ks3::kafka {

namespace {

std::string mib(int bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                : std::to_string(bytes) + " bytes";
}

std::string describe(MallocThresholds thresholds) {
  return "mmap threshold " + mib(thresholds.mmap_bytes) + ", trim threshold " +
         mib(thresholds.trim_bytes);
}

bool names_malloc_tunables(const char* glibc_tunables) {
  return glibc_tunables &&
         std::string_view(glibc_tunables).find("glibc.malloc.") != std::string_view::npos;
}

}  // namespace

std::string malloc_tunables(MallocThresholds thresholds) {
  std::string text = thresholds.huge_pages ? "glibc.malloc.hugetlb=1:" : "";
  text += "glibc.malloc.mmap_threshold=" + std::to_string(thresholds.mmap_bytes);
  text += ":glibc.malloc.trim_threshold=" + std::to_string(thresholds.trim_bytes);
  return text;
}

std::optional<std::string> tunables_to_restart_with(const char* glibc_tunables,
                                                    MallocThresholds thresholds) {
  if (!thresholds.huge_pages || names_malloc_tunables(glibc_tunables)) return std::nullopt;
  std::string others = glibc_tunables ? glibc_tunables : "";
  if (!others.empty()) others += ':';
  return others + malloc_tunables(thresholds);
}

void restart_with_glibc_tunables([[maybe_unused]] char** argv,
                                 [[maybe_unused]] MallocThresholds thresholds) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::optional<std::string> given =
      current ? std::optional<std::string>(current) : std::nullopt;
  const auto tunables = tunables_to_restart_with(current, thresholds);
  if (!tunables || setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  // The program's own path, not /proc/self/exe itself: the process is named after the file it
  // executes, and ps, top and pkill should keep seeing kafka-s3-sink, not "exe".
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length > 0) {
    path[length] = '\0';
    execv(path, argv);
  }
  execv("/proc/self/exe", argv);  // e.g. the file was replaced since the start
  // The exec failed (no /proc?): run on as given, without huge pages (tune_malloc's log line
  // says so).
  if (given) {
    setenv("GLIBC_TUNABLES", given->c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
#endif
}

MallocTuning tune_malloc(const char* glibc_tunables, MallocThresholds thresholds) {
  if (names_malloc_tunables(glibc_tunables)) {
    if (std::string_view(glibc_tunables).ends_with(malloc_tunables(thresholds))) {
      return {true, "GLIBC_TUNABLES: " + describe(thresholds) +
                        (thresholds.huge_pages ? ", transparent huge pages" : "")};
    }
    return {false, "GLIBC_TUNABLES sets glibc.malloc tunables: left as given"};
  }
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, thresholds.mmap_bytes) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, thresholds.trim_bytes) == 1;
  if (!mmap_set || !trim_set) return {false, "mallopt refused the thresholds"};
  return {true, describe(thresholds) + (thresholds.huge_pages
                                            ? " (no transparent huge pages: the restart with "
                                              "GLIBC_TUNABLES did not happen)"
                                            : "")};
}

}  // namespace ks3::kafka

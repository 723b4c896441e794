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

std::string describe(MallocSettings settings) {
  std::string text =
      "mmap threshold " + mib(settings.mmap_bytes) + ", trim threshold " + mib(settings.trim_bytes);
  if (settings.arena_max == 1) text += ", one arena";
  if (settings.arena_max > 1) text += ", at most " + std::to_string(settings.arena_max) + " arenas";
  return text;
}

// The settings only GLIBC_TUNABLES can set (glibc reads it at start; no mallopt), for the log
// line: ", thread cache ...", ", transparent huge pages", or "" when none is asked for.
std::string restart_only_settings(MallocSettings settings) {
  std::string text;
  if (settings.tcache_count > 0) {
    text += ", thread cache " + std::to_string(settings.tcache_count) + " chunks a size";
  }
  if (settings.huge_pages) text += ", transparent huge pages";
  return text;
}

bool names_malloc_tunables(const char* glibc_tunables) {
  return glibc_tunables &&
         std::string_view(glibc_tunables).find("glibc.malloc.") != std::string_view::npos;
}

}  // namespace

std::string malloc_tunables(MallocSettings settings) {
  std::string text = settings.huge_pages ? "glibc.malloc.hugetlb=1:" : "";
  text += "glibc.malloc.mmap_threshold=" + std::to_string(settings.mmap_bytes);
  text += ":glibc.malloc.trim_threshold=" + std::to_string(settings.trim_bytes);
  if (settings.arena_max > 0) {
    text += ":glibc.malloc.arena_max=" + std::to_string(settings.arena_max);
  }
  if (settings.tcache_count > 0) {
    text += ":glibc.malloc.tcache_count=" + std::to_string(settings.tcache_count);
  }
  return text;
}

std::optional<std::string> tunables_to_restart_with(const char* glibc_tunables,
                                                    MallocSettings settings) {
  if (restart_only_settings(settings).empty() || names_malloc_tunables(glibc_tunables)) {
    return std::nullopt;
  }
  std::string others = glibc_tunables ? glibc_tunables : "";
  if (!others.empty()) others += ':';
  return others + malloc_tunables(settings);
}

void restart_with_glibc_tunables([[maybe_unused]] char** argv,
                                 [[maybe_unused]] MallocSettings settings) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::optional<std::string> given =
      current ? std::optional<std::string>(current) : std::nullopt;
  const auto tunables = tunables_to_restart_with(current, settings);
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

MallocTuning tune_malloc(const char* glibc_tunables, MallocSettings settings) {
  if (names_malloc_tunables(glibc_tunables)) {
    if (std::string_view(glibc_tunables).ends_with(malloc_tunables(settings))) {
      return {true, "GLIBC_TUNABLES: " + describe(settings) + restart_only_settings(settings)};
    }
    return {false, "GLIBC_TUNABLES sets glibc.malloc tunables: left as given"};
  }
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, settings.mmap_bytes) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, settings.trim_bytes) == 1;
  const bool arenas_set = settings.arena_max <= 0 || mallopt(M_ARENA_MAX, settings.arena_max) == 1;
  if (!mmap_set || !trim_set || !arenas_set) return {false, "mallopt refused the settings"};
  const std::string missing = restart_only_settings(settings);
  return {true, describe(settings) +
                    (missing.empty() ? ""
                                     : " (without" + missing.substr(1) +
                                           ": the restart with GLIBC_TUNABLES did not happen)")};
}

}  // namespace ks3::kafka

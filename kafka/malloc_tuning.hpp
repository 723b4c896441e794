// glibc malloc settings for programs that stream big buffers (the sink, kafka-mock-broker).
//
// A fetch response is one buffer of up to fetch.max.bytes (4 MiB by default) in librdkafka's
// broker thread; the sink's records point into it, so it is freed (by the event loop) only when
// the last of its records is released. glibc serves buffers above M_MMAP_THRESHOLD (128 KiB at
// first, then raised dynamically up to 32 MiB after each freed mapping) with mmap, and trims
// freed heap tops above M_TRIM_THRESHOLD. Setting either turns the dynamic adjustment off, so
// both are set:
//
// - kafka-mock-broker (kMockBrokerMalloc): everything up to 32 MiB on the heap of ONE arena,
//   whose freed top is kept up to 64 MiB, in transparent huge pages. It builds every fetch
//   response in a fresh buffer, on its one mock thread; with the thresholds alone that thread's
//   own arena unmapped its heaps whenever they were free (below), and the responses faulted
//   their pages in again. kcat asks for responses of up to 50 MiB (librdkafka's fetch.max.bytes),
//   above the mmap threshold: huge pages are what keeps those cheap. The benchmarks should
//   measure the sink and kcat, not the mock's page faults.
// - the sink (kSinkMalloc): everything up to 32 MiB (fetch responses, parts, blocks, records)
//   on the heap of ONE malloc arena, whose freed top is kept up to 64 MiB. So the memory of a
//   fetch response is filled again by the next one instead of being unmapped and faulted in
//   afresh. A fresh page costs more than its zeroing on a VM: on the PVM guest of the README's
//   benchmarks, the program's first read of a 4 KiB page that recvmsg had written took ~5 us,
//   and librdkafka's broker thread spent most of its time at its first read of each record's
//   bytes. The single arena is what makes the reuse work: each thread's own arena is a chain
//   of 64 MiB heaps, and glibc unmaps a heap as soon as it is entirely free, whatever the
//   thresholds (arena.c, heap_trim), which with 16 MiB responses is all the time. It also keeps
//   the holes of one thread's buffers usable by the others (with an arena per thread,
//   librdkafka's arena once mapped 100-140 MB for 20-90 MB in use at the peak of the
//   10,000-open-object benchmark). What one arena costs is its lock: every thread allocates
//   from it. A bigger per-thread cache of freed small chunks (glibc.malloc.tcache_count, 2,048
//   per size class up to 1,032 bytes instead of 7) keeps the small allocations of the records,
//   requests and blocks off that lock; without it the 10,000-open-object benchmark took
//   1.25x the CPU per GB. Side by side, README.md, Benchmarks ("One malloc arena").
//
// The sink also asks for transparent huge pages on its heap and mappings (glibc.malloc.hugetlb=1:
// madvise(MADV_HUGEPAGE) on every heap extension and mmap'ed chunk; it matters where the kernel's
// THP mode is `madvise`, as on Debian), so the heap grows in 2 MiB pages. glibc reads hugetlb and
// tcache_count only from GLIBC_TUNABLES when the process starts (there is no mallopt for them),
// so the sink re-executes itself once, as its first step, with GLIBC_TUNABLES set
// (restart_with_glibc_tunables; the PID stays the same).
//
// An operator who sets glibc.malloc tunables in GLIBC_TUNABLES keeps them: nothing is changed
// then (`GLIBC_TUNABLES=glibc.malloc.hugetlb=0` turns all of this off).
#pragma once

#include <optional>
#include <string>

namespace ks3::kafka {

struct MallocSettings {
  int mmap_bytes;        // M_MMAP_THRESHOLD: buffers at least this big are mmap'ed
  int trim_bytes;        // M_TRIM_THRESHOLD: freed heap top kept mapped up to this size
  bool huge_pages;       // glibc.malloc.hugetlb=1 (needs the restart)
  int arena_max = 0;     // M_ARENA_MAX: malloc arenas at most (0: glibc's, 8 per core)
  int tcache_count = 0;  // glibc.malloc.tcache_count (needs the restart; 0: glibc's, 7)
};

// glibc accepts at most HEAP_MAX_SIZE / 2 (32 MiB on 64-bit) for the mmap threshold; a fetch
// response (fetch.max.bytes: 4 MiB by default, 16 MiB before 2026-12-05) fits below it.
inline constexpr MallocSettings kSinkMalloc{32 << 20, 64 << 20, true, 1, 2048};
inline constexpr MallocSettings kMockBrokerMalloc{32 << 20, 64 << 20, true, 1};

// The glibc.malloc tunables that stand for `settings`, e.g.
// "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:" followed by
// "glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=1:glibc.malloc.tcache_count=2048".
std::string malloc_tunables(MallocSettings settings);

// The GLIBC_TUNABLES value the process must restart under (`glibc_tunables`: the variable now,
// nullptr when unset; other tunables in it are kept, ours appended), or nullopt when no restart
// is needed: the settings ask for no huge pages and no tcache_count (mallopt sets the rest), or
// GLIBC_TUNABLES already names glibc.malloc tunables (the operator's, or ours after the restart).
std::optional<std::string> tunables_to_restart_with(const char* glibc_tunables,
                                                    MallocSettings settings);

// The I/O shell of the above, for main's first step: when a restart is needed, sets
// GLIBC_TUNABLES and executes the program again (the file /proc/self/exe links to) with the same
// arguments (the same PID and process name); it returns only when no restart was needed or the
// exec failed (then tune_malloc sets what mallopt can).
// Does nothing in sanitized builds (their allocator is not glibc's).
void restart_with_glibc_tunables(char** argv, MallocSettings settings);

struct MallocTuning {
  bool applied = false;
  std::string detail;  // what was set, or why nothing was (for the start-up log)
};

// Call at the start of main, before any thread starts. `glibc_tunables`: the GLIBC_TUNABLES
// environment variable (nullptr when unset). When it ends with malloc_tunables(settings) (the
// restart happened) it reports them as applied.
MallocTuning tune_malloc(const char* glibc_tunables, MallocSettings settings);

}  // namespace ks3::kafka

// glibc malloc thresholds for programs that stream big buffers (the sink, kafka-mock-broker).
//
// A fetch response is one buffer of up to fetch.max.bytes (16 MiB by default) in librdkafka's
// broker thread; the sink's records point into it, so it is freed only when the last of its
// records is released. glibc serves buffers above M_MMAP_THRESHOLD (128 KiB at first, then
// raised dynamically up to 32 MiB after each freed mapping) with mmap, and trims freed heap tops
// above M_TRIM_THRESHOLD. Setting either turns the dynamic adjustment off, so both are set:
//
// - kafka-mock-broker (kMockBrokerMalloc): everything up to 32 MiB on the heap. It builds every
//   fetch response in a fresh buffer and spent half its time faulting their pages in; the
//   benchmarks should measure the sink, not the mock's page faults.
// - the sink (kSinkMalloc): buffers of 1 MiB and more are mmap'ed, so a fetch response or a
//   part goes back to the kernel when it is freed; smaller ones (records, compression blocks,
//   requests) stay on the heap, whose freed top is kept up to 32 MiB. Fetch responses on the
//   heap (the threshold at 32 MiB, as the mock has it) left holes that librdkafka's next
//   responses of other sizes could not fill: malloc_info at the peak of the 10,000-open-object
//   benchmark showed librdkafka's arena mapping 100-140 MB for 20-90 MB in use. Side by side
//   (README, Benchmarks): 0.90-0.93x the peak RSS there, 0.77x for 1 KiB documents, for
//   1.00-1.03x the CPU per GB (the page faults of fresh mappings).
//
// The sink also asks for transparent huge pages on those mappings (glibc.malloc.hugetlb=1:
// madvise(MADV_HUGEPAGE) on every mmap'ed chunk and heap; it matters where the kernel's THP mode
// is `madvise`, as on Debian). librdkafka receives every fetch response into a fresh buffer, and
// the kernel faults its pages in one by one as recvmsg copies into it; on a VM where a page fault
// is expensive that copy and its faults were about a quarter of the sink's CPU (README,
// Benchmarks). glibc reads hugetlb only
// from GLIBC_TUNABLES when the process starts (there is no mallopt for it), so the sink re-executes
// itself once, as its first step, with GLIBC_TUNABLES set (restart_with_glibc_tunables; the PID
// stays the same).
//
// An operator who sets glibc.malloc tunables in GLIBC_TUNABLES keeps them: nothing is changed
// then (`GLIBC_TUNABLES=glibc.malloc.hugetlb=0` turns all of this off).
#pragma once

#include <optional>
#include <string>

namespace ks3::kafka {

struct MallocThresholds {
  int mmap_bytes;   // M_MMAP_THRESHOLD: buffers at least this big are mmap'ed
  int trim_bytes;   // M_TRIM_THRESHOLD: freed heap top kept mapped up to this size
  bool huge_pages;  // glibc.malloc.hugetlb=1 (needs the restart)
};

inline constexpr MallocThresholds kSinkMalloc{1 << 20, 32 << 20, true};
// glibc accepts at most HEAP_MAX_SIZE / 2 (32 MiB on 64-bit) for the mmap threshold; a fetch
// response (fetch.max.bytes, 16 MiB) fits below it.
inline constexpr MallocThresholds kMockBrokerMalloc{32 << 20, 32 << 20, false};

// The glibc.malloc tunables that stand for `thresholds`, e.g.
// "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1048576:glibc.malloc.trim_threshold=33554432".
std::string malloc_tunables(MallocThresholds thresholds);

// The GLIBC_TUNABLES value the process must restart under (`glibc_tunables`: the variable now,
// nullptr when unset; other tunables in it are kept, ours appended), or nullopt when no restart
// is needed: the thresholds ask for no huge pages (mallopt sets the rest), or GLIBC_TUNABLES
// already names glibc.malloc tunables (the operator's, or ours after the restart).
std::optional<std::string> tunables_to_restart_with(const char* glibc_tunables,
                                                    MallocThresholds thresholds);

// The I/O shell of the above, for main's first step: when a restart is needed, sets
// GLIBC_TUNABLES and executes the program again (the file /proc/self/exe links to) with the same
// arguments (the same PID and process name); it returns only when no restart was needed or the
// exec failed (then tune_malloc sets what mallopt can).
// Does nothing in sanitized builds (their allocator is not glibc's).
void restart_with_glibc_tunables(char** argv, MallocThresholds thresholds);

struct MallocTuning {
  bool applied = false;
  std::string detail;  // what was set, or why nothing was (for the start-up log)
};

// Call at the start of main, before any thread starts. `glibc_tunables`: the GLIBC_TUNABLES
// environment variable (nullptr when unset). When it holds exactly malloc_tunables(thresholds)
// (the restart happened) it reports them as applied.
MallocTuning tune_malloc(const char* glibc_tunables, MallocThresholds thresholds);

}  // namespace ks3::kafka

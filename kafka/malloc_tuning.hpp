// Keeping glibc malloc from handing big buffers back to the kernel after every fetch.
//
// A fetch response is one buffer of up to fetch.max.bytes (16 MiB by default) in librdkafka's
// broker thread; parts, compression batches and the kafka-mock-broker's responses are
// hundreds of KiB to MiB. glibc serves such sizes with mmap (above M_MMAP_THRESHOLD, 128 KiB at
// first) and trims freed heap tops above M_TRIM_THRESHOLD, so the next buffer of the same size
// starts on fresh pages: one page fault per 4 KiB. On this project's 2-core VMs page faults were
// the largest single cost after compression: kafka-mock-broker spent half its time faulting in
// response buffers, and the sink's broker thread faulted in every fetch buffer. Side by side on
// the same topic (bench/run, 1 KiB documents), the thresholds below took 0.87-0.91x the sink's
// CPU per GB and gave 1.13x the throughput; the 10,000-object dataset, dominated by per-object
// requests rather than fetch buffers, gained nothing (README, Benchmarks; docs/DESIGN.md,
// "Backpressure and memory").
//
// The price: freed memory up to the trim threshold stays mapped per malloc arena, and buffers
// between 128 KiB and 32 MiB come from the heap, where fragments can stay behind: peak RSS of the
// 1 KiB document run grew by about 40 MiB (README, memory formula). An operator who sets
// glibc.malloc tunables in GLIBC_TUNABLES keeps them: nothing is changed then.
#pragma once

#include <string>

namespace ks3::kafka {

struct MallocTuning {
  bool applied = false;
  std::string detail;  // what was set, or why nothing was (for the start-up log)
};

// Call at the start of main, before any thread starts. `glibc_tunables`: the GLIBC_TUNABLES
// environment variable (nullptr when unset).
MallocTuning tune_malloc_for_streaming(const char* glibc_tunables);

}  // namespace ks3::kafka

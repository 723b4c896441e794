// Keeping glibc malloc from handing big buffers back to the kernel after every fetch.
//
// A fetch response is one buffer of up to fetch.max.bytes (16 MiB by default) in librdkafka's
// broker thread; parts, compression batches and the kafka-mock-broker's responses are
// hundreds of KiB to MiB. glibc serves such sizes with mmap (above M_MMAP_THRESHOLD, 128 KiB at
// first) and trims freed heap tops above M_TRIM_THRESHOLD, so the next buffer of the same size
// starts on fresh pages: one page fault per 4 KiB. On this project's 2-core VMs page faults were
// the largest single cost after compression: perf showed a third of the sink's kernel time in
// them, and kafka-mock-broker spent half its time faulting in response buffers. With the
// thresholds below, a 1 KiB document run took 0.4-0.6x the page faults and about 0.7x the CPU
// (docs/DESIGN.md, "Memory").
//
// Freed memory up to the trim threshold stays mapped per malloc arena: RSS after a burst stays
// near its peak instead of falling back, the peak itself does not grow (the memory was in use at
// that peak). An operator who sets glibc.malloc tunables in GLIBC_TUNABLES keeps them: nothing
// is changed then.
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

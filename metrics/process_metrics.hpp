// The standard process metrics (the names every Prometheus client library exports), read from
// Linux /proc at scrape time:
//   process_cpu_seconds_total       user + system CPU time
//   process_resident_memory_bytes   resident set size
//   process_virtual_memory_bytes    virtual memory size
//   process_open_fds                open file descriptors
//   process_max_fds                 RLIMIT_NOFILE soft limit
//   process_start_time_seconds      start time since the Unix epoch
// A value that cannot be read (not Linux, /proc not mounted) is left out, never made up.
// prometheus-cpp's core library has no process metrics on Linux: this is a Collectable for
// metrics::Registry::add_collector.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.hpp"

namespace ks3::metrics {

// Parsed fields of /proc/<pid>/stat (proc(5)), in raw units.
struct ProcStat {
  std::uint64_t utime_ticks = 0;      // field 14
  std::uint64_t stime_ticks = 0;      // field 15
  std::uint64_t starttime_ticks = 0;  // field 22: clock ticks after boot
  std::uint64_t vsize_bytes = 0;      // field 23
  std::uint64_t rss_pages = 0;        // field 24
};

// Pure parsers (unit-tested). The command name (field 2) is in parentheses and may itself
// contain spaces and ')' characters, so fields are counted from the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);
// "btime <seconds>" from /proc/stat: boot time since the Unix epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat_text);

class ProcessCollector final : public prometheus::Collectable {
 public:
  // `proc_self` is "/proc/self" normally, `proc_stat_path` "/proc/stat" (overridable for
  // tests that point at fixture files).
  explicit ProcessCollector(std::string proc_self = "/proc/self",
                            std::string proc_stat_path = "/proc/stat");

  // One family per value that could be read.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_self_;
  std::optional<double> start_time_seconds_;  // constant for the process: computed once
  double ticks_per_second_;
  double page_size_;
};

// Registers a ProcessCollector on `registry`.
void register_process_metrics(Registry& registry);

}  // namespace ks3::metrics

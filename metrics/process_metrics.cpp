#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace ks3::metrics {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

prometheus::MetricFamily single(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{std::move(name), std::move(help), type, {std::move(metric)}};
}

prometheus::MetricFamily gauge(std::string name, std::string help, double value) {
  return single(std::move(name), std::move(help), prometheus::MetricType::Gauge, value);
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // fields[0] is field 3 (state) of proc(5).
  auto fields = split_spaces(text.substr(close + 1));
  auto field = [&](std::size_t number) -> std::optional<std::uint64_t> {
    if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
    return to_u64(fields[number - 3]);
  };
  auto utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    if (line.starts_with("btime ")) {
      auto parts = split_spaces(line);
      if (parts.size() == 2) return to_u64(parts[1]);
      return std::nullopt;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

ProcessCollector::ProcessCollector(std::string proc_self, std::string proc_stat_path)
    : proc_self_(std::move(proc_self)),
      ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      page_size_(static_cast<double>(sysconf(_SC_PAGESIZE))) {
  auto stat_text = read_file(proc_self_ + "/stat");
  auto boot_text = read_file(proc_stat_path);
  if (stat_text && boot_text && ticks_per_second_ > 0) {
    auto stat = parse_proc_stat(*stat_text);
    auto boot = parse_boot_time(*boot_text);
    if (stat && boot) {
      start_time_seconds_ = static_cast<double>(*boot) +
                            static_cast<double>(stat->starttime_ticks) / ticks_per_second_;
    }
  }
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  if (auto text = read_file(proc_self_ + "/stat")) {
    if (auto stat = parse_proc_stat(*text); stat && ticks_per_second_ > 0) {
      out.push_back(
          single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                 prometheus::MetricType::Counter,
                 static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second_));
      out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                          static_cast<double>(stat->rss_pages) * page_size_));
      out.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          static_cast<double>(stat->vsize_bytes)));
    }
  }
  std::error_code ec;
  std::filesystem::directory_iterator fds(proc_self_ + "/fd", ec);
  if (!ec) {
    // The iterator's own descriptor is counted too, as in the Prometheus client libraries.
    std::size_t count = 0;
    for (auto it = fds; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      ++count;
    }
    if (!ec) {
      out.push_back(gauge("process_open_fds", "Number of open file descriptors.",
                          static_cast<double>(count)));
    }
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(limit.rlim_cur)));
  }
  if (start_time_seconds_) {
    out.push_back(gauge("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.",
                        *start_time_seconds_));
  }
  return out;
}

void register_process_metrics(Registry& registry) {
  registry.add_collector(std::make_shared<ProcessCollector>());
}

}  // namespace ks3::metrics

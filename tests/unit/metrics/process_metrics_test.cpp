#include "metrics/process_metrics.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

using namespace ks3::metrics;

namespace {

// A real /proc/<pid>/stat line (proc(5)); the command name contains spaces and a ')'.
constexpr std::string_view kStat =
    "4242 (kafka s3) sink) S 1 4242 4242 0 -1 4194560 5000 0 0 0 "
    "150 50 0 0 20 0 9 0 123456 987654321 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
    "17 1 0 0 0 0 0\n";

// The value of an unlabelled family, or nothing when it is absent.
std::optional<double> find(const std::vector<prometheus::MetricFamily>& families,
                           std::string_view name) {
  for (const auto& f : families) {
    if (f.name != name || f.metric.size() != 1) continue;
    return f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                     : f.metric[0].gauge.value;
  }
  return std::nullopt;
}

}  // namespace

TEST(ProcStat, ParsesFieldsAfterTheLastParenthesis) {
  auto stat = parse_proc_stat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 150u);
  EXPECT_EQ(stat->stime_ticks, 50u);
  EXPECT_EQ(stat->starttime_ticks, 123456u);
  EXPECT_EQ(stat->vsize_bytes, 987654321u);
  EXPECT_EQ(stat->rss_pages, 2560u);
}

TEST(ProcStat, RejectsTruncatedOrMalformedText) {
  EXPECT_FALSE(parse_proc_stat("").has_value());
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3").has_value());
  EXPECT_FALSE(parse_proc_stat("no parenthesis at all").has_value());
  std::string bad(kStat);
  bad.replace(bad.find(" 150 "), 5, " x50 ");
  EXPECT_FALSE(parse_proc_stat(bad).has_value());
}

TEST(ProcStat, ParsesBootTime) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"),
            std::optional<std::uint64_t>(1700000000));
  EXPECT_FALSE(parse_boot_time("cpu 1 2 3\n").has_value());
  EXPECT_FALSE(parse_boot_time("btime abc\n").has_value());
}

TEST(ProcessCollector, ComputesUnitsFromFixtureFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("ks3-proc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "fd");
  for (int i = 0; i < 3; ++i) std::ofstream(dir / "fd" / std::to_string(i)) << "";
  std::ofstream(dir / "stat") << kStat;
  std::ofstream(dir / "proc_stat") << "cpu 1\nbtime 1700000000\n";

  ProcessCollector collector(dir.string(), (dir / "proc_stat").string());
  auto out = collector.Collect();
  std::filesystem::remove_all(dir);

  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ASSERT_TRUE(find(out, "process_cpu_seconds_total"));
  EXPECT_DOUBLE_EQ(*find(out, "process_cpu_seconds_total"), 200 / ticks);
  EXPECT_DOUBLE_EQ(*find(out, "process_resident_memory_bytes"), 2560 * page);
  EXPECT_DOUBLE_EQ(*find(out, "process_virtual_memory_bytes"), 987654321);
  EXPECT_DOUBLE_EQ(*find(out, "process_open_fds"), 3);
  EXPECT_DOUBLE_EQ(*find(out, "process_start_time_seconds"), 1700000000 + 123456 / ticks);
}

TEST(ProcessCollector, MissingFilesLeaveValuesOut) {
  ProcessCollector collector("/nonexistent/ks3", "/nonexistent/ks3-stat");
  auto out = collector.Collect();
  EXPECT_FALSE(find(out, "process_cpu_seconds_total"));
  EXPECT_FALSE(find(out, "process_start_time_seconds"));
  EXPECT_FALSE(find(out, "process_open_fds"));
}

TEST(ProcessCollector, ReadsThisProcess) {
  Registry registry;
  register_process_metrics(registry);
  auto out = registry.Collect();
  ASSERT_TRUE(find(out, "process_resident_memory_bytes"));
  EXPECT_GT(*find(out, "process_resident_memory_bytes"), 1e5);
  EXPECT_GT(*find(out, "process_open_fds"), 2);
  auto now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto start = *find(out, "process_start_time_seconds");
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);  // this test process started recently
}

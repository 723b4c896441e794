#include "metrics/process_metrics.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

using namespace ks3::metrics;

namespace {

// A real /proc/<pid>/stat line (proc(5)); the command name contains spaces and a ')'.
constexpr std::string_view kStat =
    "4242 (kafka s3) sink) S 1 4242 4242 0 -1 4194560 5000 0 0 0 "
    "150 50 0 0 20 0 9 0 123456 987654321 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
    "17 1 0 0 0 0 0\n";

const Sample* find(const std::vector<FamilySnapshot>& families, std::string_view name) {
  for (const auto& f : families) {
    if (f.descriptor.name == name && !f.samples.empty()) return &f.samples.front();
  }
  return nullptr;
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
  std::vector<FamilySnapshot> out;
  collector.collect(out);
  std::filesystem::remove_all(dir);

  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ASSERT_NE(find(out, "process_cpu_seconds_total"), nullptr);
  EXPECT_DOUBLE_EQ(find(out, "process_cpu_seconds_total")->value, 200 / ticks);
  EXPECT_DOUBLE_EQ(find(out, "process_resident_memory_bytes")->value, 2560 * page);
  EXPECT_DOUBLE_EQ(find(out, "process_virtual_memory_bytes")->value, 987654321);
  EXPECT_DOUBLE_EQ(find(out, "process_open_fds")->value, 3);
  EXPECT_DOUBLE_EQ(find(out, "process_start_time_seconds")->value, 1700000000 + 123456 / ticks);
}

TEST(ProcessCollector, MissingFilesLeaveValuesOut) {
  ProcessCollector collector("/nonexistent/ks3", "/nonexistent/ks3-stat");
  std::vector<FamilySnapshot> out;
  collector.collect(out);
  EXPECT_EQ(find(out, "process_cpu_seconds_total"), nullptr);
  EXPECT_EQ(find(out, "process_start_time_seconds"), nullptr);
  EXPECT_EQ(find(out, "process_open_fds"), nullptr);
}

TEST(ProcessCollector, ReadsThisProcess) {
  Registry registry;
  register_process_metrics(registry);
  auto out = registry.collect();
  ASSERT_NE(find(out, "process_resident_memory_bytes"), nullptr);
  EXPECT_GT(find(out, "process_resident_memory_bytes")->value, 1e5);
  EXPECT_GT(find(out, "process_open_fds")->value, 2);
  auto now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto start = find(out, "process_start_time_seconds")->value;
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);  // this test process started recently
}

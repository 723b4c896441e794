#include "kafka/malloc_tuning.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ks3::kafka {
namespace {

TEST(MallocTuning, LeavesAnOperatorsMallocTunablesAlone) {
  auto result = tune_malloc("glibc.malloc.arena_max=2:glibc.rtld.nns=4", kSinkMalloc);
  EXPECT_FALSE(result.applied);
  EXPECT_NE(result.detail.find("GLIBC_TUNABLES"), std::string::npos);
}

// Bytes glibc holds in mmap'ed chunks while a buffer of `bytes` is allocated and written.
std::size_t mapped_while_holding(std::size_t bytes) {
  const std::size_t mapped_before = mallinfo2().hblkhd;
  void* buffer = std::malloc(bytes);
  EXPECT_NE(buffer, nullptr);
  asm volatile("" : : "g"(buffer) : "memory");  // the compiler may not elide the allocation
  std::memset(buffer, 1, bytes);
  const std::size_t mapped = mallinfo2().hblkhd - mapped_before;
  std::free(buffer);
  return mapped;
}

// Minor page faults of the calling thread so far.
long thread_minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

// fetch.max.bytes raised fourfold from the sink's default (4 MiB): the heap must reuse these too.
constexpr std::size_t kFetchResponseBytes = 16u << 20;

// The sink: a fetch response comes from the heap (the next one fills its memory again), only
// buffers past 32 MiB are mmap'ed. tcache_count and huge pages need the restart.
TEST(MallocTuning, TheSinkKeepsFetchResponsesOnTheHeap) {
  auto result = tune_malloc(nullptr, kSinkMalloc);
  ASSERT_TRUE(result.applied) << result.detail;
  EXPECT_EQ(result.detail,
            "mmap threshold 32 MiB, trim threshold 64 MiB, one arena (without thread cache 2048 "
            "chunks a size, transparent huge pages: the restart with GLIBC_TUNABLES did not "
            "happen)");
  EXPECT_EQ(mapped_while_holding(kFetchResponseBytes), 0u) << "a 16 MiB buffer was mmap'ed";
  EXPECT_GE(mapped_while_holding(48u << 20), 48u << 20) << "a 48 MiB buffer came from the heap";
}

// kafka-mock-broker: a fetch-sized buffer comes from the heap, not from a fresh mmap each time
// (which is what made every response fault its pages in).
TEST(MallocTuning, TheMockBrokerKeepsFetchSizedBuffersOnTheHeap) {
  auto result = tune_malloc("glibc.rtld.nns=4", kMockBrokerMalloc);  // other tunables
  ASSERT_TRUE(result.applied) << result.detail;
  EXPECT_EQ(mapped_while_holding(kFetchResponseBytes), 0u) << "a 16 MiB buffer was mmap'ed";
}

constexpr const char* kSinkTunables =
    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
    "glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=1:glibc.malloc.tcache_count=2048";

TEST(MallocTuning, TheSinkRestartsOnceUnderItsTunablesKeepingTheOperatorsOthers) {
  EXPECT_EQ(malloc_tunables(kSinkMalloc), kSinkTunables);
  EXPECT_EQ(tunables_to_restart_with(nullptr, kSinkMalloc), kSinkTunables);
  EXPECT_EQ(tunables_to_restart_with("", kSinkMalloc), kSinkTunables);
  EXPECT_EQ(tunables_to_restart_with("glibc.rtld.nns=4", kSinkMalloc),
            std::string("glibc.rtld.nns=4:") + kSinkTunables);
  // After the restart the tunables are there: no second one.
  EXPECT_EQ(tunables_to_restart_with(kSinkTunables, kSinkMalloc), std::nullopt);
  EXPECT_EQ(tunables_to_restart_with("glibc.malloc.hugetlb=0", kSinkMalloc), std::nullopt)
      << "the operator's own malloc tunables stand";
  EXPECT_EQ(tunables_to_restart_with(nullptr, kMockBrokerMalloc),
            malloc_tunables(kMockBrokerMalloc))
      << "the mock broker restarts too, for huge pages";
  EXPECT_EQ(tunables_to_restart_with(nullptr, MallocSettings{32 << 20, 32 << 20, false}),
            std::nullopt)
      << "no huge pages and no thread cache asked: mallopt does it all";
}

TEST(MallocTuning, AfterTheRestartTheSinksTunablesAreReportedAsApplied) {
  auto result =
      tune_malloc((std::string("glibc.rtld.nns=4:") + kSinkTunables).c_str(), kSinkMalloc);
  EXPECT_TRUE(result.applied);
  EXPECT_EQ(result.detail,
            "GLIBC_TUNABLES: mmap threshold 32 MiB, trim threshold 64 MiB, one arena, thread "
            "cache 2048 chunks a size, transparent huge pages");
}

// The kernel's transparent huge page mode: the bracketed word of
// /sys/kernel/mm/transparent_hugepage/enabled ("always", "madvise", "never"), "" when unknown.
std::string transparent_huge_page_mode() {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return text.substr(open + 1, close - open - 1);
}

// The child half of the test below (skipped unless that test starts it): holds a fetch-sized
// buffer, written as recvmsg would, and writes the AnonHugePages (kB) of its mapping to the
// file KS3_MALLOC_CHILD_REPORT names.
TEST(MallocTuningChild, HoldsAFetchResponse) {
  const char* report = std::getenv("KS3_MALLOC_CHILD_REPORT");
  if (!report) GTEST_SKIP() << "run by TheSinksTunablesGiveFetchResponsesHugePages";
  auto* buffer = static_cast<char*>(std::malloc(kFetchResponseBytes));
  ASSERT_NE(buffer, nullptr);
  std::memset(buffer, 1, kFetchResponseBytes);
  const auto address = reinterpret_cast<std::uintptr_t>(buffer);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  long huge_kb = -1;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream fields(line);
    if (fields >> std::hex >> start >> dash >> end && dash == '-') {
      inside = start <= address && address < end;
    } else if (inside && line.starts_with("AnonHugePages:")) {
      huge_kb = std::stol(line.substr(line.find(':') + 1));
    }
  }
  std::free(buffer);
  std::ofstream(report) << huge_kb;
}

// Runs the tests `filter` names in a child of this test program, with GLIBC_TUNABLES=`tunables`
// (unset when nullptr) and KS3_MALLOC_CHILD_REPORT=`report`; returns the child's PID, or -1
// when it could not start or failed.
pid_t run_child(const char* filter, const char* tunables, const std::string& report) {
  std::vector<std::string> variables = {"KS3_MALLOC_CHILD_REPORT=" + report};
  if (tunables) variables.push_back(std::string("GLIBC_TUNABLES=") + tunables);
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("GLIBC_TUNABLES=") && !text.starts_with("KS3_MALLOC_CHILD_REPORT=")) {
      variables.emplace_back(text);
    }
  }
  std::vector<char*> envp;
  for (auto& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  // By its file name, as a shell starts it (the process's name is that file's name).
  std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter_flag = std::string("--gtest_filter=") + filter;
  char* argv[] = {program.data(), filter_flag.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return pid;
}

std::string child_report_path() {
  return ::testing::TempDir() + "malloc_child_" + std::to_string(getpid()) + ".txt";
}

// The number a child of this test program reports when it runs the test `filter` names under
// GLIBC_TUNABLES=`tunables` (unset when nullptr); -2 when it did not run.
long child_report(const char* filter, const char* tunables) {
  const std::string report = child_report_path();
  if (run_child(filter, tunables, report) < 0) return -2;
  long value = -2;
  std::ifstream(report) >> value;
  std::remove(report.c_str());
  return value;
}

// AnonHugePages (kB) of a 16 MiB buffer in a child of this test program that runs under
// GLIBC_TUNABLES=`tunables` (-1: the child found no mapping; -2: it did not run).
long child_huge_page_kb(const std::string& tunables) {
  return child_report("MallocTuningChild.HoldsAFetchResponse", tunables.c_str());
}

// What the restart is for: under the sink's tunables glibc asks the kernel for huge pages on a
// fetch response's mapping, so recvmsg faults it in 2 MiB at a time, not 4 KiB.
TEST(MallocTuning, TheSinksTunablesGiveFetchResponsesHugePages) {
  const std::string mode = transparent_huge_page_mode();
  if (mode != "madvise" && mode != "always") {
    GTEST_SKIP() << "transparent huge pages are '" << mode << "' in this kernel";
  }
  EXPECT_GT(child_huge_page_kb(kSinkTunables), 0)
      << "a 16 MiB buffer had no huge page under " << kSinkTunables;
  if (mode == "madvise") {
    EXPECT_EQ(child_huge_page_kb("glibc.malloc.mmap_threshold=1048576"), 0)
        << "without glibc.malloc.hugetlb=1 a buffer got huge pages: the test shows nothing";
  }
}

// The child half of the test below: one thread (librdkafka's broker thread) allocates fetch
// responses of 16-17.5 MiB, four alive at a time (the prefetch queue), each written whole, the
// oldest freed before the next; writes the page faults per response of the second half to the
// file KS3_MALLOC_CHILD_REPORT names.
TEST(MallocTuningChild, CyclesFetchResponses) {
  const char* report = std::getenv("KS3_MALLOC_CHILD_REPORT");
  if (!report) GTEST_SKIP() << "run by TheSinksTunablesFillFreedFetchResponsesAgain";
  constexpr int kResponses = 64;
  long faults_per_response = -1;
  std::thread broker([&] {
    std::array<char*, 4> alive{};
    long faults_before = 0;
    for (int i = 0; i < kResponses; ++i) {
      if (i == kResponses / 2) faults_before = thread_minor_faults();
      const std::size_t bytes = kFetchResponseBytes + std::size_t(i * 7919 % 1536) * 1024;
      auto*& slot = alive[i % alive.size()];
      std::free(slot);
      slot = static_cast<char*>(std::malloc(bytes));
      ASSERT_NE(slot, nullptr);
      std::memset(slot, 1, bytes);
    }
    faults_per_response = (thread_minor_faults() - faults_before) / (kResponses / 2);
    for (char* buffer : alive) std::free(buffer);
  });
  broker.join();
  std::ofstream(report) << faults_per_response;
}

// What the single arena is for: a freed fetch response's memory is filled again by the next
// responses, so they take no page faults. With an arena per thread, the broker thread's arena
// unmaps each of its 64 MiB heaps whenever it is entirely free (whatever the thresholds), and
// the next responses fault fresh pages in; mmap'ed responses always do.
TEST(MallocTuning, TheSinksTunablesFillFreedFetchResponsesAgain) {
  constexpr const char* kCycle = "MallocTuningChild.CyclesFetchResponses";
  const long sink = child_report(kCycle, kSinkTunables);
  EXPECT_GE(sink, 0) << "the child did not run";
  EXPECT_LT(sink, 16) << "page faults per 16 MiB response under " << kSinkTunables;
  // The controls fault fresh pages in 4 KiB at a time (540-678 faults a response measured);
  // with the kernel's THP mode `always` a fresh 16 MiB is 8 huge pages, too few to tell apart.
  if (transparent_huge_page_mode() == "always") return;
  EXPECT_GT(child_report(kCycle, nullptr), 128) << "glibc's defaults reused the responses";
  EXPECT_GT(child_report(kCycle,
                         "glibc.malloc.mmap_threshold=33554432:"
                         "glibc.malloc.trim_threshold=67108864"),
            128)
      << "the thresholds alone (an arena per thread) reused the responses: the test shows nothing";
}

// kafka-mock-broker builds each fetch response on its one mock thread: its tunables (one arena,
// huge pages, no bigger thread cache) must let the next responses fill the freed ones too. The
// thresholds alone, its settings before, did not (the control above: 1,482 faults a response).
TEST(MallocTuning, TheMockBrokersTunablesFillFreedFetchResponsesAgain) {
  const std::string mock = malloc_tunables(kMockBrokerMalloc);
  EXPECT_EQ(mock,
            "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
            "glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=1");
  const long faults = child_report("MallocTuningChild.CyclesFetchResponses", mock.c_str());
  EXPECT_GE(faults, 0) << "the child did not run";
  EXPECT_LT(faults, 16) << "page faults per 16 MiB response under " << mock;
}

// The child half of the restart test below: appends "PID NAME GLIBC_TUNABLES" to the report
// file each time it runs, then makes the sink's restart (which runs this test again, in the same
// process, when it restarts).
TEST(MallocTuningChild, Restarts) {
  const char* report = std::getenv("KS3_MALLOC_CHILD_REPORT");
  if (!report) GTEST_SKIP() << "run by TheSinkRestartsItselfOnceKeepingItsPidAndName";
  std::ifstream comm_file("/proc/self/comm");
  std::string name;
  std::getline(comm_file, name);
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::ofstream(report, std::ios::app)
      << getpid() << ' ' << name << ' ' << (tunables ? tunables : "(unset)") << '\n';
  // The arguments it was started with, as main receives them.
  std::ifstream cmdline_file("/proc/self/cmdline");
  std::vector<std::string> arguments;
  for (std::string argument; std::getline(cmdline_file, argument, '\0');) {
    arguments.push_back(argument);
  }
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  restart_with_glibc_tunables(argv.data(), kSinkMalloc);
}

// The I/O shell of the restart: the program executes itself again once, under the sink's
// tunables after the operator's other ones, as the same process (PID) with the same name (ps,
// top and pkill see the program's file name, not "exe").
TEST(MallocTuning, TheSinkRestartsItselfOnceKeepingItsPidAndName) {
  const std::string report = child_report_path();
  std::remove(report.c_str());
  const pid_t pid = run_child("MallocTuningChild.Restarts", "glibc.rtld.nns=4", report);
  ASSERT_GT(pid, 0) << "the child failed";
  std::ifstream file(report);
  std::vector<std::string> runs;
  for (std::string line; std::getline(file, line);) runs.push_back(line);
  std::remove(report.c_str());
  const std::string before = std::to_string(pid) + " unit_malloc glibc.rtld.nns=4";
  ASSERT_EQ(runs.size(), 2u) << "expected one run before the restart and one after";
  EXPECT_EQ(runs[0], before);
  EXPECT_EQ(runs[1], before + ":" + kSinkTunables);
}

}  // namespace
}  // namespace ks3::kafka

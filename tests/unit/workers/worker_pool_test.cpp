// The worker pool on real threads (this binary also runs under ThreadSanitizer in scripts/test):
// jobs compress on the workers, every result comes back on the loop's thread, a job's exception
// comes back as its result, and the bytes do not depend on the worker count.
#include "server/workers/worker_pool.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/compress/block_compressor.hpp"
#include "server/compress/compressor.hpp"

namespace ks3::server {
namespace {

namespace asio = boost::asio;

std::string records(std::size_t bytes, unsigned seed) {
  std::string out;
  unsigned n = seed;
  while (out.size() < bytes) {
    n = n * 1103515245u + 12345u;
    out += R"({"id":)" + std::to_string(n % 100000) + R"(,"name":"doc-)" + std::to_string(n % 977) +
           "\"}\n";
  }
  out.resize(bytes);
  return out;
}

// Compresses `jobs` inputs through a pool of `workers`; returns the outputs by job index and
// checks that every result arrived on the loop's thread.
std::map<int, std::string> run_jobs(unsigned workers, Compression compression, int jobs) {
  asio::io_context loop;
  auto busy = asio::make_work_guard(loop);  // run_one waits for results instead of returning
  WorkerPool pool(workers);
  std::map<int, std::string> out;
  const auto loop_thread = std::this_thread::get_id();
  std::atomic<int> off_loop{0};
  for (int i = 0; i < jobs; ++i) {
    std::string raw = records(3 * kBlockBytes + static_cast<std::size_t>(i) * 1000, i + 1);
    pool.compress(loop.get_executor(), compression, default_compression_level(compression),
                  std::move(raw), [&, i](CompressedBlocks result) {
                    if (std::this_thread::get_id() != loop_thread) ++off_loop;
                    EXPECT_FALSE(result.error);
                    out[i] = std::move(result.value);
                  });
  }
  while (static_cast<int>(out.size()) < jobs) loop.run_one();
  pool.join();
  EXPECT_EQ(off_loop.load(), 0) << "a result ran off the loop's thread";
  return out;
}

// Jobs run under SCHED_BATCH (a woken worker does not preempt the loop); the thread that made
// the pool keeps its policy.
TEST(WorkerPool, WorkersRunUnderTheBatchPolicyAndTheLoopDoesNot) {
  asio::io_context loop;
  auto busy = asio::make_work_guard(loop);
  const int loop_policy = sched_getscheduler(0);
  WorkerPool pool(2);
  std::optional<int> worker_policy;
  pool.run<int>(
      loop.get_executor(), JobKind::compression, [] { return sched_getscheduler(0); },
      [&](JobResult<int> result) { worker_policy = result.value; });
  while (!worker_policy) loop.run_one();
  EXPECT_EQ(*worker_policy, SCHED_BATCH);
  EXPECT_EQ(sched_getscheduler(0), loop_policy);
  EXPECT_NE(loop_policy, SCHED_BATCH);
}

// A result waits in the loop's queue (thousands at once after an idle flush of many objects):
// it holds about its compressed size, not the compress bound it was reserved with.
TEST(WorkerPool, CompressedResultsHoldNoMoreThanTwiceTheirSize) {
  asio::io_context loop;
  auto busy = asio::make_work_guard(loop);
  WorkerPool pool(1);
  std::string compressed;
  bool done = false;
  pool.compress(loop.get_executor(), Compression::gzip, 1, records(4 * kBlockBytes, 7),
                [&](CompressedBlocks result) {
                  EXPECT_FALSE(result.error);
                  compressed = std::move(result.value);
                  done = true;
                });
  while (!done) loop.run_one();
  pool.join();
  ASSERT_FALSE(compressed.empty());
  EXPECT_LT(compressed.size(), kBlockBytes) << "these records should compress well";
  EXPECT_LE(compressed.capacity(), 2 * compressed.size());
}

TEST(WorkerPool, ResultsComeBackOnTheLoopAndDoNotDependOnTheWorkerCount) {
  for (Compression compression : {Compression::gzip, Compression::zstd, Compression::none}) {
    auto inline_results = run_jobs(0, compression, 24);
    auto pooled = run_jobs(4, compression, 24);
    ASSERT_EQ(inline_results.size(), 24u);
    EXPECT_EQ(pooled, inline_results) << "bytes differ with 4 workers";
    for (int i = 0; i < 24; ++i) {
      std::string expected;
      compress_blocks(compression, default_compression_level(compression),
                      records(3 * kBlockBytes + static_cast<std::size_t>(i) * 1000, i + 1),
                      expected);
      EXPECT_EQ(pooled[i], expected) << "job " << i;
    }
  }
}

TEST(WorkerPool, AJobThatThrowsReturnsTheErrorAndTheOthersStillRun) {
  asio::io_context loop;
  auto busy = asio::make_work_guard(loop);
  WorkerPool pool(2);
  std::atomic<int> calls{0};
  pool.set_job_hook_for_tests([&](JobKind) {
    if (++calls == 3) throw std::runtime_error("hook failed on the third job");
  });
  int errors = 0, done = 0;
  for (int i = 0; i < 8; ++i) {
    pool.compress(loop.get_executor(), Compression::gzip, 1, records(kBlockBytes, i + 1),
                  [&](CompressedBlocks result) {
                    ++done;
                    if (result.error) {
                      ++errors;
                      EXPECT_TRUE(result.value.empty());
                    } else {
                      EXPECT_FALSE(result.value.empty());
                    }
                  });
  }
  while (done < 8) loop.run_one();
  pool.join();
  EXPECT_EQ(errors, 1);
}

TEST(WorkerPool, TheExecutorIsThePoolsOwnThreads) {
  WorkerPool inline_pool(0);
  EXPECT_FALSE(inline_pool.executor());
  WorkerPool pool(2);
  auto executor = pool.executor();
  ASSERT_TRUE(executor);
  std::atomic<int> ran{0};
  std::set<std::thread::id> threads;
  std::mutex mutex;
  for (int i = 0; i < 16; ++i) {
    asio::post(*executor, [&] {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      ++ran;
    });
  }
  pool.join();
  EXPECT_EQ(ran.load(), 16);
  EXPECT_FALSE(threads.contains(std::this_thread::get_id()));
  EXPECT_LE(threads.size(), 2u);
}

// The generic entry point: a typed pure function on a worker thread, its value (or what it
// threw) back on the loop; the hook sees each job's kind.
TEST(WorkerPool, RunReturnsATypedValueFromAWorkerThread) {
  asio::io_context loop;
  auto busy = asio::make_work_guard(loop);
  WorkerPool pool(2);
  const auto loop_thread = std::this_thread::get_id();
  std::mutex mutex;
  std::vector<JobKind> kinds;
  pool.set_job_hook_for_tests([&](JobKind kind) {
    std::lock_guard lock(mutex);
    kinds.push_back(kind);
  });
  std::atomic<int> on_loop_thread{0};
  int done = 0;
  std::vector<std::size_t> values(4);
  for (int i = 0; i < 4; ++i) {
    pool.run<std::size_t>(
        loop.get_executor(), JobKind::body,
        [i, loop_thread] {
          if (i == 3) throw std::runtime_error("job 3 failed");
          return std::this_thread::get_id() == loop_thread ? 0 : static_cast<std::size_t>(i + 1);
        },
        [&, i](JobResult<std::size_t> result) {
          if (std::this_thread::get_id() == loop_thread) ++on_loop_thread;
          EXPECT_EQ(static_cast<bool>(result.error), i == 3);
          values[i] = result.value;
          ++done;
        });
  }
  while (done < 4) loop.run_one();
  pool.join();
  EXPECT_EQ(on_loop_thread.load(), 4);
  EXPECT_EQ(values, (std::vector<std::size_t>{1, 2, 3, 0}));  // 0: ran on the loop, or threw
  EXPECT_EQ(kinds, std::vector<JobKind>(4, JobKind::body));
}

}  // namespace
}  // namespace ks3::server

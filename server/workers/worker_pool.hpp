// The worker pool: CPU-heavy work off the event loop (block compression, the encoding of Parquet
// and Avro container bodies, payload hashing in the S3 client through executor()). Jobs run on an
// asio::thread_pool; their results are posted back to the loop, so the loop never blocks and
// everything the pipeline owns stays on the loop thread. With 0 workers a job runs on the
// caller's thread and its result is still posted (tests, and a deliberate single-thread mode).
//
// Order: the pool does not order jobs; a caller that needs order numbers its jobs
// (OrderedResults: ObjectWriter applies compressed blocks and body bytes by sequence number).
//
// Scheduling: the workers run under SCHED_BATCH (Linux), the event loop under the default
// policy. A woken batch thread does not preempt a running thread: a job posted by the loop no
// longer pushes the loop off its core. On 2 cores the loop, librdkafka's broker thread and two
// workers share the CPUs; with 160-byte records the loop was preempted ~13% of its wall time,
// and this made that run 1.16x faster (README, Benchmarks). The workers keep their share of the
// CPU (same nice value); where the policy cannot be set they run under the default one.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "server/compress/compressor.hpp"

namespace ks3::server {

// What a job does (for the test hook, and for reading a trace).
enum class JobKind { compression, body };
std::string_view to_string(JobKind kind);

// The result of one job: its value, or what it threw (then `value` is default).
template <class T>
struct JobResult {
  T value{};
  std::exception_ptr error;
};

// The result of one compression job: the compressed blocks.
using CompressedBlocks = JobResult<std::string>;

class WorkerPool {
 public:
  // `workers` threads; 0 runs jobs inline (see above).
  explicit WorkerPool(unsigned workers);
  ~WorkerPool();  // waits for running jobs
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned workers() const { return workers_; }
  // The pool's executor (for the S3 client's hashing); nullopt when jobs run inline.
  std::optional<boost::asio::any_io_executor> executor();

  // Runs the pure function `job` on a worker; `done` runs on `loop` with its value or its
  // exception. `job` (and what it captured) is destroyed on the worker, so its input is freed
  // there, not on the loop. `job` must not touch anything the loop uses while it runs.
  template <class T>
  void run(boost::asio::any_io_executor loop, JobKind kind, std::function<T()> job,
           std::function<void(JobResult<T>)> done);

  // Compresses `raw` (block_compressor.hpp) on a worker; `done` runs on `loop` with the result.
  void compress(boost::asio::any_io_executor loop, Compression compression, int level,
                std::string raw, std::function<void(CompressedBlocks)> done);

  // Tests: called in every job, with its kind, before the job runs (throw to make it fail).
  void set_job_hook_for_tests(std::function<void(JobKind)> hook) {
    hook_ = std::make_shared<std::function<void(JobKind)>>(std::move(hook));
  }

  // Waits for every job (the destructor does it too).
  void join();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  unsigned workers_;
  std::unique_ptr<boost::asio::io_context> pool_;  // null when jobs run inline
  std::optional<WorkGuard> keep_running_;          // until join()
  std::vector<std::thread> threads_;
  std::shared_ptr<std::function<void(JobKind)>> hook_;
};

template <class T>
void WorkerPool::run(boost::asio::any_io_executor loop, JobKind kind, std::function<T()> job,
                     std::function<void(JobResult<T>)> done) {
  auto execute = [kind, hook = hook_](std::function<T()>& work) {
    JobResult<T> result;
    try {
      if (hook && *hook) (*hook)(kind);
      result.value = work();
    } catch (...) {
      result.error = std::current_exception();
      result.value = T{};
    }
    work = nullptr;  // free the job's input here
    return result;
  };
  if (!pool_) {
    boost::asio::post(loop, [done = std::move(done), result = execute(job)]() mutable {
      done(std::move(result));
    });
    return;
  }
  boost::asio::post(
      *pool_, [loop, execute, job = std::move(job), done = std::move(done)]() mutable {
        JobResult<T> result = execute(job);
        boost::asio::post(loop, [done = std::move(done), result = std::move(result)]() mutable {
          done(std::move(result));
        });
      });
}

}  // namespace ks3::server

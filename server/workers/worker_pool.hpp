// The worker pool: CPU-heavy work off the event loop (block compression here, payload hashing in
// the S3 client through executor()). Jobs run on an asio::thread_pool; their results are posted
// back to the loop, so the loop never blocks and everything the pipeline owns stays on the loop
// thread. With 0 workers a job runs on the caller's thread and its result is still posted (tests,
// and a deliberate single-thread mode).
//
// Order: the pool does not order jobs; a caller that needs order numbers its jobs (ObjectWriter
// applies compressed blocks by sequence number).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/compress/compressor.hpp"

namespace ks3::server {

// The result of one compression job: the compressed blocks, or what was thrown.
struct CompressedBlocks {
  std::string bytes;
  std::exception_ptr error;
};

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

  // Compresses `raw` (block_compressor.hpp) on a worker; `done` runs on `loop` with the result.
  void compress(boost::asio::any_io_executor loop, Compression compression, int level,
                std::string raw, std::function<void(CompressedBlocks)> done);

  // Tests: called in every compression job before it compresses (throw to make jobs fail).
  void set_job_hook_for_tests(std::function<void()> hook) {
    hook_ = std::make_shared<std::function<void()>>(std::move(hook));
  }

  // Waits for every job (the destructor does it too).
  void join();

 private:
  unsigned workers_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::shared_ptr<std::function<void()>> hook_;
};

}  // namespace ks3::server

#include "server/workers/worker_pool.hpp"

#include <sched.h>

#include "server/compress/block_compressor.hpp"

namespace ks3::server {
namespace asio = boost::asio;

std::string_view to_string(JobKind kind) {
  switch (kind) {
    case JobKind::compression:
      return "compression";
    case JobKind::body:
      return "body";
  }
  return "?";
}

WorkerPool::WorkerPool(unsigned workers) : workers_(workers) {
  if (workers_ == 0) return;
  pool_ = std::make_unique<asio::io_context>(static_cast<int>(workers_));
  keep_running_.emplace(pool_->get_executor());
  for (unsigned i = 0; i < workers_; ++i) {
    threads_.emplace_back([io = pool_.get()] {
      // This thread only (pid 0); refused, it keeps the default policy.
      const sched_param param{};
      static_cast<void>(sched_setscheduler(0, SCHED_BATCH, &param));
      io->run();
    });
  }
}

WorkerPool::~WorkerPool() {
  join();
}

void WorkerPool::join() {
  // run() returns once no job is queued or running.
  keep_running_.reset();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::optional<asio::any_io_executor> WorkerPool::executor() {
  if (!pool_) return std::nullopt;
  return asio::any_io_executor(pool_->get_executor());
}

void WorkerPool::compress(asio::any_io_executor loop, Compression compression, int level,
                          std::string raw, std::function<void(CompressedBlocks)> done) {
  run<std::string>(
      std::move(loop), JobKind::compression,
      [compression, level, raw = std::move(raw)] {
        std::string out;
        compress_blocks(compression, level, raw, out);
        // `out` was reserved at the compress bound, about the input's size, and JSON compresses
        // to a quarter of that: give the rest back before the result waits in the loop's queue
        // (after an idle flush of thousands of objects, thousands of results wait at once).
        if (out.capacity() > 2 * out.size()) out.shrink_to_fit();
        return out;
      },
      std::move(done));
}

}  // namespace ks3::server

#include "server/workers/worker_pool.hpp"

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
  if (workers_ > 0) pool_ = std::make_unique<asio::thread_pool>(workers_);
}

WorkerPool::~WorkerPool() {
  join();
}

void WorkerPool::join() {
  if (pool_) pool_->join();
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

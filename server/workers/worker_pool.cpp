#include "server/workers/worker_pool.hpp"

#include "server/compress/block_compressor.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {

CompressedBlocks run_compression(Compression compression, int level, const std::string& raw,
                                 const std::shared_ptr<std::function<void()>>& hook) {
  CompressedBlocks result;
  try {
    if (hook && *hook) (*hook)();
    compress_blocks(compression, level, raw, result.bytes);
  } catch (...) {
    result.error = std::current_exception();
    result.bytes.clear();
  }
  return result;
}

}  // namespace

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
  if (!pool_) {
    asio::post(loop, [done = std::move(done),
                      result = run_compression(compression, level, raw, hook_)]() mutable {
      done(std::move(result));
    });
    return;
  }
  asio::post(*pool_, [loop, compression, level, raw = std::move(raw), hook = hook_,
                      done = std::move(done)]() mutable {
    CompressedBlocks result = run_compression(compression, level, raw, hook);
    raw = std::string();  // free the input here, not on the loop
    asio::post(loop, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  });
}

}  // namespace ks3::server

// The pipeline's memory account: the MemoryBudget plus the split between bytes buffered in open
// objects and bytes in parts (waiting for an upload slot or in flight). Part buffers are handed
// to the S3 client as shared bodies whose deleter gives their bytes back, so a part counts until
// the last reference (ours or the client's) is gone: no guessing when an upload released it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "s3/http_message.hpp"
#include "server/pipeline/memory_budget.hpp"

namespace ks3::server {

class MemoryAccount : public std::enable_shared_from_this<MemoryAccount> {
 public:
  // `reserved`: bytes held outside the pipeline that count all the time (librdkafka's prefetch
  // queue and the dead-letter producer's queue, config reserved_memory_bytes), so the watermarks
  // bound the process, not only the pipeline. `on_change` is called with every pause/resume
  // transition (on the io_context's thread).
  MemoryAccount(std::uint64_t reserved, std::uint64_t high_watermark, std::uint64_t low_watermark,
                std::function<void(MemoryBudget::Change)> on_change);

  // Stops calling on_change (the owner is going away; bodies may outlive it).
  void detach() { on_change_ = nullptr; }

  // Buffered bytes of open objects: adjust by a signed delta.
  void adjust_buffered(std::int64_t delta);

  // Of the buffered bytes, those held by objects still open (records may still come): a signed
  // delta. The rest (closing objects, blocks at the workers) becomes parts on its own.
  void adjust_open(std::int64_t delta) {
    open_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(open_) + delta);
  }

  // Wraps a part's bytes in a body that counts against the budget until it is destroyed.
  s3::SharedBody counted_part(std::string bytes);

  std::uint64_t used() const { return budget_.used(); }  // reserved included
  std::uint64_t reserved() const { return reserved_; }
  std::uint64_t buffered() const { return buffered_; }
  std::uint64_t in_parts() const { return in_parts_; }
  std::uint64_t open() const { return open_; }
  bool above_high() const { return budget_.above_high(); }
  bool paused() const { return budget_.paused(); }
  const MemoryBudget& budget() const { return budget_; }

 private:
  void apply(MemoryBudget::Change change);

  MemoryBudget budget_;
  std::function<void(MemoryBudget::Change)> on_change_;
  std::uint64_t reserved_ = 0;
  std::uint64_t buffered_ = 0;
  std::uint64_t in_parts_ = 0;
  std::uint64_t open_ = 0;
};

}  // namespace ks3::server

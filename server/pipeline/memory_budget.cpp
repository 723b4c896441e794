#include "server/pipeline/memory_budget.hpp"

namespace ks3::server {

MemoryBudget::Change MemoryBudget::add(std::uint64_t bytes) {
  used_ += bytes;
  return update();
}

MemoryBudget::Change MemoryBudget::release(std::uint64_t bytes) {
  // Releasing more than was counted would be a bookkeeping bug; clamp rather than wrap around.
  used_ = bytes > used_ ? 0 : used_ - bytes;
  return update();
}

MemoryBudget::Change MemoryBudget::update() {
  if (!paused_ && used_ > high_) {
    paused_ = true;
    return Change::pause;
  }
  if (paused_ && used_ <= low_) {
    paused_ = false;
    return Change::resume;
  }
  return Change::none;
}

}  // namespace ks3::server

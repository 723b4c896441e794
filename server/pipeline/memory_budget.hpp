// The memory budget (pure): one count of every byte the pipeline holds (encoded and compressed
// bytes in open objects' buffers, parts waiting for an upload slot, parts in flight, compressor
// state). Above the high watermark the pipeline pauses every assigned partition; at or below
// the low watermark it resumes them (hysteresis, so it does not flap).
#pragma once

#include <cstdint>

namespace ks3::server {

class MemoryBudget {
 public:
  enum class Change { none, pause, resume };

  MemoryBudget(std::uint64_t high_watermark, std::uint64_t low_watermark)
      : high_(high_watermark), low_(low_watermark) {}

  // Counts bytes taken or given back; returns the pause/resume transition this causes, if any.
  Change add(std::uint64_t bytes);
  Change release(std::uint64_t bytes);

  std::uint64_t used() const { return used_; }
  std::uint64_t high_watermark() const { return high_; }
  std::uint64_t low_watermark() const { return low_; }
  bool paused() const { return paused_; }
  bool above_high() const { return used_ > high_; }

 private:
  Change update();

  std::uint64_t high_;
  std::uint64_t low_;
  std::uint64_t used_ = 0;
  bool paused_ = false;
};

}  // namespace ks3::server

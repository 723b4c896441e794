// When a record arrived, for the idle_flush and max_open clocks (rotation.hpp). Read once per
// record on the event loop, so it reads CLOCK_MONOTONIC_COARSE: the time of the kernel's last
// timer tick, a few nanoseconds to read instead of a TSC read per record (2-3% of the loop's
// time with 160-byte records). It shares CLOCK_MONOTONIC's epoch, which std::chrono::steady_clock
// reads, and lags it by at most a tick (1-10 ms): a wall-clock cut may come that much early, on a
// scale of seconds.
#pragma once

#include <chrono>
#include <ctime>

namespace ks3::server {

inline std::chrono::steady_clock::time_point arrival_now() {
  timespec now{};
  if (::clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0) return std::chrono::steady_clock::now();
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

}  // namespace ks3::server

#include "server/pipeline/arrival_clock.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Arrival times are compared with steady_clock::now() (idle_flush, max_open): the coarse clock
// must share its epoch and lag it by a tick at most, never run ahead.
TEST(ArrivalClock, ReadsSteadyClockTimeAtTickResolution) {
  for (int i = 0; i < 1000; ++i) {
    const steady_clock::time_point before = steady_clock::now();
    const steady_clock::time_point arrival = arrival_now();
    const steady_clock::time_point after = steady_clock::now();
    ASSERT_LE(arrival, after) << "the arrival clock ran ahead of steady_clock";
    // A tick is 1-10 ms (CONFIG_HZ 1000-100); 50 ms leaves room for a descheduled test thread.
    ASSERT_GT(arrival, before - milliseconds(50))
        << "the arrival clock is not steady_clock's: "
        << std::chrono::duration_cast<milliseconds>(before - arrival).count() << " ms behind";
  }
}

TEST(ArrivalClock, NeverGoesBack) {
  steady_clock::time_point last = arrival_now();
  for (int i = 0; i < 100000; ++i) {
    const steady_clock::time_point next = arrival_now();
    ASSERT_GE(next, last);
    last = next;
  }
}

}  // namespace
}  // namespace ks3::server

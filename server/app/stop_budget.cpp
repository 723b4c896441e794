#include "server/app/stop_budget.hpp"

#include <algorithm>

namespace ks3::server {

std::chrono::milliseconds StopBudget::close_limit(Clock::time_point now) const {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(signalled_ + deadline_ - now);
  return std::max(left, kCloseFloor);
}

int stop_exit_code(int current, bool drain_settled, CloseOutcome close) {
  if (current != 0) return current;
  if (!drain_settled || close == CloseOutcome::abandoned) return 1;
  return 0;
}

}  // namespace ks3::server

// How a graceful stop spends shutdown_deadline (pure; docs/DESIGN.md "Graceful shutdown").
//
// From the signal: the drain (cut, complete and commit) runs until shutdown_deadline; what is
// still uploading then is aborted, and the drain waits at most 2 s more for the aborts
// (Pipeline::drain). Leaving the group (the final revoke commits what is durable, then
// LeaveGroup) gets what remains of shutdown_deadline, but at least kCloseFloor: with Kafka
// reachable it takes a few round trips, and a drain that used the whole deadline must still be
// able to commit. With Kafka gone the close gives up at that limit, and destroying the consumer
// waits at most kafka::ConsumerConfig::destroy_wait (1 s). So the sink exits within
// shutdown_deadline + kStopMargin.
#pragma once

#include <chrono>

namespace ks3::server {

enum class CloseOutcome {
  closed,     // the group was left: the final revoke committed what is durable
  abandoned,  // gave up at its limit (Kafka unreachable): durable but uncommitted records are
              // consumed again at the next start, onto the same keys
};

class StopBudget {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kCloseFloor{1000};
  // The drain's wait for aborted uploads (2 s), kCloseFloor, the consumer's destroy_wait (1 s).
  static constexpr std::chrono::milliseconds kStopMargin{4000};

  StopBudget(Clock::time_point signalled, std::chrono::milliseconds shutdown_deadline)
      : signalled_(signalled), deadline_(shutdown_deadline) {}

  std::chrono::milliseconds drain_deadline() const { return deadline_; }
  // The limit of leaving the group when the drain ended at `now`.
  std::chrono::milliseconds close_limit(Clock::time_point now) const;

 private:
  Clock::time_point signalled_;
  std::chrono::milliseconds deadline_;
};

// The exit status of a graceful stop: 0 only when everything consumed is durable and
// committed; 1 when the drain did not settle by its deadline or leaving the group was given up
// (nothing is lost either way: what is not committed is consumed again). `current`: the status
// set before the stop (a failure's 1 stays).
int stop_exit_code(int current, bool drain_settled, CloseOutcome close);

}  // namespace ks3::server

#include "kafka/join_watchdog.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace ks3::kafka {

namespace {
constexpr std::chrono::milliseconds kLibrdkafkaSessionTimeout{45000};
}  // namespace

std::string_view to_string(JoinWaitCause cause) {
  switch (cause) {
    case JoinWaitCause::first_join:
      return "first_join";
    case JoinWaitCause::lost:
      return "assignment_lost";
    case JoinWaitCause::revoked:
      return "rebalance";
  }
  return "unknown";
}

JoinWatchdog::JoinWatchdog(std::chrono::milliseconds threshold)
    : threshold_(std::max(threshold, std::chrono::milliseconds{1})) {}

JoinWatchdogStep JoinWatchdog::observe(std::chrono::steady_clock::time_point now,
                                       const GroupObservation& seen) {
  const bool assigned = last_ && seen.assignments != last_->assignments;
  const bool revoked = last_ && seen.revocations != last_->revocations;
  bool waiting = waiting_since_.has_value();
  JoinWaitCause cause = cause_;
  if (!seen.joined) {
    waiting = true;
    cause = seen.assignments == 0 ? JoinWaitCause::first_join : JoinWaitCause::lost;
  } else if (assigned) {
    // An assignment after any revoke seen in the same interval (a revoke precedes the assignment
    // of its rebalance; an assignment is never followed by a revoke within one status tick
    // without a join in between that would show as another assignment).
    waiting = false;
  } else if (revoked) {
    waiting = true;
    cause = JoinWaitCause::revoked;
  } else if (!last_) {
    waiting = false;  // first look, already in the group
  }
  last_ = seen;

  JoinWatchdogStep step;
  if (!waiting) {
    if (waiting_since_ && reported_) {
      step.action = JoinWatchdogStep::Action::joined_after_stall;
      step.cause = cause_;
      step.waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - *waiting_since_);
    }
    waiting_since_.reset();
    reported_ = false;
    waited_ = std::chrono::milliseconds{0};
    return step;
  }
  if (!waiting_since_) {
    waiting_since_ = now;
    next_report_ = threshold_;
    reported_ = false;
  }
  cause_ = cause;
  waited_ = std::chrono::duration_cast<std::chrono::milliseconds>(now - *waiting_since_);
  step.cause = cause_;
  step.waited = waited_;
  if (waited_ >= next_report_) {
    step.action = JoinWatchdogStep::Action::stalled;
    step.first_report = !reported_;
    reported_ = true;
    // Report again when the wait has doubled: one line per doubling, not one per tick.
    while (next_report_ <= waited_) next_report_ *= 2;
  }
  return step;
}

std::chrono::milliseconds join_stall_threshold(std::chrono::milliseconds session_timeout) {
  return 3 * session_timeout;
}

std::chrono::milliseconds session_timeout(const ConsumerConfig& config) {
  std::chrono::milliseconds timeout = kLibrdkafkaSessionTimeout;
  // The last value wins, as the consumer applies the properties in this order.
  for (const auto& [name, value] : effective_properties(config)) {
    if (name != "session.timeout.ms") continue;
    long long ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    // librdkafka refuses anything else when the consumer is created; keep the default here.
    if (ec == std::errc() && end == value.data() + value.size() && ms > 0) {
      timeout = std::chrono::milliseconds{ms};
    }
  }
  return timeout;
}

}  // namespace ks3::kafka

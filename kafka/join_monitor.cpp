#include "kafka/join_monitor.hpp"

#include <cstdint>

#include "metrics/log.hpp"

namespace ks3::kafka {

JoinMonitor::JoinMonitor(const ConsumerConfig& config, metrics::SinkMetrics& metrics)
    : session_timeout_(session_timeout(config)), metrics_(metrics) {
  if (!config.static_assignment) watchdog_.emplace(join_stall_threshold(session_timeout_));
}

void JoinMonitor::check(const Consumer& consumer, std::chrono::steady_clock::time_point now) {
  if (!watchdog_) return;
  const ConsumerCounters& counters = consumer.counters();
  const JoinWatchdogStep step =
      watchdog_->observe(now, {consumer.joined(), counters.assignments, counters.revocations});
  metrics_.group_join_wait_seconds.set(static_cast<double>(watchdog_->waited().count()) / 1000.0);
  switch (step.action) {
    case JoinWatchdogStep::Action::none:
      break;
    case JoinWatchdogStep::Action::stalled:
      if (step.first_report) metrics_.group_join_stalls.inc();
      log::warn(
          "kafka group not joined: no assignment from the group for longer than "
          "3 x session.timeout.ms (librdkafka keeps trying; see README \"Group join "
          "watchdog\")",
          {{"waited_ms", static_cast<std::int64_t>(step.waited.count())},
           {"since", std::string(to_string(step.cause))},
           {"session_timeout_ms", static_cast<std::int64_t>(session_timeout_.count())}});
      break;
    case JoinWatchdogStep::Action::joined_after_stall:
      log::info("kafka group joined after a stall",
                {{"waited_ms", static_cast<std::int64_t>(step.waited.count())},
                 {"since", std::string(to_string(step.cause))}});
      break;
  }
}

}  // namespace ks3::kafka

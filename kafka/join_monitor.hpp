// The shell of the group join watchdog (join_watchdog.hpp): looks at the consumer, logs a stall
// and the join that ends it, and keeps kafka_s3_sink_group_join_wait_seconds and
// kafka_s3_sink_group_join_stalls_total. Off with a static assignment (no group to join).
#pragma once

#include <chrono>
#include <optional>

#include "kafka/consumer.hpp"
#include "kafka/consumer_config.hpp"
#include "kafka/join_watchdog.hpp"
#include "metrics/sink_metrics.hpp"

namespace ks3::kafka {

class JoinMonitor {
 public:
  JoinMonitor(const ConsumerConfig& config, metrics::SinkMetrics& metrics);

  // Called from the status loop (about once a second).
  void check(const Consumer& consumer, std::chrono::steady_clock::time_point now);

 private:
  std::optional<JoinWatchdog> watchdog_;  // nullopt: static assignment
  std::chrono::milliseconds session_timeout_;
  metrics::SinkMetrics& metrics_;
};

}  // namespace ks3::kafka

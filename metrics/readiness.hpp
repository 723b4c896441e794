// Readiness: the sink is ready when every declared condition holds (for example "kafka": the
// consumer group is joined and partitions are assigned; "s3": the bucket answered HeadBucket).
// Components flip their own condition; /readyz reports the combined status with the reasons.
//
//   metrics::Readiness readiness(&sink_metrics.ready);
//   readiness.declare("kafka", "kafka group not joined");
//   readiness.declare("s3", "s3 not checked yet");
//   ...
//   readiness.set_ready("kafka");
//   readiness.set_not_ready("s3", "s3 unreachable: connection refused (127.0.0.1:9000)");
//
// Thread-safe. Every change of the overall state after the declarations is logged (warn when it
// becomes not ready or the reason changes, info when it becomes ready), so the logs say why a pod
// was taken out of service.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_handles.hpp"

namespace ks3::metrics {

struct ReadinessStatus {
  bool ready = true;
  // Empty when ready; otherwise the reasons of the failing conditions, joined by "; ".
  std::string reason;
};

class Readiness {
 public:
  // `ready_gauge` (optional) mirrors the state as 1/0 (kafka_s3_sink_ready).
  explicit Readiness(Gauge* ready_gauge = nullptr);

  // Adds a condition, initially not ready for `initial_reason`. Declaring an existing condition
  // again changes nothing.
  void declare(std::string_view condition, std::string initial_reason);
  // Set a condition (declared implicitly if new).
  void set_ready(std::string_view condition);
  void set_not_ready(std::string_view condition, std::string reason);

  ReadinessStatus status() const;

 private:
  struct Condition {
    std::string name;
    bool ready = false;
    std::string reason;
  };
  Condition& find_or_add(std::string_view condition);  // requires mutex_ held
  void publish_locked(std::string_view changed);       // gauge + log on overall change

  mutable std::mutex mutex_;
  std::vector<Condition> conditions_;  // declaration order = order of reasons in the status
  Gauge* ready_gauge_;
  bool last_ready_ = true;
  std::string last_reason_;
};

}  // namespace ks3::metrics

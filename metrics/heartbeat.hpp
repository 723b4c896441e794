// Liveness of the event loop: a timer on the loop stamps a heartbeat every `interval`. /healthz
// compares the last stamp with the clock: a loop that is blocked (a long synchronous call, a
// deadlock) stops stamping and the check turns unhealthy after `stale_after`.
//
// The check reads an atomic, so it also works when the HTTP server runs on another thread or
// io_context than the loop it watches. Destroy it before the io_context it runs on.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "metrics/metric_handles.hpp"

namespace ks3::metrics {

struct HealthStatus {
  bool healthy = true;
  std::string detail;  // human-readable, e.g. "event loop stalled: last heartbeat 12.0 s ago"
};

// Pure: the verdict for a heartbeat seen at `last_beat` when the time is `now`.
HealthStatus evaluate_heartbeat(std::chrono::steady_clock::time_point last_beat,
                                std::chrono::steady_clock::time_point now,
                                std::chrono::milliseconds stale_after);

class LoopHeartbeat {
 public:
  // `delay` (optional) observes how late each tick fired
  // (kafka_s3_sink_event_loop_delay_seconds).
  LoopHeartbeat(boost::asio::any_io_executor loop, std::chrono::milliseconds interval,
                Histogram* delay = nullptr);
  ~LoopHeartbeat();
  LoopHeartbeat(const LoopHeartbeat&) = delete;
  LoopHeartbeat& operator=(const LoopHeartbeat&) = delete;

  // Starts the timer on the loop (the first stamp is the time of start()).
  void start();
  // Cancels the timer (posted to the loop; safe from any thread).
  void stop();

  // Thread-safe.
  HealthStatus check(std::chrono::milliseconds stale_after) const;
  std::chrono::steady_clock::time_point last_beat() const;

  struct State;  // implementation detail (shared with the timer coroutine)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ks3::metrics

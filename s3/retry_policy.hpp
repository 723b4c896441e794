// Retries: capped exponential backoff with full jitter, an attempt limit and a per-operation
// deadline. Pure: the clock reading and the random source are arguments.
//
// Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
//   sleep = random_between(0, min(cap, base * 2 ** attempt))
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "s3/s3_error.hpp"

namespace ks3::s3 {

struct RetryConfig {
  int max_attempts = 10;                       // first try included; 1 = no retries
  std::chrono::milliseconds base_delay{100};   // ceiling of the first backoff
  std::chrono::milliseconds max_delay{20000};  // cap of any one backoff
  std::chrono::milliseconds deadline{300000};  // whole operation, all attempts and waits
};

// Uniform in [0, 1). Tests inject a fixed value; the default draws from a per-thread PRNG.
using UnitRandom = std::function<double()>;
UnitRandom default_unit_random();

// min(max_delay, base_delay * 2^retry_index) for retry_index = 0, 1, ... (no overflow).
std::chrono::milliseconds backoff_ceiling(const RetryConfig& config, int retry_index);
// A full-jitter draw in [0, ceiling].
std::chrono::milliseconds full_jitter(std::chrono::milliseconds ceiling, double unit_random);

enum class GiveUp { none, not_retryable, attempts, deadline };

// Per-operation state: one per call of an S3 operation.
class RetryState {
 public:
  using Clock = std::chrono::steady_clock;
  RetryState(const RetryConfig& config, Clock::time_point start,
             UnitRandom random = default_unit_random());

  // Call after each failed attempt with its classification. Returns the time to wait before
  // the next attempt, or nullopt to stop (give_up() says why). Stops as well when the wait
  // would end past the deadline: an attempt that starts after it is pointless.
  std::optional<std::chrono::milliseconds> after_failure(Outcome outcome, Clock::time_point now);

  int attempts() const { return attempts_; }  // attempts made so far
  GiveUp give_up() const { return give_up_; }
  Clock::time_point deadline() const { return deadline_; }
  // The Errc matching give_up() (retries_exhausted / deadline_exceeded), or {}.
  boost::system::error_code give_up_error() const;

 private:
  RetryConfig config_;
  Clock::time_point deadline_;
  UnitRandom random_;
  int attempts_ = 0;
  GiveUp give_up_ = GiveUp::none;
};

}  // namespace ks3::s3

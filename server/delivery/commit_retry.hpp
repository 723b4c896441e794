// Retries of one partition's offset commits (pure: the clock reading and the random source are
// arguments). A failed commit is retried after a capped exponential backoff with full jitter
// (s3/retry_policy.hpp's backoff_ceiling and full_jitter), and without limit: the commit carries
// durable progress and the cut journal, so the sink keeps trying until the broker is back (or
// the partition is revoked). A run of failures is one streak: its first failure is logged, the
// success that ends it is logged once with the streak's length; the failures between are not.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "s3/retry_policy.hpp"
#include "server/delivery/rotation.hpp"

namespace ks3::server {

// base_delay and max_delay apply; max_attempts and deadline do not (commits never give up).
s3::RetryConfig default_commit_retry_config();

class CommitRetry {
 public:
  explicit CommitRetry(s3::RetryConfig config = default_commit_retry_config(),
                       s3::UnitRandom random = s3::default_unit_random());

  struct Failure {
    std::chrono::milliseconds delay{0};  // wait before the next attempt
    std::uint64_t streak = 0;            // failed attempts in a row, this one included
    bool log = false;                    // the first failure of a streak: log it
  };
  // A commit attempt failed at `now`.
  Failure failed(SteadyTime now);
  // A commit attempt succeeded: the length of the streak it ends (log it when > 0), else 0.
  std::uint64_t succeeded();

  // Whether a commit may be sent at `now` (no streak, or its backoff has passed).
  bool may_attempt(SteadyTime now) const { return !next_attempt_ || now >= *next_attempt_; }
  std::optional<SteadyTime> next_attempt() const { return next_attempt_; }
  std::uint64_t streak() const { return streak_; }

 private:
  s3::RetryConfig config_;
  s3::UnitRandom random_;
  std::uint64_t streak_ = 0;
  std::optional<SteadyTime> next_attempt_;
};

}  // namespace ks3::server

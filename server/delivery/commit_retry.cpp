#include "server/delivery/commit_retry.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace ks3::server {

s3::RetryConfig default_commit_retry_config() {
  s3::RetryConfig config;
  config.base_delay = std::chrono::milliseconds(100);
  config.max_delay = std::chrono::milliseconds(5000);
  return config;
}

CommitRetry::CommitRetry(s3::RetryConfig config, s3::UnitRandom random)
    : config_(config), random_(std::move(random)) {
  if (!random_) random_ = s3::default_unit_random();
}

CommitRetry::Failure CommitRetry::failed(SteadyTime now) {
  ++streak_;
  // backoff_ceiling stops doubling at the cap, so a long streak never overflows.
  const int retry_index =
      static_cast<int>(std::min<std::uint64_t>(streak_ - 1, std::numeric_limits<int>::max()));
  Failure failure;
  failure.delay = s3::full_jitter(s3::backoff_ceiling(config_, retry_index), random_());
  failure.streak = streak_;
  failure.log = streak_ == 1;
  next_attempt_ = now + failure.delay;
  return failure;
}

std::uint64_t CommitRetry::succeeded() {
  const std::uint64_t ended = streak_;
  streak_ = 0;
  next_attempt_.reset();
  return ended;
}

}  // namespace ks3::server

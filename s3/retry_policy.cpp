#include "s3/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace ks3::s3 {

UnitRandom default_unit_random() {
  return [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::chrono::milliseconds backoff_ceiling(const RetryConfig& config, int retry_index) {
  const auto cap = std::max(config.max_delay, std::chrono::milliseconds{0});
  auto ceiling = std::max(config.base_delay, std::chrono::milliseconds{0});
  // Doubling stops at the cap, so 2^retry_index never overflows.
  for (int i = 0; i < retry_index && ceiling < cap; ++i) ceiling *= 2;
  return std::min(ceiling, cap);
}

std::chrono::milliseconds full_jitter(std::chrono::milliseconds ceiling, double unit_random) {
  const double r = std::clamp(unit_random, 0.0, 1.0);
  const auto ms = static_cast<std::chrono::milliseconds::rep>(
      std::floor(r * static_cast<double>(ceiling.count() + 1)));
  return std::min(std::chrono::milliseconds{ms}, ceiling);
}

RetryState::RetryState(const RetryConfig& config, Clock::time_point start, UnitRandom random)
    : config_(config), deadline_(start + config.deadline), random_(std::move(random)) {
  if (!random_) random_ = default_unit_random();
}

std::optional<std::chrono::milliseconds> RetryState::after_failure(Outcome outcome,
                                                                   Clock::time_point now) {
  ++attempts_;
  if (outcome != Outcome::retry) {
    give_up_ = GiveUp::not_retryable;
    return std::nullopt;
  }
  if (attempts_ >= std::max(config_.max_attempts, 1)) {
    give_up_ = GiveUp::attempts;
    return std::nullopt;
  }
  const auto delay = full_jitter(backoff_ceiling(config_, attempts_ - 1), random_());
  if (now + delay >= deadline_) {
    give_up_ = GiveUp::deadline;
    return std::nullopt;
  }
  return delay;
}

boost::system::error_code RetryState::give_up_error() const {
  switch (give_up_) {
    case GiveUp::attempts:
      return make_error_code(Errc::retries_exhausted);
    case GiveUp::deadline:
      return make_error_code(Errc::deadline_exceeded);
    default:
      return {};
  }
}

}  // namespace ks3::s3

#include "s3/retry_policy.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ks3::s3 {
namespace {

using std::chrono::milliseconds;
using Clock = RetryState::Clock;

RetryConfig config(int attempts, int base_ms, int cap_ms, int deadline_ms) {
  return RetryConfig{attempts, milliseconds(base_ms), milliseconds(cap_ms),
                     milliseconds(deadline_ms)};
}

TEST(Backoff, CeilingDoublesUpToTheCap) {
  const auto c = config(10, 100, 1000, 60000);
  EXPECT_EQ(backoff_ceiling(c, 0), milliseconds(100));
  EXPECT_EQ(backoff_ceiling(c, 1), milliseconds(200));
  EXPECT_EQ(backoff_ceiling(c, 3), milliseconds(800));
  EXPECT_EQ(backoff_ceiling(c, 4), milliseconds(1000));
  EXPECT_EQ(backoff_ceiling(c, 1000), milliseconds(1000));  // no overflow
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheCeiling) {
  EXPECT_EQ(full_jitter(milliseconds(800), 0.0), milliseconds(0));
  EXPECT_EQ(full_jitter(milliseconds(800), 0.9999999), milliseconds(800));
  EXPECT_EQ(full_jitter(milliseconds(800), 0.5), milliseconds(400));
  EXPECT_EQ(full_jitter(milliseconds(800), 7.0), milliseconds(800));  // clamped
  std::mt19937_64 engine(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto c = config(10, 50, 5000, 60000);
  for (int retry = 0; retry < 20; ++retry) {
    const auto ceiling = backoff_ceiling(c, retry);
    milliseconds max_seen{0};
    for (int i = 0; i < 500; ++i) {
      const auto d = full_jitter(ceiling, unit(engine));
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d, ceiling);
      max_seen = std::max(max_seen, d);
    }
    // Full jitter spreads over the whole range, not just near zero.
    EXPECT_GT(max_seen, ceiling / 2) << "retry " << retry;
  }
}

TEST(RetryState, RetriesUntilTheAttemptLimit) {
  const auto start = Clock::time_point{} + std::chrono::hours(1);
  RetryState state(config(3, 100, 1000, 60000), start, [] { return 0.9999999; });
  auto d1 = state.after_failure(Outcome::retry, start);
  ASSERT_TRUE(d1);
  EXPECT_EQ(*d1, milliseconds(100));
  auto d2 = state.after_failure(Outcome::retry, start + *d1);
  ASSERT_TRUE(d2);
  EXPECT_EQ(*d2, milliseconds(200));
  EXPECT_FALSE(state.after_failure(Outcome::retry, start + milliseconds(400)));
  EXPECT_EQ(state.give_up(), GiveUp::attempts);
  EXPECT_EQ(state.attempts(), 3);
  EXPECT_EQ(state.give_up_error(), make_error_code(Errc::retries_exhausted));
}

TEST(RetryState, NeverRetriesAPermanentFailure) {
  const auto start = Clock::now();
  for (Outcome o : {Outcome::fail, Outcome::not_found, Outcome::success}) {
    RetryState state(config(10, 100, 1000, 60000), start, [] { return 0.0; });
    EXPECT_FALSE(state.after_failure(o, start));
    EXPECT_EQ(state.give_up(), GiveUp::not_retryable);
    EXPECT_EQ(state.attempts(), 1);
    EXPECT_FALSE(state.give_up_error());
  }
}

TEST(RetryState, StopsWhenTheWaitWouldPassTheDeadline) {
  const auto start = Clock::now();
  RetryState state(config(100, 1000, 1000, 2500), start, [] { return 0.9999999; });
  ASSERT_TRUE(state.after_failure(Outcome::retry, start + milliseconds(100)));   // ends at 1100
  ASSERT_TRUE(state.after_failure(Outcome::retry, start + milliseconds(1200)));  // ends at 2200
  EXPECT_FALSE(state.after_failure(Outcome::retry, start + milliseconds(2300)));
  EXPECT_EQ(state.give_up(), GiveUp::deadline);
  EXPECT_EQ(state.give_up_error(), make_error_code(Errc::deadline_exceeded));
  EXPECT_EQ(state.deadline(), start + milliseconds(2500));
}

TEST(RetryState, SingleAttemptConfigurationDoesNotRetry) {
  const auto start = Clock::now();
  RetryState state(config(1, 100, 1000, 60000), start);
  EXPECT_FALSE(state.after_failure(Outcome::retry, start));
  EXPECT_EQ(state.give_up(), GiveUp::attempts);
}

TEST(RetryState, DefaultRandomStaysInBounds) {
  const auto start = Clock::now();
  RetryState state(config(50, 10, 80, 3600000), start);
  for (int i = 0; i < 49; ++i) {
    auto d = state.after_failure(Outcome::retry, start);
    ASSERT_TRUE(d);
    EXPECT_LE(*d, milliseconds(80));
  }
}

}  // namespace
}  // namespace ks3::s3

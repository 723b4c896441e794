#include "server/delivery/commit_retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ks3::server {
namespace {

using namespace std::chrono_literals;

const SteadyTime kFirstFailure{std::chrono::seconds(1000)};

s3::RetryConfig config(std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  s3::RetryConfig c;
  c.base_delay = base;
  c.max_delay = cap;
  return c;
}

TEST(CommitRetry, BacksOffExponentiallyUpToTheCap) {
  // Random 1.0: every draw is the ceiling itself (full jitter draws in [0, ceiling]).
  CommitRetry retry(config(100ms, 1000ms), [] { return 1.0; });
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(retry.failed(kFirstFailure).delay);
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 800ms, 1000ms,
                                                            1000ms, 1000ms}));
}

TEST(CommitRetry, FullJitterDrawsBelowTheCeiling) {
  CommitRetry retry(config(100ms, 1000ms), [] { return 0.5; });
  EXPECT_EQ(retry.failed(kFirstFailure).delay, 50ms);
  EXPECT_EQ(retry.failed(kFirstFailure).delay, 100ms);
  CommitRetry zero(config(100ms, 1000ms), [] { return 0.0; });
  EXPECT_EQ(zero.failed(kFirstFailure).delay, 0ms);
}

TEST(CommitRetry, NoAttemptBeforeTheBackoffHasPassed) {
  CommitRetry retry(config(100ms, 1000ms), [] { return 1.0; });
  EXPECT_TRUE(retry.may_attempt(kFirstFailure)) << "no streak: commit at once";
  retry.failed(kFirstFailure);
  EXPECT_FALSE(retry.may_attempt(kFirstFailure));
  EXPECT_FALSE(retry.may_attempt(kFirstFailure + 99ms));
  EXPECT_TRUE(retry.may_attempt(kFirstFailure + 100ms));
  retry.failed(kFirstFailure + 100ms);
  EXPECT_FALSE(retry.may_attempt(kFirstFailure + 299ms));
  EXPECT_TRUE(retry.may_attempt(kFirstFailure + 300ms));
  EXPECT_EQ(retry.next_attempt(), kFirstFailure + 300ms);
}

TEST(CommitRetry, OneLogLinePerFailureStreakAndOneOnRecovery) {
  CommitRetry retry(config(100ms, 1000ms), [] { return 1.0; });
  EXPECT_EQ(retry.succeeded(), 0u) << "a success without a streak logs nothing";
  std::vector<bool> logged;
  for (int i = 0; i < 5; ++i) logged.push_back(retry.failed(kFirstFailure).log);
  EXPECT_EQ(logged, (std::vector<bool>{true, false, false, false, false}));
  EXPECT_EQ(retry.streak(), 5u);
  EXPECT_EQ(retry.succeeded(), 5u) << "the recovery line carries the streak's length";
  EXPECT_EQ(retry.succeeded(), 0u) << "logged once";
  EXPECT_EQ(retry.streak(), 0u);
  EXPECT_TRUE(retry.may_attempt(kFirstFailure)) << "a success clears the backoff";
  // A new streak starts over: logged again, from the base delay.
  auto failure = retry.failed(kFirstFailure);
  EXPECT_TRUE(failure.log);
  EXPECT_EQ(failure.streak, 1u);
  EXPECT_EQ(failure.delay, 100ms);
}

TEST(CommitRetry, ALongStreakNeverOverflowsTheBackoff) {
  CommitRetry retry(config(100ms, 5000ms), [] { return 1.0; });
  CommitRetry::Failure last;
  for (int i = 0; i < 10000; ++i) last = retry.failed(kFirstFailure);
  EXPECT_EQ(last.delay, 5000ms);
  EXPECT_EQ(last.streak, 10000u);
  EXPECT_FALSE(last.log);
}

TEST(CommitRetry, DefaultsAreCappedExponentialFromAHundredMilliseconds) {
  s3::RetryConfig c = default_commit_retry_config();
  EXPECT_EQ(c.base_delay, 100ms);
  EXPECT_EQ(c.max_delay, 5000ms);
}

}  // namespace
}  // namespace ks3::server

// Offset commits that fail: retried after a capped exponential backoff with jitter (not on
// every tick or event), logged once per failure streak, counted per failed attempt.
#include <gmock/gmock.h>

#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class PipelineCommitRetry : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};
};

TEST_F(PipelineCommitRetry, FailedCommitsBackOffLogOncePerStreakAndEventuallyCommit) {
  auto r = std::make_unique<PipelineRig>(io, s3, test_sink_config({"rotation.max_records=1"}));
  // Backoff ceilings of 1.5 s; the jitter draws 1.0 (the whole ceiling) for the first failure,
  // then 0 (retry at the next tick), so the test is quick and its spacing is known.
  s3::RetryConfig retry;
  retry.base_delay = std::chrono::milliseconds(1500);
  retry.max_delay = std::chrono::milliseconds(1500);
  auto draws = std::make_shared<std::vector<double>>(std::vector<double>{1.0, 0.0, 0.0});
  r->pipeline.set_commit_retry_for_tests(retry, [draws] {
    if (draws->empty()) return 0.0;
    double d = draws->front();
    draws->erase(draws->begin());
    return d;
  });
  r->consumer.fail_next = 3;  // the broker is away for three attempts
  r->assign(0, 0);
  ::testing::internal::CaptureStderr();
  int failures_in_first_backoff = -1;
  std::size_t successes_in_first_backoff = 0;
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));  // a full object: completes, its commit fails
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.failures == 1; }))
        << "the first commit attempt never came";
    // Five more objects complete during the first backoff; each would trigger a commit, and so
    // would every 100 ms tick: none may be sent before the backoff has passed.
    for (std::int64_t i = 1; i < 6; ++i) r->feed(json_record(0, i));
    EXPECT_TRUE(co_await eventually([&] { return s3.keys("test-bucket").size() == 6; }))
        << "objects did not complete";
    failures_in_first_backoff = r->consumer.failures;
    successes_in_first_backoff = r->consumer.log.size();
    EXPECT_TRUE(
        co_await eventually([&] { return r->consumer.offset(0) == 6; }, std::chrono::seconds(10)))
        << "never committed after the broker came back; failures: " << r->consumer.failures;
  }());
  r->pipeline.stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(failures_in_first_backoff, 1)
      << "commits were retried before their backoff (events or ticks hammer the broker)";
  EXPECT_EQ(successes_in_first_backoff, 0u);
  // Exactly the attempts the streak needed: three failures, then one commit of everything.
  EXPECT_EQ(r->consumer.failures, 3);
  ASSERT_EQ(r->consumer.log.size(), 1u);
  EXPECT_EQ(r->consumer.log[0].offset, 6);
  // Counted per failed attempt; logged once for the streak, and once on recovery.
  EXPECT_EQ(r->metrics.commit_failures.value(), 3.0);
  EXPECT_EQ(r->pipeline.stats().commit_failures, 3u);
  EXPECT_EQ(r->metrics.commits.value(), 1.0);
  EXPECT_EQ(count(log, "offset commit failed"), 1u) << log;
  EXPECT_EQ(count(log, "offset commit recovered"), 1u) << log;
  EXPECT_THAT(log, ::testing::HasSubstr("failed_attempts=3")) << log;
  expect_exactly_once(landed_records(s3), {{0, {0, 6}}});
}

TEST_F(PipelineCommitRetry, ASecondStreakIsLoggedAgain) {
  auto r = std::make_unique<PipelineRig>(io, s3, test_sink_config({"rotation.max_records=1"}));
  s3::RetryConfig retry;
  retry.base_delay = std::chrono::milliseconds(1);
  retry.max_delay = std::chrono::milliseconds(1);
  r->pipeline.set_commit_retry_for_tests(retry, [] { return 0.0; });
  r->assign(0, 0);
  ::testing::internal::CaptureStderr();
  run(io, [&]() -> asio::awaitable<void> {
    r->consumer.fail_next = 2;
    r->feed(json_record(0, 0));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 1; }));
    r->consumer.fail_next = 1;
    r->feed(json_record(0, 1));
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 2; }));
  }());
  r->pipeline.stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(r->consumer.failures, 3);
  EXPECT_EQ(r->metrics.commit_failures.value(), 3.0);
  EXPECT_EQ(count(log, "offset commit failed"), 2u) << log;
  EXPECT_EQ(count(log, "offset commit recovered"), 2u) << log;
}

}  // namespace
}  // namespace ks3::test

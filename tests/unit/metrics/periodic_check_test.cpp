#include "metrics/periodic_check.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <vector>

namespace asio = boost::asio;
using namespace ks3::metrics;
using namespace std::chrono_literals;

namespace {

using Verdict = std::optional<std::string>;

// Runs the loop until `done` holds (bounded).
template <typename Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return done();
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

}  // namespace

TEST(PeriodicCheck, FollowsTheProbeFailThenRecover) {
  asio::io_context io;
  Readiness readiness;
  readiness.declare("s3", "s3 not checked yet");
  // Whether the check was ready when each probe began: the loop may run a further probe before
  // run_until looks (a 10 ms interval on a loaded machine), so the test follows the probes, not
  // the count at the moment it looks.
  std::vector<bool> ready_at_probe;
  PeriodicCheck check(io.get_executor(), readiness, "s3",
                      [&]() -> asio::awaitable<Verdict> {
                        ready_at_probe.push_back(readiness.status().ready);
                        if (ready_at_probe.size() < 3)
                          co_return "s3 unreachable: connection refused";
                        co_return std::nullopt;
                      },
                      {.interval = 10ms, .timeout = 1s});
  check.start();
  // Until the first verdict is applied (a probe is recorded when it begins, before its verdict).
  ASSERT_TRUE(run_until(io, [&] { return readiness.status().reason != "s3 not checked yet"; }));
  if (!readiness.status().ready) {
    EXPECT_EQ(readiness.status().reason, "s3 unreachable: connection refused");
  }
  ASSERT_TRUE(run_until(io, [&] { return readiness.status().ready; }));
  ASSERT_GE(ready_at_probe.size(), 3U);
  // Not ready through the two failures and into the third probe; ready from the one after it.
  EXPECT_FALSE(ready_at_probe[0]);
  EXPECT_FALSE(ready_at_probe[1]);
  EXPECT_FALSE(ready_at_probe[2]);
  for (std::size_t i = 3; i < ready_at_probe.size(); ++i) EXPECT_TRUE(ready_at_probe[i]) << i;
  check.stop();
  io.restart();
  io.run_for(1s);
  EXPECT_TRUE(io.stopped()) << "stop() left work on the loop";
}

TEST(PeriodicCheck, SlowProbeTimesOut) {
  asio::io_context io;
  Readiness readiness;
  PeriodicCheck check(io.get_executor(), readiness, "s3",
                      []() -> asio::awaitable<Verdict> {
                        co_await sleep_for(10s);
                        co_return std::nullopt;
                      },
                      {.interval = 10ms, .timeout = 200ms});
  check.start();
  ASSERT_TRUE(run_until(io, [&] { return !readiness.status().ready; }));
  EXPECT_EQ(readiness.status().reason, "s3 check timed out after 0.2 s");
}

TEST(PeriodicCheck, ThrowingProbeIsAReasonNotACrash) {
  asio::io_context io;
  Readiness readiness;
  PeriodicCheck check(io.get_executor(), readiness, "kafka",
                      []() -> asio::awaitable<Verdict> {
                        throw std::runtime_error("boom");
                        co_return std::nullopt;
                      },
                      {.interval = 10ms, .timeout = 1s});
  check.start();
  ASSERT_TRUE(run_until(io, [&] { return !readiness.status().ready; }));
  EXPECT_EQ(readiness.status().reason, "kafka check failed: boom");
}

TEST(PeriodicCheck, StopCancelsAProbeInFlight) {
  asio::io_context io;
  Readiness readiness;
  bool probing = false;
  PeriodicCheck check(io.get_executor(), readiness, "s3",
                      [&]() -> asio::awaitable<Verdict> {
                        probing = true;
                        co_await sleep_for(30s);
                        co_return std::nullopt;
                      },
                      {.interval = 10ms, .timeout = 60s});
  check.start();
  ASSERT_TRUE(run_until(io, [&] { return probing; }));
  check.stop();
  auto t0 = std::chrono::steady_clock::now();
  io.restart();
  io.run_for(5s);
  EXPECT_TRUE(io.stopped());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "the probe in flight was not cancelled";
  EXPECT_TRUE(readiness.status().ready) << "a cancelled probe must not change the condition";
}

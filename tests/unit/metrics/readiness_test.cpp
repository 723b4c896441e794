#include "metrics/readiness.hpp"

#include <gtest/gtest.h>

#include "metrics/heartbeat.hpp"

using namespace ks3::metrics;
using namespace std::chrono_literals;

TEST(Readiness, ReadyWithoutConditions) {
  Readiness r;
  EXPECT_TRUE(r.status().ready);
  EXPECT_EQ(r.status().reason, "");
}

TEST(Readiness, AllConditionsMustHoldReasonsInDeclarationOrder) {
  prometheus::Gauge native;
  Gauge gauge(native);
  Readiness r(&gauge);
  EXPECT_EQ(gauge.value(), 1);
  r.declare("kafka", "kafka group not joined");
  r.declare("s3", "s3 not checked yet");
  EXPECT_FALSE(r.status().ready);
  EXPECT_EQ(r.status().reason, "kafka group not joined; s3 not checked yet");
  EXPECT_EQ(gauge.value(), 0);

  r.set_ready("s3");
  EXPECT_EQ(r.status().reason, "kafka group not joined");
  r.set_ready("kafka");
  EXPECT_TRUE(r.status().ready);
  EXPECT_EQ(gauge.value(), 1);

  r.set_not_ready("s3", "s3 unreachable: connection refused");
  EXPECT_FALSE(r.status().ready);
  EXPECT_EQ(r.status().reason, "s3 unreachable: connection refused");
  EXPECT_EQ(gauge.value(), 0);

  // Declaring again does not reset the condition.
  r.declare("kafka", "kafka group not joined");
  EXPECT_EQ(r.status().reason, "s3 unreachable: connection refused");
}

TEST(Readiness, UndeclaredConditionIsAddedByASetter) {
  Readiness r;
  r.set_not_ready("disk", "");
  EXPECT_EQ(r.status().reason, "disk not ready");
}

TEST(Heartbeat, FreshIsHealthyStaleIsNot) {
  auto t0 = std::chrono::steady_clock::now();
  auto fresh = evaluate_heartbeat(t0, t0 + 500ms, 10s);
  EXPECT_TRUE(fresh.healthy);
  auto stale = evaluate_heartbeat(t0, t0 + 12s, 10s);
  EXPECT_FALSE(stale.healthy);
  EXPECT_EQ(stale.detail, "event loop stalled: last heartbeat 12.0 s ago (limit 10.0 s)");
  // A beat stamped after `now` (another thread) counts as fresh.
  EXPECT_TRUE(evaluate_heartbeat(t0 + 1s, t0, 10s).healthy);
}

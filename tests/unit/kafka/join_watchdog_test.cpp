#include "kafka/join_watchdog.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace ks3::kafka {
namespace {

using namespace std::chrono_literals;
using Action = JoinWatchdogStep::Action;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart{};  // any origin: the watchdog only takes differences

GroupObservation waiting_first_join() {
  return {false, 0, 0};
}
GroupObservation in_group(std::uint64_t assignments, std::uint64_t revocations = 0) {
  return {true, assignments, revocations};
}

TEST(JoinWatchdog, AJoinWithinTheThresholdIsNotReported) {
  JoinWatchdog dog(18s);
  EXPECT_EQ(dog.observe(kStart, waiting_first_join()).action, Action::none);
  auto waiting = dog.observe(kStart + 17s, waiting_first_join());
  EXPECT_EQ(waiting.action, Action::none);
  EXPECT_EQ(waiting.waited, 17s);
  EXPECT_EQ(waiting.cause, JoinWaitCause::first_join);
  EXPECT_EQ(dog.waited(), 17s);
  EXPECT_EQ(dog.observe(kStart + 18s, in_group(1)).action, Action::none);
  EXPECT_EQ(dog.waited(), 0s);
}

TEST(JoinWatchdog, AStallIsReportedOnceAtTheThresholdThenAtEachDoublingThenTheJoin) {
  JoinWatchdog dog(18s);
  dog.observe(kStart, waiting_first_join());
  auto first = dog.observe(kStart + 18s, waiting_first_join());
  EXPECT_EQ(first.action, Action::stalled);
  EXPECT_TRUE(first.first_report);
  EXPECT_EQ(first.waited, 18s);
  EXPECT_EQ(dog.observe(kStart + 19s, waiting_first_join()).action, Action::none);
  EXPECT_EQ(dog.observe(kStart + 35s, waiting_first_join()).action, Action::none);
  auto again = dog.observe(kStart + 36s, waiting_first_join());
  EXPECT_EQ(again.action, Action::stalled);
  EXPECT_FALSE(again.first_report);  // the same stall: counted once
  EXPECT_EQ(dog.observe(kStart + 71s, waiting_first_join()).action, Action::none);
  EXPECT_EQ(dog.observe(kStart + 72s, waiting_first_join()).action, Action::stalled);
  auto joined = dog.observe(kStart + 80s, in_group(1));
  EXPECT_EQ(joined.action, Action::joined_after_stall);
  EXPECT_EQ(joined.waited, 80s);
  EXPECT_EQ(joined.cause, JoinWaitCause::first_join);
  EXPECT_EQ(dog.observe(kStart + 81s, in_group(1)).action, Action::none);
}

TEST(JoinWatchdog, ALongGapBetweenLooksReportsOnceNotOncePerMissedDoubling) {
  JoinWatchdog dog(10s);
  dog.observe(kStart, waiting_first_join());
  EXPECT_EQ(dog.observe(kStart + 45s, waiting_first_join()).action, Action::stalled);
  EXPECT_EQ(dog.observe(kStart + 46s, waiting_first_join()).action, Action::none);
  EXPECT_EQ(dog.observe(kStart + 80s, waiting_first_join()).action, Action::stalled);
}

TEST(JoinWatchdog, AnEagerRevokeWithoutAnAssignmentIsAWait) {
  JoinWatchdog dog(18s);
  EXPECT_EQ(dog.observe(kStart, in_group(1)).action, Action::none);
  // joined() stays true across an eager revoke: the revoke counter tells.
  auto revoked = dog.observe(kStart + 1s, in_group(1, 1));
  EXPECT_EQ(revoked.action, Action::none);
  EXPECT_EQ(revoked.cause, JoinWaitCause::revoked);
  EXPECT_EQ(dog.observe(kStart + 10s, in_group(1, 1)).waited, 9s);
  auto stalled = dog.observe(kStart + 19s, in_group(1, 1));
  EXPECT_EQ(stalled.action, Action::stalled);
  EXPECT_TRUE(stalled.first_report);
  EXPECT_EQ(stalled.cause, JoinWaitCause::revoked);
  EXPECT_EQ(dog.observe(kStart + 20s, in_group(2, 1)).action, Action::joined_after_stall);
}

TEST(JoinWatchdog, ARevokeAndItsAssignmentWithinOneLookAreNoWait) {
  JoinWatchdog dog(18s);
  dog.observe(kStart, in_group(1));
  EXPECT_EQ(dog.observe(kStart + 1s, in_group(2, 1)).action, Action::none);
  EXPECT_EQ(dog.observe(kStart + 60s, in_group(2, 1)).action, Action::none);
  EXPECT_EQ(dog.waited(), 0s);
}

TEST(JoinWatchdog, ALostAssignmentIsAWaitUntilTheNextAssignment) {
  JoinWatchdog dog(18s);
  dog.observe(kStart, in_group(3, 2));
  auto lost = dog.observe(kStart + 1s, {false, 3, 3});
  EXPECT_EQ(lost.cause, JoinWaitCause::lost);
  EXPECT_EQ(dog.observe(kStart + 19s, {false, 3, 3}).action, Action::stalled);
  auto joined = dog.observe(kStart + 25s, in_group(4, 3));
  EXPECT_EQ(joined.action, Action::joined_after_stall);
  EXPECT_EQ(joined.cause, JoinWaitCause::lost);
  EXPECT_EQ(joined.waited, 24s);
}

TEST(JoinWatchdog, ANewWaitAfterAStallIsReportedAndCountedAgain) {
  JoinWatchdog dog(10s);
  dog.observe(kStart, waiting_first_join());
  EXPECT_TRUE(dog.observe(kStart + 10s, waiting_first_join()).first_report);
  dog.observe(kStart + 11s, in_group(1));
  dog.observe(kStart + 12s, in_group(1, 1));
  auto second = dog.observe(kStart + 22s, in_group(1, 1));
  EXPECT_EQ(second.action, Action::stalled);
  EXPECT_TRUE(second.first_report);
  EXPECT_EQ(second.waited, 10s);
}

TEST(JoinWatchdog, AZeroThresholdDoesNotLoop) {
  JoinWatchdog dog(0ms);
  EXPECT_EQ(dog.threshold(), 1ms);
  dog.observe(kStart, waiting_first_join());
  EXPECT_EQ(dog.observe(kStart + 5ms, waiting_first_join()).action, Action::stalled);
}

TEST(JoinWatchdog, ThresholdIsThreeSessionTimeoutsFromTheEffectiveProperty) {
  ConsumerConfig config;
  config.bootstrap_servers = "127.0.0.1:9092";
  config.group_id = "sink";
  config.topics = {"events"};
  EXPECT_EQ(session_timeout(config), 45000ms);  // librdkafka's default
  config.properties["session.timeout.ms"] = "6000";
  EXPECT_EQ(session_timeout(config), 6000ms);
  EXPECT_EQ(join_stall_threshold(session_timeout(config)), 18000ms);
}

TEST(JoinWatchdog, CauseNames) {
  EXPECT_EQ(to_string(JoinWaitCause::first_join), "first_join");
  EXPECT_EQ(to_string(JoinWaitCause::lost), "assignment_lost");
  EXPECT_EQ(to_string(JoinWaitCause::revoked), "rebalance");
}

}  // namespace
}  // namespace ks3::kafka

#include "server/app/stop_budget.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

using namespace std::chrono_literals;
using Clock = StopBudget::Clock;

TEST(StopBudget, TheDrainGetsTheWholeDeadline) {
  const StopBudget budget(Clock::now(), 5000ms);
  EXPECT_EQ(budget.drain_deadline(), 5000ms);
}

TEST(StopBudget, LeavingTheGroupGetsWhatRemainsOfTheDeadline) {
  const auto signalled = Clock::time_point{} + 100s;
  const StopBudget budget(signalled, 5000ms);
  EXPECT_EQ(budget.close_limit(signalled + 1500ms), 3500ms);
}

TEST(StopBudget, LeavingTheGroupGetsAtLeastTheFloor) {
  const auto signalled = Clock::time_point{} + 100s;
  const StopBudget budget(signalled, 3000ms);
  // The drain used the whole deadline, or more (the aborts after it).
  EXPECT_EQ(budget.close_limit(signalled + 3000ms), StopBudget::kCloseFloor);
  EXPECT_EQ(budget.close_limit(signalled + 4800ms), StopBudget::kCloseFloor);
  EXPECT_EQ(budget.close_limit(signalled + 2500ms), StopBudget::kCloseFloor);
}

TEST(StopExitCode, ZeroOnlyWhenEverythingIsDurableAndCommitted) {
  EXPECT_EQ(stop_exit_code(0, true, CloseOutcome::closed), 0);
  EXPECT_EQ(stop_exit_code(0, false, CloseOutcome::closed), 1);
  EXPECT_EQ(stop_exit_code(0, true, CloseOutcome::abandoned), 1);
  EXPECT_EQ(stop_exit_code(0, false, CloseOutcome::abandoned), 1);
}

TEST(StopExitCode, AFailureBeforeTheStopKeepsItsStatus) {
  EXPECT_EQ(stop_exit_code(1, true, CloseOutcome::closed), 1);
  EXPECT_EQ(stop_exit_code(3, false, CloseOutcome::abandoned), 3);
}

}  // namespace
}  // namespace ks3::server

#include "server/pipeline/memory_budget.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

using Change = MemoryBudget::Change;

TEST(MemoryBudget, PausesAboveHighAndResumesAtLow) {
  MemoryBudget budget(100, 60);
  EXPECT_EQ(budget.add(100), Change::none);  // at the watermark is not above it
  EXPECT_EQ(budget.add(1), Change::pause);
  EXPECT_TRUE(budget.paused());
  EXPECT_EQ(budget.add(50), Change::none);        // already paused
  EXPECT_EQ(budget.release(80), Change::none);    // 71: between the watermarks stays paused
  EXPECT_EQ(budget.release(11), Change::resume);  // 60
  EXPECT_FALSE(budget.paused());
  EXPECT_EQ(budget.release(10), Change::none);
  EXPECT_EQ(budget.used(), 50u);
}

TEST(MemoryBudget, ReleasingTooMuchClampsAtZero) {
  MemoryBudget budget(100, 60);
  budget.add(10);
  budget.release(20);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace ks3::server

#include "server/pipeline/memory_account.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ks3::server {
namespace {

using Change = MemoryBudget::Change;

// librdkafka's prefetch is reserved up front: the pipeline's own bytes pause consumption once
// they pass high - reserved, so the watermarks bound the process and not only the pipeline.
TEST(MemoryAccount, TheReservationCountsAgainstTheWatermarks) {
  std::vector<Change> changes;
  auto account = std::make_shared<MemoryAccount>(64, 100, 80,
                                                 [&](Change change) { changes.push_back(change); });
  EXPECT_EQ(account->used(), 64u);
  EXPECT_EQ(account->reserved(), 64u);
  EXPECT_TRUE(changes.empty()) << "the reservation alone is no transition";

  account->adjust_buffered(36);  // 100: at the watermark
  EXPECT_TRUE(changes.empty());
  {
    auto part = account->counted_part(std::string(1, 'x'));  // 101
    EXPECT_EQ(changes, std::vector<Change>{Change::pause});
    account->adjust_buffered(-20);  // 81: still above low
    EXPECT_EQ(changes.size(), 1u);
  }  // the part is gone: 80, at the low watermark
  EXPECT_EQ(changes, (std::vector<Change>{Change::pause, Change::resume}));
  EXPECT_EQ(account->buffered(), 16u);
  EXPECT_EQ(account->used(), 80u);
}

}  // namespace
}  // namespace ks3::server

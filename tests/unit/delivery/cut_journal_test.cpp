#include "server/delivery/cut_journal.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ks3::server {
namespace {

std::vector<std::int64_t> cuts_of(const CutJournal& journal) {
  return {journal.cuts().begin(), journal.cuts().end()};
}

TEST(CutJournal, EncodesAscendingUniqueCuts) {
  CutJournal journal;
  EXPECT_EQ(journal.encode(), "");
  EXPECT_TRUE(journal.add(5678));
  EXPECT_TRUE(journal.add(1234));
  EXPECT_TRUE(journal.add(5678));  // the same cut twice is one cut
  EXPECT_EQ(journal.encode(), "ks3j1:1234,5678");
}

TEST(CutJournal, RoundTrips) {
  CutJournal journal;
  for (std::int64_t offset : std::vector<std::int64_t>{3, 17, 900, 9223372036854775807})
    ASSERT_TRUE(journal.add(offset));
  auto decoded = CutJournal::decode(journal.encode());
  EXPECT_FALSE(decoded.warning);
  EXPECT_EQ(cuts_of(decoded.journal), (std::vector<std::int64_t>{3, 17, 900, 9223372036854775807}));
}

TEST(CutJournal, EmptyMetadataIsAnEmptyJournalWithoutWarning) {
  auto decoded = CutJournal::decode("");
  EXPECT_TRUE(decoded.journal.empty());
  EXPECT_FALSE(decoded.warning);
  decoded = CutJournal::decode("ks3j1:");
  EXPECT_TRUE(decoded.journal.empty());
  EXPECT_FALSE(decoded.warning);
}

TEST(CutJournal, PruneDropsCutsAtOrBelowTheCommittedOffset) {
  CutJournal journal;
  for (std::int64_t offset : {10, 20, 30}) journal.add(offset);
  journal.prune(9);
  EXPECT_EQ(cuts_of(journal), (std::vector<std::int64_t>{10, 20, 30}));
  journal.prune(20);
  EXPECT_EQ(cuts_of(journal), (std::vector<std::int64_t>{30}));
  journal.prune(31);
  EXPECT_TRUE(journal.empty());
  EXPECT_EQ(journal.encode(), "");
}

TEST(CutJournal, FullJournalRefusesNewCutsUntilPruned) {
  CutJournal journal(3);
  EXPECT_TRUE(journal.add(1));
  EXPECT_TRUE(journal.add(2));
  EXPECT_TRUE(journal.add(3));
  EXPECT_TRUE(journal.full());
  EXPECT_FALSE(journal.add(4));
  EXPECT_TRUE(journal.add(3));  // already there: nothing new to hold
  EXPECT_EQ(journal.encode(), "ks3j1:1,2,3");
  journal.prune(1);
  EXPECT_FALSE(journal.full());
  EXPECT_TRUE(journal.add(4));
  EXPECT_EQ(journal.encode(), "ks3j1:2,3,4");
}

TEST(CutJournal, DefaultCapacityStaysUnderKafkaMetadataLimit) {
  CutJournal journal;
  for (std::int64_t i = 0; journal.add(9223372036854775807 - i); ++i) {
  }
  EXPECT_EQ(journal.cuts().size(), CutJournal::kDefaultMaxPending);
  EXPECT_LT(journal.encode().size(), 4096u);  // offset.metadata.max.bytes default

  CutJournal largest(100000);  // clamped to the limit
  EXPECT_EQ(largest.max_pending(), CutJournal::kMaxPendingLimit);
  for (std::int64_t i = 0; largest.add(9223372036854775807 - i); ++i) {
  }
  EXPECT_LE(largest.encode().size(), 4096u);
}

TEST(CutJournal, ForeignMetadataDecodesEmptyWithAWarning) {
  for (std::string foreign :
       std::vector<std::string>{"some other tool's metadata", "ks3j2:1,2", "{\"cuts\":[1]}",
                                std::string("\x01\x02\xff", 3)}) {
    auto decoded = CutJournal::decode(foreign);
    EXPECT_TRUE(decoded.journal.empty()) << foreign;
    ASSERT_TRUE(decoded.warning) << foreign;
    EXPECT_NE(decoded.warning->find("not a kafka-s3-sink cut journal"), std::string::npos);
  }
}

TEST(CutJournal, DamagedJournalDecodesEmptyWithAWarning) {
  for (std::string damaged :
       {"ks3j1:12,x", "ks3j1:12,", "ks3j1:,12", "ks3j1:-5", "ks3j1:5,3", "ks3j1:5,5",
        "ks3j1:99999999999999999999999", "ks3j1:1;2", "ks3j1: 1"}) {
    auto decoded = CutJournal::decode(damaged);
    EXPECT_TRUE(decoded.journal.empty()) << damaged;
    EXPECT_TRUE(decoded.warning) << damaged;
  }
}

TEST(CutJournal, WarningDoesNotRepeatLongMetadata) {
  std::string foreign(5000, 'z');
  auto decoded = CutJournal::decode(foreign);
  ASSERT_TRUE(decoded.warning);
  EXPECT_LT(decoded.warning->size(), 200u);
}

TEST(CutJournal, TooManyCutsDecodeEmptyWithAWarning) {
  CutJournal big(10);
  for (int i = 1; i <= 10; ++i) big.add(i);
  auto decoded = CutJournal::decode(big.encode(), 5);
  EXPECT_TRUE(decoded.journal.empty());
  EXPECT_TRUE(decoded.warning);
  EXPECT_EQ(CutJournal::decode(big.encode(), 10).journal.cuts().size(), 10u);
}

TEST(CutReplay, CutsBeforeTheFirstRecordAtOrAfterEachJournaledOffset) {
  // Journal from a run that cut (idle flush) before offsets 5 and 9.
  CutJournal journal;
  journal.add(9);
  journal.add(5);
  CutReplay replay(CutJournal::decode(journal.encode()).journal.cuts());
  std::vector<std::int64_t> cut_before;
  for (std::int64_t offset = 0; offset < 12; ++offset) {
    if (replay.cut_before(offset)) cut_before.push_back(offset);
  }
  EXPECT_EQ(cut_before, (std::vector<std::int64_t>{5, 9}));
  EXPECT_TRUE(replay.done());
}

TEST(CutReplay, GapsInOffsetsMoveTheCutToTheNextRecordAndMergeCuts) {
  CutReplay replay(std::vector<std::int64_t>{4, 6, 7, 20});
  // Records at 0, 3, 8 (4..7 compacted away), 9, 25.
  EXPECT_FALSE(replay.cut_before(0));
  EXPECT_FALSE(replay.cut_before(3));
  EXPECT_TRUE(replay.cut_before(8));  // cuts 4, 6 and 7 all fall before 8: one cut
  EXPECT_FALSE(replay.cut_before(9));
  EXPECT_FALSE(replay.done());
  EXPECT_TRUE(replay.cut_before(25));
  EXPECT_TRUE(replay.done());
  EXPECT_FALSE(replay.cut_before(26));
}

TEST(CutReplay, ReplayAfterPruneSkipsCommittedCuts) {
  CutJournal journal;
  for (std::int64_t offset : {100, 200, 300}) journal.add(offset);
  // Committed 200: the replay starts at 200; only the cut at 300 is still to repeat.
  journal.prune(200);
  CutReplay replay(journal.cuts());
  std::vector<std::int64_t> cut_before;
  for (std::int64_t offset = 200; offset < 400; ++offset) {
    if (replay.cut_before(offset)) cut_before.push_back(offset);
  }
  EXPECT_EQ(cut_before, (std::vector<std::int64_t>{300}));
}

}  // namespace
}  // namespace ks3::server

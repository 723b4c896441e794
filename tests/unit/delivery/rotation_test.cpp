#include "server/delivery/rotation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ks3::server {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::seconds(1000)};

RotationOptions options() {
  return RotationOptions{};
}

// Feeds records with the given offsets (timestamps = offset * 1000, 10 bytes each) and returns
// the offsets cut before.
std::vector<std::int64_t> cuts(PartitionRotation& rotation, std::int64_t from, std::int64_t to,
                               std::int64_t step = 1) {
  std::vector<std::int64_t> out;
  for (std::int64_t offset = from; offset < to; offset += step) {
    if (rotation.cut_before(offset, offset * 1000) != CutReason::none) {
      out.push_back(offset);
      rotation.reset();
    }
    rotation.add(offset * 1000, 10, kStart);
  }
  return out;
}

TEST(Rotation, MaxRecords) {
  auto o = options();
  o.max_records = 3;
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 0, 10), (std::vector<std::int64_t>{3, 6, 9}));
}

TEST(Rotation, MaxBytesCountsEncodedBytesUpToTheCut) {
  auto o = options();
  o.max_bytes = 25;  // 10 bytes a record: cut once 30 bytes are in
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 100, 110), (std::vector<std::int64_t>{103, 106, 109}));
}

TEST(Rotation, TimeWindowFromTheFirstTimestampOfTheSegment) {
  auto o = options();
  o.time_window = 2500ms;
  PartitionRotation rotation(o, {});
  // Timestamps are offset * 1 s: segments [0,3) [3,6) [6,9).
  EXPECT_EQ(cuts(rotation, 0, 9), (std::vector<std::int64_t>{3, 6}));
}

TEST(Rotation, TimeWindowIgnoresMissingAndBackwardTimestamps) {
  auto o = options();
  o.time_window = 1000ms;
  PartitionRotation rotation(o, {});
  rotation.add(-1, 1, kStart);  // no timestamp: the window has no start yet
  EXPECT_EQ(rotation.cut_before(1, 5000), CutReason::none);
  rotation.add(5000, 1, kStart);
  EXPECT_EQ(rotation.cut_before(2, 4000), CutReason::none);  // back in time
  EXPECT_EQ(rotation.cut_before(3, -1), CutReason::none);
  EXPECT_EQ(rotation.cut_before(4, 6000), CutReason::time_window);
}

TEST(Rotation, JournaledCutsReplayAtTheFirstOffsetAtOrPastThem) {
  auto o = options();
  o.max_records = 100;
  std::vector<std::int64_t> journal = {5, 11, 12, 20};
  PartitionRotation rotation(o, journal);
  // Offsets with gaps (step 2 from 0): 11 and 12 both fall before 12; 20 hits exactly.
  EXPECT_EQ(cuts(rotation, 0, 30, 2), (std::vector<std::int64_t>{6, 12, 20}));
}

TEST(Rotation, DeterministicCutsRestartAfterAJournaledCut) {
  // First run: max_records 4 with a moment cut before offset 6 (journaled).
  auto o = options();
  o.max_records = 4;
  PartitionRotation first(o, {});
  std::vector<std::int64_t> first_cuts;
  for (std::int64_t offset = 0; offset < 20; ++offset) {
    CutReason reason = first.cut_before(offset, 0);
    if (reason == CutReason::none && offset == 6) reason = CutReason::idle_flush;
    if (reason != CutReason::none) {
      first_cuts.push_back(offset);
      first.reset();
    }
    first.add(0, 1, kStart);
  }
  EXPECT_EQ(first_cuts, (std::vector<std::int64_t>{4, 6, 10, 14, 18}));
  // Replay from the committed offset 4 with the journal {6}: the same cuts.
  std::vector<std::int64_t> journal = {6};
  PartitionRotation replay(o, journal);
  EXPECT_EQ(cuts(replay, 4, 20), (std::vector<std::int64_t>{6, 10, 14, 18}));
}

TEST(Rotation, EmptySegmentsAreNeverCut) {
  auto o = options();
  o.max_records = 1;
  std::vector<std::int64_t> journal = {0};
  PartitionRotation rotation(o, journal);
  EXPECT_EQ(rotation.cut_before(0, 0), CutReason::none);
  EXPECT_TRUE(rotation.segment_empty());
}

TEST(Rotation, IdleFlushAndMaxOpenByWallClock) {
  auto o = options();
  o.idle_flush = 5s;
  o.max_open = 60s;
  PartitionRotation rotation(o, {});
  EXPECT_EQ(rotation.next_moment_deadline(), std::nullopt);
  EXPECT_EQ(rotation.moment_cut_due(kStart + 1h), CutReason::none);  // empty segment
  rotation.add(0, 1, kStart);
  EXPECT_EQ(rotation.next_moment_deadline(), kStart + 5s);
  EXPECT_EQ(rotation.moment_cut_due(kStart + 4s), CutReason::none);
  EXPECT_EQ(rotation.moment_cut_due(kStart + 5s), CutReason::idle_flush);
  // Records every 4 s keep it from going idle, until the segment is 60 s old.
  for (int i = 1; i <= 15; ++i) rotation.add(0, 1, kStart + std::chrono::seconds(4 * i));
  EXPECT_EQ(rotation.moment_cut_due(kStart + 59s), CutReason::none);
  EXPECT_EQ(rotation.next_moment_deadline(), kStart + 60s);
  EXPECT_EQ(rotation.moment_cut_due(kStart + 60s), CutReason::max_open);
  rotation.reset();
  EXPECT_EQ(rotation.moment_cut_due(kStart + 2h), CutReason::none);
}

TEST(Rotation, ReasonNames) {
  EXPECT_EQ(to_string(CutReason::journal_replay), "journal_replay");
  EXPECT_TRUE(is_moment_cut(CutReason::idle_flush));
  EXPECT_TRUE(is_moment_cut(CutReason::max_open));
  EXPECT_TRUE(is_moment_cut(CutReason::memory_pressure));
  EXPECT_TRUE(is_moment_cut(CutReason::shutdown));
  EXPECT_FALSE(is_moment_cut(CutReason::max_records));
  EXPECT_FALSE(is_moment_cut(CutReason::journal_replay));
}

}  // namespace
}  // namespace ks3::server

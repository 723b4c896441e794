#include "server/delivery/offset_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "server/delivery/delivery_error.hpp"

namespace ks3::server {
namespace {

TEST(OffsetTracker, StartsAtTheInitialPosition) {
  OffsetTracker tracker(42);
  EXPECT_EQ(tracker.durable_position(), 42);
  EXPECT_EQ(tracker.committed_position(), 42);
  EXPECT_EQ(tracker.open_segment_start(), 42);
  EXPECT_FALSE(tracker.commit_due());
}

TEST(OffsetTracker, OutOfOrderCompletionsCommitOnlyTheContiguousPrefix) {
  OffsetTracker tracker(0);
  auto s1 = tracker.close_segment(100, 2).value();  // [0,100): 2 objects
  auto s2 = tracker.close_segment(250, 1).value();  // [100,250): 1 object
  auto s3 = tracker.close_segment(300, 3).value();  // [250,300): 3 objects

  // The later segments become durable first: nothing may be committed yet.
  EXPECT_FALSE(tracker.object_durable(s3).value());
  EXPECT_FALSE(tracker.object_durable(s2).value());
  EXPECT_FALSE(tracker.object_durable(s3).value());
  EXPECT_FALSE(tracker.object_durable(s3).value());
  EXPECT_EQ(tracker.durable_position(), 0);
  EXPECT_FALSE(tracker.commit_due());

  // One of the two objects of the first segment: still nothing.
  EXPECT_FALSE(tracker.object_durable(s1).value());
  EXPECT_EQ(tracker.durable_position(), 0);

  // The first segment completes: the prefix now covers all three segments.
  EXPECT_TRUE(tracker.object_durable(s1).value());
  EXPECT_EQ(tracker.durable_position(), 300);
  EXPECT_EQ(tracker.pending_segments(), 0u);
  EXPECT_TRUE(tracker.commit_due());
}

TEST(OffsetTracker, PositionStopsAtTheFirstPendingSegment) {
  OffsetTracker tracker(10);
  auto s1 = tracker.close_segment(20, 1).value();
  auto s2 = tracker.close_segment(30, 1).value();
  auto s3 = tracker.close_segment(40, 1).value();
  EXPECT_TRUE(tracker.object_durable(s1).value());
  EXPECT_EQ(tracker.durable_position(), 20);
  EXPECT_FALSE(tracker.object_durable(s3).value());
  EXPECT_EQ(tracker.durable_position(), 20);  // s2 holds it back: never 40 before s2
  EXPECT_TRUE(tracker.object_durable(s2).value());
  EXPECT_EQ(tracker.durable_position(), 40);
}

TEST(OffsetTracker, SegmentWithoutObjectsIsDurableAtOnceButWaitsForItsPredecessors) {
  OffsetTracker tracker(0);
  auto s1 = tracker.close_segment(5, 1).value();
  tracker.close_segment(9, 0).value();  // e.g. every record skipped
  EXPECT_EQ(tracker.durable_position(), 0);
  EXPECT_TRUE(tracker.object_durable(s1).value());
  EXPECT_EQ(tracker.durable_position(), 9);

  tracker.close_segment(12, 0).value();
  EXPECT_EQ(tracker.durable_position(), 12);  // nothing before it: durable at once
}

TEST(OffsetTracker, CommittedPositionOnlyMovesForward) {
  OffsetTracker tracker(0);
  auto s1 = tracker.close_segment(50, 1).value();
  ASSERT_TRUE(tracker.object_durable(s1).value());
  EXPECT_TRUE(tracker.commit_due());
  tracker.set_committed(50);
  EXPECT_FALSE(tracker.commit_due());
  tracker.set_committed(20);  // a late ack of an older commit
  EXPECT_EQ(tracker.committed_position(), 50);
}

TEST(OffsetTracker, RejectsMisuse) {
  OffsetTracker tracker(100);
  EXPECT_EQ(tracker.close_segment(99, 1).error(), make_error_code(DeliveryErrc::segment_out_of_order));
  auto s1 = tracker.close_segment(110, 1).value();
  EXPECT_EQ(tracker.object_durable(s1 + 5).error(), make_error_code(DeliveryErrc::unknown_segment));
  auto s2 = tracker.close_segment(120, 1).value();
  EXPECT_FALSE(tracker.object_durable(s2).value());
  EXPECT_EQ(tracker.object_durable(s2).error(), make_error_code(DeliveryErrc::too_many_completions));
  EXPECT_TRUE(tracker.object_durable(s1).value());
  EXPECT_EQ(tracker.object_durable(s1).error(), make_error_code(DeliveryErrc::unknown_segment));
  EXPECT_EQ(tracker.durable_position(), 120);
}

// Random completion orders: the durable position is always exactly the end of the longest
// prefix of fully completed segments, and only ever a segment boundary.
TEST(OffsetTracker, RandomCompletionOrderMatchesAReferenceModel) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    OffsetTracker tracker(1000);
    std::vector<std::int64_t> ends;
    std::vector<int> remaining;
    std::vector<OffsetTracker::SegmentId> completions;
    std::int64_t offset = 1000;
    int segments = 1 + static_cast<int>(rng() % 12);
    for (int s = 0; s < segments; ++s) {
      offset += static_cast<std::int64_t>(rng() % 50);
      int objects = static_cast<int>(rng() % 4);
      auto id = tracker.close_segment(offset, static_cast<std::size_t>(objects)).value();
      ends.push_back(offset);
      remaining.push_back(objects);
      for (int o = 0; o < objects; ++o) completions.push_back(id);
    }
    std::shuffle(completions.begin(), completions.end(), rng);
    auto expected = [&] {
      std::int64_t position = 1000;
      for (std::size_t s = 0; s < ends.size() && remaining[s] == 0; ++s) position = ends[s];
      return position;
    };
    ASSERT_EQ(tracker.durable_position(), expected());
    for (auto id : completions) {
      --remaining[id];
      std::int64_t before = tracker.durable_position();
      bool advanced = tracker.object_durable(id).value();
      ASSERT_EQ(tracker.durable_position(), expected());
      ASSERT_EQ(advanced, tracker.durable_position() != before);
    }
    ASSERT_EQ(tracker.durable_position(), offset);
  }
}

}  // namespace
}  // namespace ks3::server

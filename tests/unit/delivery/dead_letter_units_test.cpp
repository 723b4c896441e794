#include "server/delivery/dead_letter_units.hpp"

#include <gtest/gtest.h>

#include "server/delivery/partition_state.hpp"

namespace ks3::server {
namespace {

const SteadyTime kConsumedAt{std::chrono::seconds(100)};

TEST(DeadLetterUnits, UnitsBelongToTheSegmentOpenWhenProduced) {
  DeadLetterUnits units;
  const auto a = units.produced();
  const auto b = units.produced();
  EXPECT_NE(a, 0u);
  EXPECT_EQ(units.open_units(), 2u);
  EXPECT_EQ(units.close_segment(7), 2u);
  const auto c = units.produced();
  EXPECT_EQ(units.open_units(), 1u);
  EXPECT_EQ(units.in_flight(), 3u);
  EXPECT_EQ(units.acknowledged(b), std::optional<OffsetTracker::SegmentId>(7));
  EXPECT_EQ(units.acknowledged(c), std::nullopt);  // still in the open segment
  EXPECT_EQ(units.open_units(), 0u);
  EXPECT_EQ(units.acknowledged(a), std::optional<OffsetTracker::SegmentId>(7));
  EXPECT_EQ(units.acknowledged(a), std::nullopt);  // unknown now
  EXPECT_EQ(units.in_flight(), 0u);
}

TEST(DeadLetterUnits, AFailedUnitStaysAndIsCountedAtItsCut) {
  DeadLetterUnits units;
  const auto a = units.produced();
  units.failed(a);
  EXPECT_EQ(units.in_flight(), 0u);
  EXPECT_EQ(units.open_units(), 1u);  // failed before the cut: the segment still waits for it
  EXPECT_EQ(units.close_segment(3), 1u);
  EXPECT_EQ(units.acknowledged(a), std::nullopt);  // a late report changes nothing
  EXPECT_EQ(units.close_segment(4), 0u);
}

// The delivery rule: the offset after a dead-lettered record is committed only once the broker
// acknowledged the dead letter, and never when its delivery failed.
TEST(PartitionStateDeadLetters, CommitWaitsForTheAcknowledgement) {
  PartitionState p({"t", 0}, 0, "", RotationOptions{});
  p.before_record(0, 0);
  p.record_consumed(0, 0, 10, kConsumedAt);  // written to an object
  p.before_record(1, 0);
  const auto ticket = p.dead_letter_produced();
  p.record_consumed(1, 0, 0, kConsumedAt);  // dead-lettered: absent from the objects, as with skip
  ClosedSegment segment = p.cut(2, CutReason::max_records, 1);
  EXPECT_EQ(segment.records, 2u);
  EXPECT_EQ(segment.bytes, 10u);
  EXPECT_FALSE(p.object_durable(segment.id));  // the object alone is not enough
  EXPECT_FALSE(p.commit_due());
  EXPECT_EQ(p.dead_letters_in_flight(), 1u);
  EXPECT_TRUE(p.dead_letter_acknowledged(ticket));
  EXPECT_EQ(p.durable_position(), 2);
  EXPECT_EQ(p.dead_letters_in_flight(), 0u);
}

TEST(PartitionStateDeadLetters, AcknowledgedBeforeTheCutAddsNothingToWaitFor) {
  PartitionState p({"t", 0}, 0, "", RotationOptions{});
  p.before_record(0, 0);
  const auto ticket = p.dead_letter_produced();
  p.record_consumed(0, 0, 0, kConsumedAt);
  EXPECT_FALSE(p.dead_letter_acknowledged(ticket));  // no closed segment advanced
  p.cut(1, CutReason::max_records, 0);               // no object, no unit: durable at once
  EXPECT_EQ(p.durable_position(), 1);
}

TEST(PartitionStateDeadLetters, AFailedDeliveryHoldsTheCommitForGood) {
  PartitionState p({"t", 0}, 0, "", RotationOptions{});
  p.before_record(0, 0);
  const auto ticket = p.dead_letter_produced();
  p.record_consumed(0, 0, 0, kConsumedAt);
  p.dead_letter_failed(ticket);  // before the cut (a shutdown cut may still follow)
  EXPECT_EQ(p.dead_letters_in_flight(), 0u);
  ClosedSegment first = p.cut(1, CutReason::shutdown, 0);
  p.before_record(1, 0);
  p.record_consumed(1, 0, 10, kConsumedAt);
  ClosedSegment second = p.cut(2, CutReason::max_records, 1);
  EXPECT_FALSE(p.object_durable(second.id));
  EXPECT_FALSE(p.dead_letter_acknowledged(ticket));
  EXPECT_EQ(p.durable_position(), 0);
  EXPECT_NE(first.id, second.id);
}

}  // namespace
}  // namespace ks3::server

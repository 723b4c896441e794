#include "server/delivery/partition_state.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

const SteadyTime kNow{std::chrono::seconds(100)};

RotationOptions max_records(std::uint64_t n) {
  RotationOptions o;
  o.max_records = n;
  return o;
}

// Feeds records [from, to) as the pipeline does and returns the cuts (end offset, reason) made
// before them or right after the record that filled a segment; each cut closes a segment with
// one object.
std::vector<std::pair<std::int64_t, CutReason>> feed(PartitionState& p, std::int64_t from,
                                                     std::int64_t to,
                                                     std::vector<ClosedSegment>* closed = nullptr) {
  std::vector<std::pair<std::int64_t, CutReason>> cuts;
  auto cut = [&](std::int64_t end, CutReason reason) {
    cuts.emplace_back(end, reason);
    ClosedSegment segment = p.cut(end, reason, 1);
    if (closed) closed->push_back(segment);
  };
  for (std::int64_t offset = from; offset < to; ++offset) {
    if (CutReason reason = p.before_record(offset, 0); reason != CutReason::none) {
      cut(offset, reason);
    }
    p.record_consumed(offset, 0, 10, kNow);
    if (CutReason reason = p.after_record(offset); reason != CutReason::none) {
      cut(offset + 1, reason);
    }
  }
  return cuts;
}

TEST(PartitionState, CommitsOnlyTheDurablePrefixAtCutBoundaries) {
  PartitionState p({"t", 0}, 100, "", max_records(5));
  std::vector<ClosedSegment> closed;
  auto cuts = feed(p, 100, 112, &closed);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].first, 105);
  EXPECT_EQ(cuts[1].first, 110);
  EXPECT_FALSE(p.plan_commit()) << "nothing durable yet";
  // The second segment's object completes first: nothing to commit (not contiguous).
  EXPECT_FALSE(p.object_durable(closed[1].id));
  EXPECT_FALSE(p.plan_commit());
  EXPECT_TRUE(p.object_durable(closed[0].id));
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 110);
  EXPECT_EQ(plan->metadata, "");
  EXPECT_FALSE(p.plan_commit()) << "one commit in flight at a time";
  p.commit_finished(*plan, true);
  EXPECT_EQ(p.committed_position(), 110);
  EXPECT_FALSE(p.plan_commit());
}

TEST(PartitionState, MomentCutsAreJournaledAndGateCompletion) {
  PartitionState p({"t", 0}, 100, "", max_records(5));
  std::vector<ClosedSegment> closed;
  feed(p, 100, 108, &closed);  // deterministic cut at 105; 105..107 open
  ASSERT_TRUE(p.has_open_records());
  ASSERT_TRUE(p.can_moment_cut());
  ClosedSegment idle = p.cut(*p.next_offset(), CutReason::idle_flush, 1);
  EXPECT_EQ(idle.end, 108);
  EXPECT_EQ(idle.required_journal_version, 1u);
  EXPECT_TRUE(p.may_complete(closed[0].required_journal_version));
  EXPECT_FALSE(p.may_complete(idle.required_journal_version)) << "journal not acknowledged yet";
  // The journal goes out at once, with the current committed position.
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 100);
  EXPECT_EQ(plan->metadata, "ks3j1:108");
  p.commit_finished(*plan, true);
  EXPECT_TRUE(p.may_complete(idle.required_journal_version));
  // Both segments durable: commit 108; the journal entry is covered and dropped.
  p.object_durable(closed[0].id);
  p.object_durable(idle.id);
  plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 108);
  EXPECT_EQ(plan->metadata, "");
  p.commit_finished(*plan, true);
  EXPECT_EQ(p.journal_size(), 0u);
}

TEST(PartitionState, LaterSegmentsWaitForEarlierMomentCuts) {
  PartitionState p({"t", 0}, 0, "", max_records(3));
  feed(p, 0, 2);
  ClosedSegment idle = p.cut(2, CutReason::idle_flush, 1);
  std::vector<ClosedSegment> closed;
  feed(p, 2, 6, &closed);  // deterministic cut at 5 (3 records after the idle cut)
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].end, 5);
  EXPECT_EQ(closed[0].required_journal_version, idle.required_journal_version)
      << "a segment after a moment cut only exists in a replay that knows the cut";
  EXPECT_FALSE(p.may_complete(closed[0].required_journal_version));
}

TEST(PartitionState, ReplaysTheJournalFromCommitMetadata) {
  // The first run committed 100 with the journal {108}; the replay cuts at 108 again, without
  // journaling it twice, and keeps it in the metadata of commits below 108.
  PartitionState p({"t", 0}, 100, "ks3j1:95,108", max_records(5));
  EXPECT_EQ(p.replayed_cuts(), 1u) << "cuts at or below the committed offset are dropped";
  std::vector<ClosedSegment> closed;
  auto cuts = feed(p, 100, 112, &closed);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0], std::make_pair(std::int64_t{105}, CutReason::max_records));
  EXPECT_EQ(cuts[1], std::make_pair(std::int64_t{108}, CutReason::journal_replay));
  EXPECT_TRUE(p.may_complete(closed[1].required_journal_version));
  p.object_durable(closed[0].id);
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 105);
  EXPECT_EQ(plan->metadata, "ks3j1:108");
}

TEST(PartitionState, FailedCommitsAreRetried) {
  PartitionState p({"t", 0}, 0, "", max_records(2));
  std::vector<ClosedSegment> closed;
  feed(p, 0, 3, &closed);
  p.object_durable(closed[0].id);
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  p.commit_finished(*plan, false);
  EXPECT_EQ(p.committed_position(), 0);
  auto again = p.plan_commit();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->offset, 2);
}

TEST(PartitionState, WithoutACommitTheFirstRecordIsTheStart) {
  PartitionState p({"t", 0}, -1, "", max_records(2));
  EXPECT_EQ(p.committed_position(), -1);
  EXPECT_FALSE(p.plan_commit());
  feed(p, 50, 51);
  EXPECT_EQ(p.committed_position(), 50);
  ClosedSegment idle = p.cut(51, CutReason::shutdown, 1);
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 50);
  EXPECT_EQ(plan->metadata, "ks3j1:51");
  p.commit_finished(*plan, true);
  EXPECT_TRUE(p.may_complete(idle.required_journal_version));
}

TEST(PartitionState, SegmentsWithoutObjectsAreDurableAtOnce) {
  PartitionState p({"t", 0}, 10, "", max_records(100));
  feed(p, 10, 20);
  p.cut(20, CutReason::idle_flush, 0);  // every record was skipped
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 20);
  EXPECT_EQ(plan->metadata, "") << "a cut at the committed offset needs no journal entry";
}

TEST(PartitionState, AFullJournalStopsMomentCuts) {
  PartitionState p({"t", 0}, 0, "", max_records(1000), 2);
  for (std::int64_t offset = 0; offset < 2; ++offset) {
    feed(p, offset, offset + 1);
    ASSERT_TRUE(p.can_moment_cut());
    p.cut(offset + 1, CutReason::idle_flush, 1);
  }
  EXPECT_FALSE(p.can_moment_cut());
}

TEST(PartitionState, AFullSegmentIsCutRightAfterItsLastRecord) {
  PartitionState p({"t", 0}, 0, "", max_records(3));
  auto cuts = feed(p, 0, 3);
  ASSERT_EQ(cuts.size(), 1u) << "the third record closes the segment, no fourth needed";
  EXPECT_EQ(cuts[0], std::make_pair(std::int64_t{3}, CutReason::max_records));
  EXPECT_FALSE(p.has_open_records());
  EXPECT_EQ(p.after_record(2), CutReason::none) << "already cut";
}

TEST(PartitionState, ARecordNotConsumedNeverCutsAfterItself) {
  PartitionState p({"t", 0}, 0, "", max_records(2));
  feed(p, 0, 1);
  // Offset 1 was refused (a failure): it is consumed again after a restart, so no cut at 2.
  EXPECT_EQ(p.before_record(1, 0), CutReason::none);
  EXPECT_EQ(p.after_record(1), CutReason::none);
}

TEST(PartitionState, AReplayFromTheJournalRepeatsEveryCut) {
  // Run 1: max_records 3, an idle cut after record 4 (journaled at 5), records up to 11.
  PartitionState first({"t", 0}, 0, "", max_records(3));
  auto cuts = feed(first, 0, 5);
  first.cut(5, CutReason::idle_flush, 1);
  cuts.emplace_back(5, CutReason::idle_flush);
  auto more = feed(first, 5, 12);
  cuts.insert(cuts.end(), more.begin(), more.end());
  std::vector<std::int64_t> first_ends;
  for (const auto& cut : cuts) first_ends.push_back(cut.first);
  EXPECT_EQ(first_ends, (std::vector<std::int64_t>{3, 5, 8, 11}));
  // Run 2 after a crash: the broker holds offset 3 and the journal {5}.
  PartitionState replay({"t", 0}, 3, "ks3j1:5", max_records(3));
  std::vector<std::int64_t> replay_ends;
  for (const auto& cut : feed(replay, 3, 12)) replay_ends.push_back(cut.first);
  EXPECT_EQ(replay_ends, (std::vector<std::int64_t>{5, 8, 11}));
}

TEST(PartitionState, ASchemaChangeCutDependsOnTheRecordsAndIsNotJournaled) {
  PartitionState p({"t", 0}, 0, "", RotationOptions{});
  EXPECT_EQ(p.before_record(0, 0, "id 1"), CutReason::none);
  p.record_consumed(0, 0, 10, kNow, "id 1");
  ASSERT_EQ(p.before_record(1, 0, "id 2"), CutReason::schema_change);
  ClosedSegment segment = p.cut(1, CutReason::schema_change, 1);
  p.record_consumed(1, 0, 10, kNow, "id 2");
  EXPECT_EQ(segment.end, 1);
  EXPECT_EQ(segment.required_journal_version, 0u) << "no gate: a replay cuts there by itself";
  EXPECT_EQ(p.journal_size(), 0u);
  EXPECT_TRUE(p.may_complete(segment.required_journal_version));
  p.object_durable(segment.id);
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 1);
  EXPECT_EQ(plan->metadata, "") << "nothing to journal";
}

TEST(PartitionState, ForeignMetadataIsAWarningNotAFailure) {
  PartitionState p({"t", 0}, 7, "written by another tool", max_records(5));
  EXPECT_TRUE(p.journal_warning());
  EXPECT_EQ(p.replayed_cuts(), 0u);
  EXPECT_EQ(p.committed_position(), 7);
}

TEST(PartitionState, ManifestsGateCompletionOfTheirSegmentAndLaterOnes) {
  PartitionState p({"t", 0}, 0, "", max_records(3));
  p.require_manifests();
  std::vector<ClosedSegment> closed;
  feed(p, 0, 7, &closed);  // deterministic cuts at 3 and 6
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].start, 0);
  EXPECT_EQ(closed[0].end, 3);
  EXPECT_EQ(closed[0].records, 3u);
  EXPECT_EQ(closed[0].bytes, 30u);
  EXPECT_EQ(closed[1].start, 3);
  EXPECT_NE(closed[0].required_journal_version, closed[1].required_journal_version);
  EXPECT_EQ(p.manifests_pending(), 2u);
  EXPECT_FALSE(p.may_complete(closed[0].required_journal_version)) << "manifest not written";
  // The second segment's manifest first: its objects still wait for the first one's.
  p.manifest_written(closed[1].required_journal_version);
  EXPECT_FALSE(p.may_complete(closed[1].required_journal_version));
  p.manifest_written(closed[0].required_journal_version);
  EXPECT_TRUE(p.may_complete(closed[0].required_journal_version));
  EXPECT_TRUE(p.may_complete(closed[1].required_journal_version));
  EXPECT_EQ(p.manifests_pending(), 0u);
}

TEST(PartitionState, MomentCutsWaitForBothTheJournalAndTheManifest) {
  PartitionState p({"t", 0}, 0, "", max_records(100));
  p.require_manifests();
  feed(p, 0, 5);
  ClosedSegment idle = p.cut(5, CutReason::idle_flush, 1);
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->metadata, "ks3j1:5");
  p.commit_finished(*plan, true);
  EXPECT_FALSE(p.may_complete(idle.required_journal_version)) << "journal acked, manifest not";
  p.manifest_written(idle.required_journal_version);
  EXPECT_TRUE(p.may_complete(idle.required_journal_version));
}

TEST(PartitionState, NoCommitPastASegmentWhoseManifestIsPending) {
  PartitionState p({"t", 0}, 10, "", max_records(100));
  p.require_manifests();
  feed(p, 10, 20);
  ClosedSegment empty = p.cut(20, CutReason::idle_flush, 0);  // every record skipped
  auto plan = p.plan_commit();
  ASSERT_TRUE(plan) << "the journal entry goes out";
  EXPECT_EQ(plan->offset, 10) << "durable at once, but its manifest is not written";
  p.commit_finished(*plan, true);
  EXPECT_FALSE(p.plan_commit()) << "nothing more to commit until the manifest is written";
  EXPECT_FALSE(p.commit_due());
  p.manifest_written(empty.required_journal_version);
  EXPECT_TRUE(p.commit_due());
  plan = p.plan_commit();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->offset, 20);
}

TEST(PartitionState, ReplaysManifestCutsInsteadOfTheJournal) {
  PartitionState p({"t", 0}, 100, "ks3j1:103", max_records(5));
  std::vector<std::int64_t> recorded{102, 104};
  p.replay_manifest_cuts(recorded);
  EXPECT_EQ(p.replayed_cuts(), 2u);
  auto cuts = feed(p, 100, 108);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0], std::make_pair(std::int64_t{102}, CutReason::manifest_replay));
  EXPECT_EQ(cuts[1], std::make_pair(std::int64_t{104}, CutReason::manifest_replay));
}

TEST(PartitionState, ARecordedCutRightAfterARecordCutsWithoutWaitingForTheNext) {
  // The first run cut at 5 by the clock, at the end of the topic: a re-run cuts there as soon
  // as record 4 is consumed (no record 5 may ever come, and no idle flush cuts a recorded segment).
  RotationOptions o;
  o.idle_flush = std::chrono::seconds(1);
  PartitionState p({"t", 0}, 0, "", o);
  std::vector<std::int64_t> recorded{3, 5};
  p.replay_manifest_cuts(recorded);
  auto cuts = feed(p, 0, 5);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0], std::make_pair(std::int64_t{3}, CutReason::manifest_replay));
  EXPECT_EQ(cuts[1], std::make_pair(std::int64_t{5}, CutReason::manifest_replay));
  EXPECT_FALSE(p.has_open_records());
}

TEST(PartitionState, NoWallClockCutInsideARecordedSegment) {
  RotationOptions o;
  o.idle_flush = std::chrono::seconds(1);
  o.max_open = std::chrono::seconds(2);
  PartitionState p({"t", 0}, 0, "", o);
  std::vector<std::int64_t> recorded{10};
  p.replay_manifest_cuts(recorded);
  feed(p, 0, 4);
  EXPECT_TRUE(p.rotation().in_recorded_segment());
  EXPECT_EQ(p.rotation().moment_cut_due(kNow + std::chrono::hours(1)), CutReason::none);
  EXPECT_FALSE(p.rotation().next_moment_deadline());
  auto cuts = feed(p, 4, 12);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0], std::make_pair(std::int64_t{10}, CutReason::manifest_replay));
  // Past the recorded cuts the clock cuts again.
  EXPECT_FALSE(p.rotation().in_recorded_segment());
  EXPECT_EQ(p.rotation().moment_cut_due(kNow + std::chrono::hours(1)), CutReason::max_open);
}

TEST(PartitionState, JournalReplaysStillCutByTheClock) {
  RotationOptions o;
  o.idle_flush = std::chrono::seconds(1);
  PartitionState p({"t", 0}, 0, "ks3j1:10", o);
  feed(p, 0, 4);
  EXPECT_FALSE(p.rotation().in_recorded_segment());
  EXPECT_EQ(p.rotation().moment_cut_due(kNow + std::chrono::hours(1)), CutReason::idle_flush);
}

}  // namespace
}  // namespace ks3::server

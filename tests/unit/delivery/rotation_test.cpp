#include "server/delivery/rotation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ks3::server {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::seconds(1000)};

RotationOptions options() {
  return RotationOptions{};
}

// Feeds records with the given offsets (timestamps = offset * 1000, 10 bytes each) as the
// pipeline does and returns the cut offsets (segment ends, exclusive): a cut before a record is
// at its offset, a cut after the record that filled the segment at its offset + 1.
std::vector<std::int64_t> cuts(PartitionRotation& rotation, std::int64_t from, std::int64_t to,
                               std::int64_t step = 1) {
  std::vector<std::int64_t> out;
  for (std::int64_t offset = from; offset < to; offset += step) {
    if (rotation.cut_before(offset, offset * 1000) != CutReason::none) {
      out.push_back(offset);
      rotation.reset();
    }
    rotation.add(offset * 1000, 10, kStart);
    if (rotation.cut_after() != CutReason::none) {
      out.push_back(offset + 1);
      rotation.reset();
    }
  }
  return out;
}

TEST(Rotation, MaxRecords) {
  auto o = options();
  o.max_records = 3;
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 0, 10), (std::vector<std::int64_t>{3, 6, 9}));
}

TEST(Rotation, MaxRecordsCutsRightAfterTheRecordThatFillsTheSegment) {
  // Kafka Connect's flush.size: the third record closes the object; no fourth record needed.
  auto o = options();
  o.max_records = 3;
  PartitionRotation rotation(o, {});
  for (std::int64_t offset = 0; offset < 2; ++offset) {
    EXPECT_EQ(rotation.cut_before(offset, 0), CutReason::none);
    rotation.add(0, 10, kStart);
    EXPECT_EQ(rotation.cut_after(), CutReason::none) << "after offset " << offset;
  }
  EXPECT_EQ(rotation.cut_before(2, 0), CutReason::none);
  rotation.add(0, 10, kStart);
  EXPECT_EQ(rotation.cut_after(), CutReason::max_records);
  rotation.reset();
  EXPECT_EQ(rotation.cut_after(), CutReason::none) << "an empty segment is never full";
  EXPECT_EQ(rotation.cut_before(3, 0), CutReason::none) << "the full segment was already cut";
}

TEST(Rotation, MaxRecordsOneCutsAfterEveryRecord) {
  auto o = options();
  o.max_records = 1;
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 5, 8), (std::vector<std::int64_t>{6, 7, 8}));
}

TEST(Rotation, FullSegmentsEndRightAfterTheirLastRecordAcrossOffsetGaps) {
  // Offsets 0, 2, 4, ... (compaction, transaction markers): the segment ends at the filling
  // record's offset + 1, not at the next record's offset, so it closes without that record.
  auto o = options();
  o.max_records = 2;
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 0, 12, 2), (std::vector<std::int64_t>{3, 7, 11}));
}

TEST(Rotation, MaxBytesCountsEncodedBytesUpToTheCut) {
  auto o = options();
  o.max_bytes = 25;  // 10 bytes a record: cut right after the record that brings in 30 bytes
  PartitionRotation rotation(o, {});
  EXPECT_EQ(cuts(rotation, 100, 110), (std::vector<std::int64_t>{103, 106, 109}));
}

TEST(Rotation, MaxBytesReachedExactlyCutsAfterThatRecord) {
  auto o = options();
  o.max_bytes = 20;
  PartitionRotation rotation(o, {});
  rotation.add(0, 10, kStart);
  EXPECT_EQ(rotation.cut_after(), CutReason::none);
  rotation.add(0, 10, kStart);
  EXPECT_EQ(rotation.cut_after(), CutReason::max_bytes);
}

TEST(Rotation, ReplayOfAnOldJournalCutAtAFullSegmentsEndCutsOnce) {
  // A journal written when full segments were cut before the next record: an idle cut at 3
  // after records 0..2 with max_records 3. The replay cuts at 3 after record 2 (full) and the
  // journaled cut at 3 finds the segment empty: the same segments, no extra cut.
  auto o = options();
  o.max_records = 3;
  std::vector<std::int64_t> journal = {3};
  PartitionRotation rotation(o, journal);
  EXPECT_EQ(cuts(rotation, 0, 8), (std::vector<std::int64_t>{3, 6}));
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
    if (first.cut_after() != CutReason::none) {
      first_cuts.push_back(offset + 1);
      first.reset();
    }
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

// While the sink holds a partition back (a pause for memory) no record can arrive: that time is
// not idle. The idle clock stops at the pause and goes on after it; max_open keeps the wall clock.
TEST(Rotation, TimeHeldBackByAPauseIsNotIdleTime) {
  auto o = options();
  o.idle_flush = 5s;
  o.max_open = 60s;
  PartitionRotation rotation(o, {});
  rotation.add(0, 1, kStart);
  const SteadyTime paused = kStart + 3s;  // 3 s idle before the pause
  EXPECT_EQ(rotation.moment_cut_due(kStart + 30s, paused), CutReason::none);
  rotation.exclude_held(paused, kStart + 40s);
  EXPECT_EQ(rotation.moment_cut_due(kStart + 41s), CutReason::none);            // 3 + 1 s idle
  EXPECT_EQ(rotation.moment_cut_due(kStart + 42s), CutReason::idle_flush);      // 3 + 2 s
  EXPECT_EQ(rotation.moment_cut_due(kStart + 60s, kStart + 41s), CutReason::max_open);
  // A record that arrived during the pause (one already on its way) counts from its end.
  PartitionRotation during(o, {});
  during.add(0, 1, kStart);
  during.add(0, 1, kStart + 10s);
  during.exclude_held(kStart + 5s, kStart + 20s);
  EXPECT_EQ(during.moment_cut_due(kStart + 24s), CutReason::none);
  EXPECT_EQ(during.moment_cut_due(kStart + 25s), CutReason::idle_flush);
  // A pause that ended before the last record changes nothing.
  during.add(0, 1, kStart + 30s);
  during.exclude_held(kStart + 26s, kStart + 28s);
  EXPECT_EQ(during.moment_cut_due(kStart + 35s), CutReason::idle_flush);
}

// Feeds records at offsets 0, 1, ... whose writer schemas are `schemas` ("" for a record without
// one: a tombstone, a skipped record) as the pipeline does, replaying `replayed` cuts, and returns
// the cuts with their reasons.
std::vector<std::pair<std::int64_t, CutReason>> schema_cuts(
    const std::vector<std::string>& schemas, std::vector<std::int64_t> replayed = {}) {
  PartitionRotation rotation(options(), {});
  if (!replayed.empty()) rotation.set_replay(replayed, CutReason::manifest_replay);
  std::vector<std::pair<std::int64_t, CutReason>> out;
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    const auto offset = static_cast<std::int64_t>(i);
    if (CutReason reason = rotation.cut_before(offset, 0, schemas[i]); reason != CutReason::none) {
      out.emplace_back(offset, reason);
      rotation.reset();
    }
    rotation.add(0, 10, kStart, schemas[i]);
  }
  return out;
}

TEST(Rotation, SchemaChangeCutsBeforeTheFirstRecordOfAnotherSchema) {
  using Cuts = std::vector<std::pair<std::int64_t, CutReason>>;
  EXPECT_EQ(schema_cuts({"id 1", "id 1", "id 2", "id 2", "id 1"}),
            (Cuts{{2, CutReason::schema_change}, {4, CutReason::schema_change}}));
  EXPECT_EQ(schema_cuts({"id 1", "id 1", "id 1"}), Cuts{}) << "one schema never cuts";
  EXPECT_EQ(schema_cuts({"", "", ""}), Cuts{}) << "records without a schema never cut";
}

TEST(Rotation, RecordsWithoutASchemaNeitherCutNorChangeTheSegmentsSchema) {
  using Cuts = std::vector<std::pair<std::int64_t, CutReason>>;
  // A tombstone between two schemas: the cut is before the record of the other schema.
  EXPECT_EQ(schema_cuts({"id 1", "", "id 2", "", "id 2"}), (Cuts{{2, CutReason::schema_change}}));
  // A segment that starts without a schema takes the first one it sees, without a cut.
  EXPECT_EQ(schema_cuts({"", "id 2", "id 2"}), Cuts{});
}

TEST(Rotation, TheSchemaOfARecordNotWrittenWithItIsNotTheSegments) {
  // A datum whose row then failed (dead letter, skipped) cut before itself, but the segment
  // has no schema yet: the next record of that schema does not cut again.
  PartitionRotation rotation(options(), {});
  EXPECT_EQ(rotation.cut_before(0, 0, "id 1"), CutReason::none);
  rotation.add(0, 10, kStart, "id 1");
  EXPECT_EQ(rotation.cut_before(1, 0, "id 2"), CutReason::schema_change);
  rotation.reset();
  rotation.add(0, 0, kStart);  // skipped: written without its schema
  EXPECT_EQ(rotation.cut_before(2, 0, "id 1"), CutReason::none);
}

TEST(Rotation, AnyCutStartsTheNextSegmentWithoutASchema) {
  auto o = options();
  o.max_records = 2;
  PartitionRotation rotation(o, {});
  rotation.add(0, 10, kStart, "id 1");
  rotation.add(0, 10, kStart, "id 1");
  ASSERT_EQ(rotation.cut_after(), CutReason::max_records);
  rotation.reset();
  EXPECT_EQ(rotation.cut_before(2, 0, "id 2"), CutReason::none)
      << "the segment that held id 1 is closed already";
}

TEST(Rotation, SchemaCutsRepeatOnAReplayThatCutsFiner) {
  // A re-run that also cuts where the first run did not (a replayed memory-pressure cut at 5,
  // say) makes the same schema cuts by itself, and no other: they need no journal entry.
  using Cuts = std::vector<std::pair<std::int64_t, CutReason>>;
  const std::vector<std::string> schemas{"id 1", "id 1", "",     "id 2", "id 2",
                                         "",     "id 2", "id 1", "",     "id 1"};
  EXPECT_EQ(schema_cuts(schemas),
            (Cuts{{3, CutReason::schema_change}, {7, CutReason::schema_change}}));
  EXPECT_EQ(schema_cuts(schemas, {5}), (Cuts{{3, CutReason::schema_change},
                                             {5, CutReason::manifest_replay},
                                             {7, CutReason::schema_change}}));
}

TEST(Rotation, ReasonNames) {
  EXPECT_EQ(to_string(CutReason::journal_replay), "journal_replay");
  EXPECT_TRUE(is_moment_cut(CutReason::idle_flush));
  EXPECT_TRUE(is_moment_cut(CutReason::max_open));
  EXPECT_TRUE(is_moment_cut(CutReason::memory_pressure));
  EXPECT_TRUE(is_moment_cut(CutReason::shutdown));
  EXPECT_FALSE(is_moment_cut(CutReason::max_records));
  EXPECT_FALSE(is_moment_cut(CutReason::schema_change));
  EXPECT_FALSE(is_moment_cut(CutReason::journal_replay));
  EXPECT_FALSE(is_moment_cut(CutReason::manifest_replay));
}

TEST(Rotation, ReasonNamesParseBack) {
  for (CutReason reason :
       {CutReason::none, CutReason::max_records, CutReason::max_bytes, CutReason::time_window,
        CutReason::schema_change, CutReason::journal_replay, CutReason::manifest_replay,
        CutReason::idle_flush, CutReason::max_open, CutReason::memory_pressure,
        CutReason::shutdown}) {
    EXPECT_EQ(parse_cut_reason(to_string(reason)), reason) << to_string(reason);
  }
  EXPECT_FALSE(parse_cut_reason("because"));
  EXPECT_FALSE(parse_cut_reason(""));
}

}  // namespace
}  // namespace ks3::server

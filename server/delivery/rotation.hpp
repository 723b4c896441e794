// The cut policy of one Kafka partition (pure: time is passed in).
//
// A cut closes every open object of the partition at one offset (docs/DESIGN.md, "Delivery:
// exactly-once object set"). Two kinds:
//   - deterministic cuts, decided from the records alone, so a replay repeats them:
//       max_records: cut right after the record that brings the open segment to max_records
//                    records (Kafka Connect's flush.size), so a full object never waits for the
//                    next record or for idle_flush;
//       max_bytes:   cut right after the record that brings the segment's encoded (uncompressed)
//                    bytes to max_bytes or more (uncompressed, so the decision never depends on
//                    compressor state);
//                    both cut at "that record's offset + 1" (segment ends are exclusive), which a
//                    replay over the same records repeats;
//       time_window: Kafka Connect's rotate.interval.ms: cut before a record whose timestamp is
//                    at least time_window past the timestamp of the segment's first timestamped
//                    record (records without a timestamp, or going back in time, never cut);
//       schema_change: cut before a record whose Avro writer schema differs from the schema of
//                    the records written in the segment (formats that store the writer schema:
//                    one schema per object, as Confluent's sink with schema.compatibility NONE);
//                    the segment's schema is that of its last record written with one, so over
//                    the same records from the same segment start the same cuts follow, and a
//                    segment that starts later (a finer replayed cut) never needs an extra one;
//     plus cuts replayed from the partition's journal (server/delivery/cut_journal.hpp) or from
//     its manifests in S3 (server/delivery/manifest_replay.hpp): "cut before the first record
//     with offset >= the recorded offset";
//   - moment cuts, decided by the wall clock or the process state; the shell journals them:
//       idle_flush: no record for idle_flush since the segment's last record;
//       max_open:   the segment's first record arrived max_open ago (rotate.schedule.interval.ms);
//       memory pressure and shutdown are decided by the pipeline.
// Every consumed record is accounted (one skipped by the bad-record policy or an ignored
// tombstone counts as a record of 0 bytes), so the same configuration over the same records
// always cuts at the same offsets, and a partition whose tail was all skipped still idles out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/delivery/cut_journal.hpp"

namespace ks3::server {

using SteadyTime = std::chrono::steady_clock::time_point;

struct RotationOptions {
  std::uint64_t max_records = 0;             // 0: no limit
  std::uint64_t max_bytes = 0;               // 0: no limit
  std::chrono::milliseconds time_window{0};  // 0: off
  std::chrono::milliseconds idle_flush{0};   // 0: off
  std::chrono::milliseconds max_open{0};     // 0: off
};

enum class CutReason {
  none,
  max_records,
  max_bytes,
  time_window,
  schema_change,    // an Avro writer schema other than the segment's (deterministic)
  journal_replay,   // a cut of the commit metadata's journal, replayed
  manifest_replay,  // a cut recorded in the partition's manifests in S3, replayed
  idle_flush,
  max_open,
  memory_pressure,
  shutdown,
};

std::string_view to_string(CutReason reason);
// The reason named by to_string (nullopt for any other text).
std::optional<CutReason> parse_cut_reason(std::string_view text);
// True for cuts that depend on the moment and must be journaled before their objects complete.
bool is_moment_cut(CutReason reason);

class PartitionRotation {
 public:
  PartitionRotation(RotationOptions options, std::span<const std::int64_t> journaled_cuts);

  // Replaces the cuts to replay (before the first record): `reason` is what cut_before reports
  // for them (journal_replay or manifest_replay).
  void set_replay(std::span<const std::int64_t> ascending_cuts, CutReason reason);

  // Whether the open segment must be cut before the record at `offset` (call for every record,
  // in offset order, including records that end up skipped: the journal replay tracks offsets):
  // a journaled cut, time_window or schema_change. An empty segment is never cut.
  // `schema`: the record's writer schema when its value is written with it (an Avro datum into
  // Avro or schema-typed Parquet objects), else empty (never a schema change).
  CutReason cut_before(std::int64_t offset, std::int64_t timestamp_ms,
                       std::string_view schema = {});
  // Whether the open segment is full (max_records, max_bytes) after the record just added: the
  // caller cuts right after that record, at its offset + 1. An empty segment is never full.
  CutReason cut_after() const;

  // A record was consumed into the open segment (encoded_bytes 0 when it was not written).
  // `schema`: the writer schema it was written with (empty: none, e.g. skipped, a tombstone or a
  // dead letter); it becomes the segment's schema.
  void add(std::int64_t timestamp_ms, std::uint64_t encoded_bytes, SteadyTime now,
           std::string_view schema = {});

  // The open segment was cut (by any reason): it starts empty.
  void reset();

  bool segment_empty() const { return records_ == 0; }
  std::uint64_t segment_records() const { return records_; }
  std::uint64_t segment_bytes() const { return bytes_; }

  // True while a cut recorded in the manifests is still ahead: the open segment ends there, as
  // it did in the run that recorded it, so no wall-clock cut is made before (a re-run that
  // stalls must not cut finer than the objects it replaces). Journal replays are unaffected.
  bool in_recorded_segment() const {
    return replay_reason_ == CutReason::manifest_replay && !replay_.done();
  }
  // Whether a cut recorded in the manifests falls right after the record at `offset` (the next
  // recorded cut is offset + 1): the segment is cut at once, as the recording run did, instead
  // of waiting for a record that may not come yet (the end of the topic).
  bool recorded_cut_after(std::int64_t offset) const {
    return in_recorded_segment() && records_ > 0 && replay_.next() == offset + 1;
  }

  // A wall-clock cut that is due at `now` (idle_flush or max_open), or none (always none in a
  // recorded segment). `held_since`: set while the sink holds the partition back (a pause for
  // memory), from when: no record can arrive then, so the idle clock stops there; max_open
  // keeps the wall clock.
  CutReason moment_cut_due(SteadyTime now,
                           std::optional<SteadyTime> held_since = std::nullopt) const;
  // The sink held the partition back from `from` to `to`: that time does not count as idle
  // (a record that arrived meanwhile counts as arriving at `to`).
  void exclude_held(SteadyTime from, SteadyTime to);
  // The earliest time a wall-clock cut can become due, for the shell's timer; nullopt when none
  // can (empty segment, or neither setting on).
  std::optional<SteadyTime> next_moment_deadline() const;

 private:
  RotationOptions options_;
  CutReplay replay_;
  CutReason replay_reason_ = CutReason::journal_replay;
  std::uint64_t records_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t first_timestamp_ms_ = -1;
  std::string segment_schema_;  // the writer schema of the segment's records, empty: none yet
  SteadyTime first_arrival_{};
  SteadyTime last_arrival_{};
};

}  // namespace ks3::server

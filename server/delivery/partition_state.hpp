// The delivery state of one assigned Kafka partition (pure: no I/O, time passed in). It keeps
// the rules of docs/DESIGN.md's "Delivery: exactly-once object set" in one place:
//   - rotation decides cuts; every cut closes a segment in the offset tracker;
//   - a moment cut (idle flush, memory pressure, shutdown) is added to the cut journal, which
//     travels in the commit metadata; an object may complete (become visible in S3) only after
//     every moment cut at or before its segment's end is acknowledged by the broker, so a
//     replay after a crash always reproduces the cuts of every object that exists;
//   - with manifests on (require_manifests), every cut also has a manifest in S3 that must be
//     durable before any object of its segment (or of a later segment) completes, and the
//     committed offset never passes the start of a segment whose manifest is not durable yet;
//   - the committed offset only advances to the end of the durable prefix of segments, and
//     every commit carries the journal cuts beyond that offset.
// Both conditions form one completion gate: each cut that needs the journal or a manifest gets
// the next gate number (ClosedSegment::required_journal_version, its historical name), and an
// object may complete once every gate up to its segment's number is open.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kafka/topic_partition.hpp"
#include "server/delivery/cut_journal.hpp"
#include "server/delivery/dead_letter_units.hpp"
#include "server/delivery/offset_tracker.hpp"
#include "server/delivery/rotation.hpp"

namespace ks3::server {

struct ClosedSegment {
  OffsetTracker::SegmentId id = 0;
  std::int64_t start = 0;  // the segment is [start, end)
  std::int64_t end = 0;
  // The completion gate that must be open before this segment's objects complete (the journal
  // acknowledged, the manifests written): may_complete(required_journal_version).
  std::uint64_t required_journal_version = 0;
  std::uint64_t records = 0;  // records consumed in the segment (written or skipped)
  std::uint64_t bytes = 0;    // their encoded bytes
};

struct CommitPlan {
  std::int64_t offset = 0;  // next offset to consume
  std::string metadata;     // the journal beyond `offset`
  std::uint64_t journal_version = 0;
};

class PartitionState {
 public:
  // `committed_offset` -1: the group has no commit for the partition (consumption starts per
  // auto.offset.reset; the first record's offset then stands for the starting position).
  PartitionState(kafka::TopicPartition tp, std::int64_t committed_offset,
                 std::string_view committed_metadata, RotationOptions rotation,
                 std::size_t journal_capacity = CutJournal::kDefaultMaxPending);

  const kafka::TopicPartition& tp() const { return tp_; }
  // Why the committed metadata could not be used as a journal (foreign or damaged), if so.
  const std::optional<std::string>& journal_warning() const { return journal_warning_; }
  std::size_t replayed_cuts() const { return replayed_cuts_; }
  // The journal cuts beyond the committed offset (decoded from the commit metadata).
  std::span<const std::int64_t> journal_cuts() const { return journal_.cuts(); }

  // ---- manifests ----
  // Every cut from now on needs its manifest written (manifest_written) before its objects
  // complete. Call before the first record.
  void require_manifests() { manifests_required_ = true; }
  bool manifests_required() const { return manifests_required_; }
  // Replaces the cuts to replay with those recorded in S3 (manifest_replay.hpp's decision);
  // before the first record.
  void replay_manifest_cuts(std::span<const std::int64_t> ascending_cuts);
  // The manifest of the cut with gate number `gate` is durable in S3.
  void manifest_written(std::uint64_t gate);
  std::size_t manifests_pending() const;

  // ---- records ----
  // Call for every record, in offset order, before routing it: the cut to make before it.
  // `schema`: its writer schema when it will be written with it (PartitionRotation::cut_before).
  CutReason before_record(std::int64_t offset, std::int64_t timestamp_ms,
                          std::string_view schema = {});
  // The record was consumed (written with `encoded_bytes`, or skipped with 0; `schema`: the
  // writer schema it was written with, if any).
  void record_consumed(std::int64_t offset, std::int64_t timestamp_ms, std::uint64_t encoded_bytes,
                       SteadyTime now, std::string_view schema = {});
  // Call after every record, once it was dealt with: the cut to make right after it (at
  // offset + 1) when it filled the segment (max_records, max_bytes) or a cut recorded in the
  // manifests follows it (manifest_replay); none when the record was not consumed (a failure)
  // or neither holds.
  CutReason after_record(std::int64_t offset) const;
  // Records consumed since the last cut (written or not).
  bool has_open_records() const { return !rotation_.segment_empty(); }
  // The offset after the last consumed record (where a moment cut closes the segment).
  std::optional<std::int64_t> next_offset() const { return next_offset_; }
  PartitionRotation& rotation() { return rotation_; }

  // ---- cuts ----
  // False while the journal is full: no moment cut until commits catch up.
  bool can_moment_cut() const { return !journal_.full(); }
  // Closes the open segment at `end_offset` with `object_count` objects (plus the dead letters
  // of the segment not acknowledged yet). A moment cut (reason) is journaled first; the caller
  // checked can_moment_cut().
  ClosedSegment cut(std::int64_t end_offset, CutReason reason, std::size_t object_count);

  // ---- durability and commits ----
  // One object of the segment is durable in S3. True when a commit became due.
  bool object_durable(OffsetTracker::SegmentId segment);
  // Dead letters produced to Kafka (dead_letter_units.hpp): each one is a pending unit of the
  // open segment, counted at its cut like an object. Acknowledged: true when a commit became due.
  // Failed: its segment never becomes durable.
  DeadLetterUnits::Ticket dead_letter_produced() { return dead_letters_.produced(); }
  bool dead_letter_acknowledged(DeadLetterUnits::Ticket ticket);
  void dead_letter_failed(DeadLetterUnits::Ticket ticket) { dead_letters_.failed(ticket); }
  std::size_t dead_letters_in_flight() const { return dead_letters_.in_flight(); }
  // Whether the objects of a segment whose gate is `required_journal_version` may complete:
  // every journal entry and manifest up to that gate is acknowledged.
  bool may_complete(std::uint64_t required_journal_version) const;
  // Something to commit (durable progress or new journal cuts) and no commit in flight: the
  // commit to send, marked in flight.
  std::optional<CommitPlan> plan_commit();
  void commit_finished(const CommitPlan& plan, bool ok);
  bool commit_in_flight() const { return commit_in_flight_; }
  bool commit_due() const;
  std::int64_t committed_position() const;  // -1 before anything is known
  std::int64_t durable_position() const;    // -1 before anything is known
  std::size_t pending_segments() const { return tracker_ ? tracker_->pending_segments() : 0; }
  std::size_t journal_size() const { return journal_.cuts().size(); }

 private:
  void ensure_tracker(std::int64_t first_offset);

  kafka::TopicPartition tp_;
  std::int64_t committed_offset_;
  CutJournal journal_;
  std::optional<std::string> journal_warning_;
  std::size_t replayed_cuts_ = 0;
  PartitionRotation rotation_;
  std::optional<OffsetTracker> tracker_;  // created with the first record (or commit)
  std::optional<std::int64_t> next_offset_;
  DeadLetterUnits dead_letters_;
  // Gates of cuts not open yet, by number: a journal entry to acknowledge (journal) and/or a
  // manifest to write. Front: the oldest. A gate leaves the queue when it is open.
  struct Gate {
    std::uint64_t number = 0;
    bool journal = false;  // open once acked_journal_version_ >= number
    bool manifest_pending = false;
    std::int64_t start = 0;  // the segment's start: no commit past it while the manifest is pending
  };
  void pop_open_gates();
  // Where a commit may go now: the durable position, held at the start of the first segment
  // whose manifest is pending, never below the committed position (tracker_ set).
  std::int64_t commit_target() const;
  std::deque<Gate> gates_;
  std::uint64_t gate_number_ = 0;      // the last gate handed out
  std::uint64_t journal_version_ = 0;  // the gate number of the last journaled cut
  std::uint64_t acked_journal_version_ = 0;
  bool manifests_required_ = false;
  bool commit_in_flight_ = false;
};

}  // namespace ks3::server

// The delivery state of one assigned Kafka partition (pure: no I/O, time passed in). It keeps
// the rules of docs/DESIGN.md's "Delivery: exactly-once object set" in one place:
//   - rotation decides cuts; every cut closes a segment in the offset tracker;
//   - a moment cut (idle flush, memory pressure, shutdown) is added to the cut journal, which
//     travels in the commit metadata; an object may complete (become visible in S3) only after
//     every moment cut at or before its segment's end is acknowledged by the broker, so a
//     replay after a crash always reproduces the cuts of every object that exists;
//   - the committed offset only advances to the end of the durable prefix of segments, and
//     every commit carries the journal cuts beyond that offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kafka/topic_partition.hpp"
#include "server/delivery/cut_journal.hpp"
#include "server/delivery/offset_tracker.hpp"
#include "server/delivery/rotation.hpp"

namespace ks3::server {

struct ClosedSegment {
  OffsetTracker::SegmentId id = 0;
  std::int64_t end = 0;
  // The journal version that must be acknowledged before this segment's objects complete.
  std::uint64_t required_journal_version = 0;
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

  // ---- records ----
  // Call for every record, in offset order, before routing it: the cut to make before it.
  CutReason before_record(std::int64_t offset, std::int64_t timestamp_ms);
  // The record was consumed (written with `encoded_bytes`, or skipped with 0).
  void record_consumed(std::int64_t offset, std::int64_t timestamp_ms, std::uint64_t encoded_bytes,
                       SteadyTime now);
  // Call after every record, once it was dealt with: the cut to make right after it (at
  // offset + 1) when it filled the segment (max_records, max_bytes); none when the record was
  // not consumed (a failure) or the segment is not full.
  CutReason after_record(std::int64_t offset) const;
  // Records consumed since the last cut (written or not).
  bool has_open_records() const { return !rotation_.segment_empty(); }
  // The offset after the last consumed record (where a moment cut closes the segment).
  std::optional<std::int64_t> next_offset() const { return next_offset_; }
  PartitionRotation& rotation() { return rotation_; }

  // ---- cuts ----
  // False while the journal is full: no moment cut until commits catch up.
  bool can_moment_cut() const { return !journal_.full(); }
  // Closes the open segment at `end_offset` with `object_count` objects. A moment cut (reason)
  // is journaled first; the caller checked can_moment_cut().
  ClosedSegment cut(std::int64_t end_offset, CutReason reason, std::size_t object_count);

  // ---- durability and commits ----
  // One object of the segment is durable in S3. True when a commit became due.
  bool object_durable(OffsetTracker::SegmentId segment);
  bool may_complete(std::uint64_t required_journal_version) const {
    return acked_journal_version_ >= required_journal_version;
  }
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
  std::uint64_t journal_version_ = 0;
  std::uint64_t acked_journal_version_ = 0;
  bool commit_in_flight_ = false;
};

}  // namespace ks3::server

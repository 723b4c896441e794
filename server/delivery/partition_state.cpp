#include "server/delivery/partition_state.hpp"

#include <algorithm>
#include <utility>

namespace ks3::server {
namespace {

CutJournal::Decoded decode_pruned(std::string_view metadata, std::int64_t committed,
                                  std::size_t capacity) {
  auto decoded = CutJournal::decode(metadata, capacity);
  if (committed >= 0) decoded.journal.prune(committed);
  return decoded;
}

}  // namespace

PartitionState::PartitionState(kafka::TopicPartition tp, std::int64_t committed_offset,
                               std::string_view committed_metadata, RotationOptions rotation,
                               std::size_t journal_capacity)
    : tp_(std::move(tp)),
      committed_offset_(committed_offset),
      journal_(decode_pruned(committed_metadata, committed_offset, journal_capacity).journal),
      rotation_(rotation, journal_.cuts()) {
  auto decoded = CutJournal::decode(committed_metadata, journal_capacity);
  journal_warning_ = std::move(decoded.warning);
  replayed_cuts_ = journal_.cuts().size();
  if (committed_offset_ >= 0) ensure_tracker(committed_offset_);
}

void PartitionState::ensure_tracker(std::int64_t first_offset) {
  if (!tracker_) tracker_.emplace(first_offset);
}

CutReason PartitionState::before_record(std::int64_t offset, std::int64_t timestamp_ms,
                                        std::string_view schema) {
  ensure_tracker(offset);
  return rotation_.cut_before(offset, timestamp_ms, schema);
}

void PartitionState::record_consumed(std::int64_t offset, std::int64_t timestamp_ms,
                                     std::uint64_t encoded_bytes, SteadyTime now,
                                     std::string_view schema) {
  ensure_tracker(offset);
  rotation_.add(timestamp_ms, encoded_bytes, now, schema);
  next_offset_ = offset + 1;
}

CutReason PartitionState::after_record(std::int64_t offset) const {
  if (next_offset_ != offset + 1) return CutReason::none;
  CutReason full = rotation_.cut_after();
  if (full != CutReason::none) return full;
  return rotation_.recorded_cut_after(offset) ? CutReason::manifest_replay : CutReason::none;
}

ClosedSegment PartitionState::cut(std::int64_t end_offset, CutReason reason,
                                  std::size_t object_count) {
  ensure_tracker(end_offset);
  ClosedSegment closed;
  closed.start = tracker_->open_segment_start();
  closed.end = end_offset;
  closed.records = rotation_.segment_records();
  closed.bytes = rotation_.segment_bytes();
  const bool journaled = is_moment_cut(reason) && journal_.add(end_offset);
  if (journaled || manifests_required_) {
    ++gate_number_;
    if (journaled) journal_version_ = gate_number_;
    gates_.push_back(Gate{gate_number_, journaled, manifests_required_, closed.start});
  }
  auto id = tracker_->close_segment(end_offset, object_count + dead_letters_.open_units());
  rotation_.reset();
  // close_segment fails only for an end before the open segment's start, which the pipeline
  // never asks for (cuts follow the records in offset order).
  closed.id = id ? *id : 0;
  dead_letters_.close_segment(closed.id);
  closed.required_journal_version = gate_number_;
  return closed;
}

void PartitionState::replay_manifest_cuts(std::span<const std::int64_t> ascending_cuts) {
  rotation_.set_replay(ascending_cuts, CutReason::manifest_replay);
  replayed_cuts_ = ascending_cuts.size();
}

void PartitionState::manifest_written(std::uint64_t gate) {
  for (Gate& g : gates_) {
    if (g.number == gate) g.manifest_pending = false;
  }
  pop_open_gates();
}

std::size_t PartitionState::manifests_pending() const {
  return static_cast<std::size_t>(std::count_if(gates_.begin(), gates_.end(),
                                                [](const Gate& g) { return g.manifest_pending; }));
}

bool PartitionState::may_complete(std::uint64_t required_journal_version) const {
  for (const Gate& g : gates_) {
    if (g.number > required_journal_version) break;
    if (g.manifest_pending || (g.journal && acked_journal_version_ < g.number)) return false;
  }
  return true;
}

void PartitionState::pop_open_gates() {
  while (!gates_.empty() && !gates_.front().manifest_pending &&
         (!gates_.front().journal || acked_journal_version_ >= gates_.front().number)) {
    gates_.pop_front();
  }
}

std::int64_t PartitionState::commit_target() const {
  std::int64_t target = tracker_->durable_position();
  // A segment without objects is durable at once: it must still not be committed past before
  // its manifest is written (a reset would not know the cut otherwise).
  for (const Gate& g : gates_) {
    if (g.manifest_pending) {
      target = std::min(target, g.start);
      break;
    }
  }
  return std::max(target, tracker_->committed_position());
}

bool PartitionState::object_durable(OffsetTracker::SegmentId segment) {
  if (!tracker_) return false;
  auto advanced = tracker_->object_durable(segment);
  return advanced && *advanced;
}

bool PartitionState::dead_letter_acknowledged(DeadLetterUnits::Ticket ticket) {
  const std::optional<OffsetTracker::SegmentId> segment = dead_letters_.acknowledged(ticket);
  return segment && object_durable(*segment);
}

bool PartitionState::commit_due() const {
  if (!tracker_) return false;
  return commit_target() > tracker_->committed_position() ||
         journal_version_ > acked_journal_version_;
}

std::optional<CommitPlan> PartitionState::plan_commit() {
  if (commit_in_flight_ || !commit_due()) return std::nullopt;
  CommitPlan plan;
  plan.offset = commit_target();
  CutJournal beyond = journal_;
  beyond.prune(plan.offset);
  plan.metadata = beyond.encode();
  plan.journal_version = journal_version_;
  commit_in_flight_ = true;
  return plan;
}

void PartitionState::commit_finished(const CommitPlan& plan, bool ok) {
  commit_in_flight_ = false;
  if (!ok) return;
  tracker_->set_committed(plan.offset);
  committed_offset_ = std::max(committed_offset_, plan.offset);
  acked_journal_version_ = std::max(acked_journal_version_, plan.journal_version);
  journal_.prune(plan.offset);
  pop_open_gates();
}

std::int64_t PartitionState::committed_position() const {
  return tracker_ ? tracker_->committed_position() : committed_offset_;
}

std::int64_t PartitionState::durable_position() const {
  return tracker_ ? tracker_->durable_position() : committed_offset_;
}

}  // namespace ks3::server

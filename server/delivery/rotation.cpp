#include "server/delivery/rotation.hpp"

#include <algorithm>

namespace ks3::server {

std::string_view to_string(CutReason reason) {
  switch (reason) {
    case CutReason::none:
      return "none";
    case CutReason::max_records:
      return "max_records";
    case CutReason::max_bytes:
      return "max_bytes";
    case CutReason::time_window:
      return "time_window";
    case CutReason::schema_change:
      return "schema_change";
    case CutReason::journal_replay:
      return "journal_replay";
    case CutReason::manifest_replay:
      return "manifest_replay";
    case CutReason::idle_flush:
      return "idle_flush";
    case CutReason::max_open:
      return "max_open";
    case CutReason::memory_pressure:
      return "memory_pressure";
    case CutReason::shutdown:
      return "shutdown";
  }
  return "?";
}

std::optional<CutReason> parse_cut_reason(std::string_view text) {
  for (CutReason reason :
       {CutReason::none, CutReason::max_records, CutReason::max_bytes, CutReason::time_window,
        CutReason::schema_change, CutReason::journal_replay, CutReason::manifest_replay,
        CutReason::idle_flush, CutReason::max_open, CutReason::memory_pressure,
        CutReason::shutdown}) {
    if (to_string(reason) == text) return reason;
  }
  return std::nullopt;
}

bool is_moment_cut(CutReason reason) {
  return reason == CutReason::idle_flush || reason == CutReason::max_open ||
         reason == CutReason::memory_pressure || reason == CutReason::shutdown;
}

PartitionRotation::PartitionRotation(RotationOptions options,
                                     std::span<const std::int64_t> journaled_cuts)
    : options_(options), replay_(journaled_cuts) {}

void PartitionRotation::set_replay(std::span<const std::int64_t> ascending_cuts, CutReason reason) {
  replay_ = CutReplay(ascending_cuts);
  replay_reason_ = reason;
}

CutReason PartitionRotation::cut_before(std::int64_t offset, std::int64_t timestamp_ms,
                                        std::string_view schema) {
  // The replay must see every offset, even when the segment is empty, to stay in step.
  const bool journaled = replay_.cut_before(offset);
  if (records_ == 0) return CutReason::none;
  if (journaled) return replay_reason_;
  if (options_.time_window.count() > 0 && first_timestamp_ms_ >= 0 && timestamp_ms >= 0 &&
      timestamp_ms - first_timestamp_ms_ >= options_.time_window.count()) {
    return CutReason::time_window;
  }
  if (!schema.empty() && !segment_schema_.empty() && schema != segment_schema_) {
    return CutReason::schema_change;
  }
  return CutReason::none;
}

CutReason PartitionRotation::cut_after() const {
  if (records_ == 0) return CutReason::none;
  if (options_.max_records > 0 && records_ >= options_.max_records) return CutReason::max_records;
  if (options_.max_bytes > 0 && bytes_ >= options_.max_bytes) return CutReason::max_bytes;
  return CutReason::none;
}

void PartitionRotation::add(std::int64_t timestamp_ms, std::uint64_t encoded_bytes, SteadyTime now,
                            std::string_view schema) {
  if (!schema.empty() && schema != segment_schema_) segment_schema_.assign(schema);
  if (records_ == 0) first_arrival_ = now;
  if (first_timestamp_ms_ < 0 && timestamp_ms >= 0) first_timestamp_ms_ = timestamp_ms;
  last_arrival_ = now;
  ++records_;
  bytes_ += encoded_bytes;
}

void PartitionRotation::reset() {
  records_ = 0;
  bytes_ = 0;
  first_timestamp_ms_ = -1;
  segment_schema_.clear();
}

std::optional<SteadyTime> PartitionRotation::next_moment_deadline() const {
  if (records_ == 0 || in_recorded_segment()) return std::nullopt;
  std::optional<SteadyTime> deadline;
  if (options_.idle_flush.count() > 0) deadline = last_arrival_ + options_.idle_flush;
  if (options_.max_open.count() > 0) {
    SteadyTime open_deadline = first_arrival_ + options_.max_open;
    deadline = deadline ? std::min(*deadline, open_deadline) : open_deadline;
  }
  return deadline;
}

CutReason PartitionRotation::moment_cut_due(SteadyTime now,
                                           std::optional<SteadyTime> held_since) const {
  if (records_ == 0 || in_recorded_segment()) return CutReason::none;
  if (options_.max_open.count() > 0 && now - first_arrival_ >= options_.max_open) {
    return CutReason::max_open;
  }
  const SteadyTime idle_until = held_since ? std::min(now, *held_since) : now;
  if (options_.idle_flush.count() > 0 && idle_until - last_arrival_ >= options_.idle_flush) {
    return CutReason::idle_flush;
  }
  return CutReason::none;
}

void PartitionRotation::exclude_held(SteadyTime from, SteadyTime to) {
  if (records_ == 0 || to <= last_arrival_) return;
  last_arrival_ += to - std::max(from, last_arrival_);
}

}  // namespace ks3::server

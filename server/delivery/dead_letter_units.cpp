#include "server/delivery/dead_letter_units.hpp"

namespace ks3::server {

DeadLetterUnits::Ticket DeadLetterUnits::produced() {
  const Ticket ticket = ++next_;
  units_.emplace(ticket, Unit{});
  ++in_flight_;
  return ticket;
}

std::size_t DeadLetterUnits::open_units() const {
  std::size_t count = 0;
  // Units of the open segment are the newest: walk back from the end.
  for (auto it = units_.rbegin(); it != units_.rend() && !it->second.segment; ++it) ++count;
  return count;
}

std::size_t DeadLetterUnits::close_segment(OffsetTracker::SegmentId segment) {
  std::size_t count = 0;
  for (auto it = units_.rbegin(); it != units_.rend() && !it->second.segment; ++it) {
    it->second.segment = segment;
    ++count;
  }
  return count;
}

std::optional<OffsetTracker::SegmentId> DeadLetterUnits::acknowledged(Ticket ticket) {
  auto it = units_.find(ticket);
  if (it == units_.end() || it->second.failed) return std::nullopt;
  const std::optional<OffsetTracker::SegmentId> segment = it->second.segment;
  units_.erase(it);
  --in_flight_;
  return segment;
}

void DeadLetterUnits::failed(Ticket ticket) {
  auto it = units_.find(ticket);
  if (it == units_.end() || it->second.failed) return;
  it->second.failed = true;
  --in_flight_;
}

}  // namespace ks3::server

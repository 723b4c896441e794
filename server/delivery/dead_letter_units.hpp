// Dead letters produced to a Kafka topic (bad_records.dead_letter_topic) as pending units of
// the offset tracker (pure: no I/O). A produced dead letter belongs to the segment that is open
// when it is produced; it counts like one more object of that segment, which becomes durable
// only once every object completed and every dead letter was acknowledged by the broker. So the
// source offset is never committed before its dead letter is in the DLQ topic
// (docs/DESIGN.md, "Dead letters in a Kafka topic").
//
// A unit acknowledged before its segment is cut is simply gone (nothing to wait for at the cut).
// A unit whose delivery failed for good is never durable: its segment (and every later one)
// stays uncommitted, whether it was cut before or after the failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "server/delivery/offset_tracker.hpp"

namespace ks3::server {

class DeadLetterUnits {
 public:
  using Ticket = std::uint64_t;

  // A dead letter of the open segment was produced: its ticket (never 0).
  Ticket produced();

  // The open segment closes as `segment`: the units of the open segment that are not
  // acknowledged (in flight or failed) now belong to it. Returns how many: the caller adds them
  // to the segment's object count.
  std::size_t close_segment(OffsetTracker::SegmentId segment);
  // Units of the open segment that close_segment() would count.
  std::size_t open_units() const;

  // The broker acknowledged `ticket`. Returns its closed segment, whose unit is durable now
  // (nullopt: it was still in the open segment, or the ticket is unknown).
  std::optional<OffsetTracker::SegmentId> acknowledged(Ticket ticket);
  // The delivery of `ticket` failed for good: the unit stays, never durable.
  void failed(Ticket ticket);

  // Units produced and neither acknowledged nor failed (what a revoke or a shutdown awaits).
  std::size_t in_flight() const { return in_flight_; }

 private:
  struct Unit {
    std::optional<OffsetTracker::SegmentId> segment;  // nullopt: the open segment
    bool failed = false;
  };
  std::map<Ticket, Unit> units_;  // not acknowledged, by ticket (= production order)
  Ticket next_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace ks3::server

// Offset tracker of one Kafka partition (pure: no I/O).
//
// The records of a partition are split by cuts into segments [start, end). A cut closes every
// open object of the partition at once, so each object belongs to exactly one segment, and a
// segment is durable when all its objects are durable in S3 (a segment may hold no object, e.g.
// when every record in it was skipped). Completions arrive out of order; the position that may
// be committed is the end of the longest durable prefix of segments. That position is always a
// cut boundary, so a replay from it starts every object group of the partition fresh (docs/DESIGN.md,
// "Delivery: exactly-once object set").
//
// Kafka's commit semantics: "the committed offset should be the offset of the next message your
// application will consume, i.e. lastProcessedMessageOffset + 1".
#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace ks3::server {

class OffsetTracker {
 public:
  using SegmentId = std::uint64_t;

  // `initial_position`: the committed offset the partition was assigned at (or the offset where
  // consumption starts); it is both the durable and the committed position to begin with.
  explicit OffsetTracker(std::int64_t initial_position);

  // A cut at `end_offset` closes the open segment [open_segment_start(), end_offset) holding
  // `object_count` objects that still have to become durable. `end_offset` is the offset of the
  // first record after the cut, or the last record's offset + 1. Fails with
  // Errc::segment_out_of_order when end_offset < open_segment_start(). A segment with no object is
  // durable at once.
  boost::system::result<SegmentId> close_segment(std::int64_t end_offset, std::size_t object_count);

  // One object of segment `id` is durable. Returns true when the durable position advanced.
  // Fails with Errc::unknown_segment (never closed, or already durable) or
  // Errc::too_many_completions.
  boost::system::result<bool> object_durable(SegmentId id);

  // Start of the segment that is still open (records from here on belong to no closed segment).
  std::int64_t open_segment_start() const { return open_start_; }
  // End of the longest durable prefix: the highest offset that may be committed.
  std::int64_t durable_position() const { return durable_; }
  // The last position the broker acknowledged (see set_committed).
  std::int64_t committed_position() const { return committed_; }
  // Records a commit acknowledged by the broker; the committed position only moves forward.
  void set_committed(std::int64_t position);
  // True when there is durable progress that is not committed yet.
  bool commit_due() const { return durable_ > committed_; }
  // Closed segments that are not durable yet (objects still uploading or completing).
  std::size_t pending_segments() const { return segments_.size(); }

 private:
  struct Segment {
    std::int64_t end = 0;
    std::size_t remaining = 0;
  };
  void advance();

  std::deque<Segment> segments_;  // closed, not yet part of the durable prefix, oldest first
  SegmentId front_id_ = 0;        // id of segments_.front() (ids are consecutive)
  std::int64_t open_start_;
  std::int64_t durable_;
  std::int64_t committed_;
};

}  // namespace ks3::server

#include "server/delivery/offset_tracker.hpp"

#include <algorithm>

#include "server/delivery/delivery_error.hpp"

namespace ks3::server {

OffsetTracker::OffsetTracker(std::int64_t initial_position)
    : open_start_(initial_position), durable_(initial_position), committed_(initial_position) {}

boost::system::result<OffsetTracker::SegmentId> OffsetTracker::close_segment(
    std::int64_t end_offset, std::size_t object_count) {
  if (end_offset < open_start_) return make_error_code(DeliveryErrc::segment_out_of_order);
  SegmentId id = front_id_ + segments_.size();
  segments_.push_back(Segment{end_offset, object_count});
  open_start_ = end_offset;
  advance();
  return id;
}

boost::system::result<bool> OffsetTracker::object_durable(SegmentId id) {
  if (id < front_id_ || id - front_id_ >= segments_.size()) {
    return {boost::system::in_place_error, make_error_code(DeliveryErrc::unknown_segment)};
  }
  Segment& segment = segments_[id - front_id_];
  if (segment.remaining == 0) {
    return {boost::system::in_place_error, make_error_code(DeliveryErrc::too_many_completions)};
  }
  --segment.remaining;
  std::int64_t before = durable_;
  advance();
  return durable_ != before;
}

void OffsetTracker::set_committed(std::int64_t position) {
  committed_ = std::max(committed_, position);
}

// Pops the durable segments at the front: only a contiguous prefix moves the position.
void OffsetTracker::advance() {
  while (!segments_.empty() && segments_.front().remaining == 0) {
    durable_ = segments_.front().end;
    segments_.pop_front();
    ++front_id_;
  }
}

}  // namespace ks3::server

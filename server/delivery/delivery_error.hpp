// Misuse of the delivery bookkeeping (the offset tracker): a caller bug, never a Kafka or S3
// failure. A boost::system category so the pipeline reports it like every other error.
#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace ks3::server {

enum class DeliveryErrc {
  segment_out_of_order = 1,  // a segment end before its start, or a cut behind the last one
  unknown_segment,           // a completion for a segment that is not pending
  too_many_completions,      // more completions than the segment has objects
};

const boost::system::error_category& delivery_category() noexcept;
boost::system::error_code make_error_code(DeliveryErrc e) noexcept;

}  // namespace ks3::server

namespace boost::system {
template <>
struct is_error_code_enum<ks3::server::DeliveryErrc> : std::true_type {};
}  // namespace boost::system

#include "server/delivery/delivery_error.hpp"

#include <string>

namespace ks3::server {
namespace {

class DeliveryCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "ks3.delivery"; }
  std::string message(int value) const override {
    switch (static_cast<DeliveryErrc>(value)) {
      case DeliveryErrc::segment_out_of_order:
        return "offset segment out of order (a cut before the previous one)";
      case DeliveryErrc::unknown_segment:
        return "completion for an offset segment that is not pending";
      case DeliveryErrc::too_many_completions:
        return "more object completions than the offset segment has objects";
    }
    return "unknown ks3.delivery error " + std::to_string(value);
  }
};

}  // namespace

const boost::system::error_category& delivery_category() noexcept {
  static const DeliveryCategory category;
  return category;
}

boost::system::error_code make_error_code(DeliveryErrc e) noexcept {
  return {static_cast<int>(e), delivery_category()};
}

}  // namespace ks3::server

#include "metrics/label_value.hpp"

#include "metrics/json_string.hpp"

namespace ks3::metrics {

std::string label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  json::append_valid_utf8(out, value);
  return out;
}

}  // namespace ks3::metrics

#include "server/mirror/delete_marker.hpp"

#include "metrics/json_string.hpp"

namespace ks3::server {

std::string delete_marker_body(std::string_view topic, std::int32_t partition, std::int64_t offset,
                               std::optional<std::string_view> record_key) {
  std::string out = "{\"__deleted\":true,\"topic\":";
  json::append_json_string(out, topic);
  out += ",\"partition\":" + std::to_string(partition);
  out += ",\"offset\":" + std::to_string(offset);
  out += ",\"key\":";
  if (record_key) {
    json::append_json_string(out, *record_key);
  } else {
    out += "null";
  }
  out += "}";
  return out;
}

}  // namespace ks3::server

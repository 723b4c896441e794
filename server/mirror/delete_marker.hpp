// The body of a delete marker (mirror.deletes: marker): a small JSON object written in place
// of a deleted document, naming the record that deleted it. A function of the record only, so a
// replay writes the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks3::server {

// {"__deleted":true,"topic":"t","partition":0,"offset":12,"key":"k"} (key null for a null key)
std::string delete_marker_body(std::string_view topic, std::int32_t partition, std::int64_t offset,
                               std::optional<std::string_view> record_key);

}  // namespace ks3::server

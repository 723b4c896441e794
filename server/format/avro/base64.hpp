// Standard base64 (RFC 4648 section 4, '=' padded): bytes in the JSON mapping, basic auth.
// (server/text_escape has the same for the encoders; ks3_avro sits below ks3_server.)
#pragma once

#include <string>
#include <string_view>

namespace ks3::avro {

void append_base64(std::string& out, std::string_view bytes);

}  // namespace ks3::avro

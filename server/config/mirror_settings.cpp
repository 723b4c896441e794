#include "server/config/mirror_settings.hpp"

namespace ks3::server {

std::string_view to_string(SinkMode mode) {
  return mode == SinkMode::mirror ? "mirror" : "log";
}

std::string_view to_string(MirrorBody body) {
  switch (body) {
    case MirrorBody::document:
      return "document";
    case MirrorBody::value:
      return "value";
    case MirrorBody::envelope:
      return "envelope";
  }
  return "?";
}

std::string_view to_string(MirrorDeletes deletes) {
  return deletes == MirrorDeletes::marker ? "marker" : "delete";
}

std::optional<SinkMode> parse_sink_mode(std::string_view text) {
  for (SinkMode mode : {SinkMode::log, SinkMode::mirror}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

std::optional<MirrorBody> parse_mirror_body(std::string_view text) {
  for (MirrorBody body : {MirrorBody::document, MirrorBody::value, MirrorBody::envelope}) {
    if (text == to_string(body)) return body;
  }
  return std::nullopt;
}

std::optional<MirrorDeletes> parse_mirror_deletes(std::string_view text) {
  for (MirrorDeletes deletes : {MirrorDeletes::remove, MirrorDeletes::marker}) {
    if (text == to_string(deletes)) return deletes;
  }
  return std::nullopt;
}

}  // namespace ks3::server

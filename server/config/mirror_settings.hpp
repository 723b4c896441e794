// The sink's mode and the settings of `mode: mirror` (one object per document, deletes applied):
// the `mode` and `mirror.*` configuration keys. The mirror itself is server/mirror.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/compress/compressor.hpp"

namespace ks3::server {

// log: records batched into objects (the event log, the default). mirror: one object per
// document, replaced on every change and deleted on a delete (a current-state table).
enum class SinkMode { log, mirror };

// What a mirrored object holds: the document field of the value (`mirror.document_field`, the
// Ed-Fi `edfidoc`), the whole value, or the JSON lines envelope of the record (format.*).
enum class MirrorBody { document, value, envelope };

// What a delete does to the document's object: DeleteObject, or a PUT of a small delete-marker
// JSON object at the same key.
enum class MirrorDeletes { remove, marker };

struct MirrorSettings {
  // Object key of a document (under s3.prefix); {{start_offset}} is not allowed: the key must
  // name the document, not the record.
  std::string key_template = "{{topic}}/{{key}}.json";
  MirrorBody body = MirrorBody::value;
  std::string document_field = "edfidoc";  // a dotted path into the value (body: document)
  MirrorDeletes deletes = MirrorDeletes::remove;
  Compression compression = Compression::none;  // none, or gzip with Content-Encoding: gzip
  // Record key -> object key entries kept to find the object of a tombstone or of a document
  // that moved (least recently changed dropped first); 0 turns the map off.
  std::uint64_t key_map_size = 100000;
  // Keep each partition's key map in S3 (under <s3.prefix>_ks3/mirror/keys/, a delta before
  // every commit that changes it, a snapshot every `key_log_snapshot_every` deltas) and load it
  // on assignment, so that a restart or a new owner still resolves tombstones and moves.
  bool key_log = true;
  std::uint64_t key_log_snapshot_every = 50;
};

std::string_view to_string(SinkMode mode);
std::string_view to_string(MirrorBody body);
std::string_view to_string(MirrorDeletes deletes);
std::optional<SinkMode> parse_sink_mode(std::string_view text);
std::optional<MirrorBody> parse_mirror_body(std::string_view text);
std::optional<MirrorDeletes> parse_mirror_deletes(std::string_view text);

}  // namespace ks3::server

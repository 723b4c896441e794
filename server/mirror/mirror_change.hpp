// What one record asks of a mirrored bucket (mode: mirror): write a document's object, delete
// it, or nothing. Made by MirrorChangeReader (change_reader.hpp), applied by MirrorPlanner.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ks3::server {

enum class MirrorChangeKind {
  upsert,  // a create, update or snapshot read: the object holds the new body
  remove,  // a delete (`__deleted`, Debezium op d, a tombstone)
  none,    // nothing to do (e.g. a Debezium truncate): the record is consumed
};

struct MirrorChange {
  MirrorChangeKind kind = MirrorChangeKind::none;
  // The record key (nullopt for a null key: such documents are not tracked in the key map).
  std::optional<std::string> record_key;
  // upsert: the document's object key. remove: the key rendered from the record, or "" when the
  // record cannot name it (a tombstone under a template that reads the value).
  std::string object_key;
  // upsert: the object's bytes (compressed when mirror.compression is gzip).
  std::shared_ptr<const std::string> body;
};

}  // namespace ks3::server

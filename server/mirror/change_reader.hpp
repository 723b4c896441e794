// Reads what a record asks of a mirrored bucket (mode: mirror): the change (upsert, remove or
// none), the document's object key (mirror.key_template) and the object's bytes (mirror.body,
// mirror.compression). Pure: no I/O, deterministic (a replay yields the same bytes).
//
//   - A tombstone, `"__deleted": "true"`, `__op: d` or a Debezium envelope with op d is a
//     remove (record/debezium.hpp); a truncate (op t) changes nothing here; everything else
//     (create, update, snapshot read, plain JSON) is an upsert.
//   - The object key renders from the record like a log key template (keys/key_template.hpp);
//     a tombstone has no value, so under a template that reads the value its object is found
//     through the planner's key map instead (object_key "").
//   - body document: the JSON at mirror.document_field (an object or array as written in the
//     record; a string holding JSON, as Debezium's io.debezium.data.Json, is unwrapped); value:
//     the value (valid JSON) as it is; envelope: the JSON lines envelope (format.fields).
#pragma once

#include <simdjson.h>

#include <string>
#include <variant>

#include "server/config/config.hpp"
#include "server/format/record_encoder.hpp"
#include "server/keys/key_template.hpp"
#include "server/mirror/mirror_change.hpp"
#include "server/record/debezium.hpp"
#include "server/record/json_path.hpp"

namespace ks3::server {

// A record the mirror cannot write (bad_records.policy decides): the message names the record
// (topic/partition/offset) and what is wrong.
struct MirrorBadRecord {
  std::string message;
};

class MirrorChangeReader {
 public:
  // `config` must be valid (load_config checked it).
  explicit MirrorChangeReader(const SinkConfig& config);

  std::variant<MirrorChange, MirrorBadRecord> read(const RecordView& record);

  // The dead-letter object of a bad record (bad_records.policy: dead_letter): a unique key under
  // bad_records.dead_letter_prefix, holding the lossless dead-letter line (format/).
  MirrorChange dead_letter(const RecordView& record, std::string_view reason);

  // Content-Type and Content-Encoding of every object ("" when not compressed).
  const std::string& content_type() const { return content_type_; }
  const std::string& content_encoding() const { return content_encoding_; }

 private:
  // The bytes of the document field; false (with `error`) when there is none.
  bool document_of(std::string_view value, std::string& out, std::string& error);
  std::shared_ptr<const std::string> finish_body(std::string bytes) const;

  MirrorBody body_;
  Compression compression_;
  KeyTemplate key_template_;
  KeyTemplate dead_letter_template_;
  RecordEncoder encoder_;
  ChangeDetector detector_;
  JsonReader json_;
  std::optional<JsonPath> document_field_;
  simdjson::ondemand::parser parser_;
  simdjson::padded_string padded_;
  std::string content_type_ = "application/json";
  std::string content_encoding_;
};

}  // namespace ks3::server

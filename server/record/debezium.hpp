// Recognising Debezium change events, so the envelope can carry the operation (an `op` field).
//
// Debezium writes one of these shapes (https://debezium.io/documentation/reference/stable/
// transformations/event-flattening.html):
//   - the change event envelope: {"before":..., "after":..., "source":{...}, "op":"c", ...}, or
//     the same under "payload" when the JSON converter embeds schemas ({"schema":..,"payload":..});
//     "op" is c (create), u (update), d (delete), r (read: snapshot), t (truncate);
//   - the ExtractNewRecordState SMT output: the row's fields, plus "__deleted":"true" for a
//     delete when delete.handling.mode=rewrite (as the Ed-Fi DMS connector does), and "__op"
//     when add.fields=op;
//   - a tombstone (null value) after a delete, for log compaction.
#pragma once

#include <string_view>

#include "server/record/json_path.hpp"
#include "server/record/record.hpp"

namespace ks3::server {

enum class ChangeOp { none, create, update, remove, read, truncate };

// "c", "u", "d", "r", "t"; "" for none.
std::string_view change_op_letter(ChangeOp op);

class ChangeDetector {
 public:
  ChangeDetector();

  // The operation a record stands for: a tombstone is a delete; `__deleted` true wins over
  // everything else; then `__op`; then the envelope's `op` (top level or under `payload`, only
  // when a `source`, `before` or `after` field marks it as a Debezium envelope). Anything else:
  // none. Reloads `json` with the record's value.
  ChangeOp detect(const RecordView& record, JsonReader& json) const;

 private:
  JsonPath deleted_, flat_op_, op_, source_, before_, after_;
  JsonPath payload_op_, payload_source_, payload_before_, payload_after_;
};

}  // namespace ks3::server

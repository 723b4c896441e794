#include "server/record/debezium.hpp"

#include <optional>
#include <string>

namespace ks3::server {
namespace {

JsonPath must_parse(std::string_view dotted) {
  return *JsonPath::parse(dotted);
}

ChangeOp op_from_letter(const std::optional<std::string>& letter) {
  if (!letter || letter->size() != 1) return ChangeOp::none;
  switch ((*letter)[0]) {
    case 'c':
      return ChangeOp::create;
    case 'u':
      return ChangeOp::update;
    case 'd':
      return ChangeOp::remove;
    case 'r':
      return ChangeOp::read;
    case 't':
      return ChangeOp::truncate;
    default:
      return ChangeOp::none;
  }
}

}  // namespace

std::string_view change_op_letter(ChangeOp op) {
  switch (op) {
    case ChangeOp::create:
      return "c";
    case ChangeOp::update:
      return "u";
    case ChangeOp::remove:
      return "d";
    case ChangeOp::read:
      return "r";
    case ChangeOp::truncate:
      return "t";
    case ChangeOp::none:
      break;
  }
  return "";
}

ChangeDetector::ChangeDetector()
    : deleted_(must_parse("__deleted")),
      flat_op_(must_parse("__op")),
      op_(must_parse("op")),
      source_(must_parse("source")),
      before_(must_parse("before")),
      after_(must_parse("after")),
      payload_op_(must_parse("payload.op")),
      payload_source_(must_parse("payload.source")),
      payload_before_(must_parse("payload.before")),
      payload_after_(must_parse("payload.after")) {}

ChangeOp ChangeDetector::detect(const RecordView& record, JsonReader& json) const {
  if (!record.value) return ChangeOp::remove;  // a tombstone follows a delete
  if (!json.load(*record.value)) return ChangeOp::none;
  // ExtractNewRecordState writes "__deleted" as the string "true"/"false"; a boolean is accepted.
  if (json.extract(deleted_) == "true") return ChangeOp::remove;
  if (ChangeOp op = op_from_letter(json.extract(flat_op_)); op != ChangeOp::none) return op;
  if (ChangeOp op = op_from_letter(json.extract(op_)); op != ChangeOp::none) {
    if (json.exists(source_) || json.exists(after_) || json.exists(before_)) return op;
  }
  if (ChangeOp op = op_from_letter(json.extract(payload_op_)); op != ChangeOp::none) {
    if (json.exists(payload_source_) || json.exists(payload_after_) ||
        json.exists(payload_before_)) {
      return op;
    }
  }
  return ChangeOp::none;
}

}  // namespace ks3::server

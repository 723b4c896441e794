#include "server/mirror/change_reader.hpp"

namespace ks3::server {
namespace {

EncoderOptions envelope_options(const SinkConfig& config) {
  EncoderOptions options = config.format;
  options.format = OutputFormat::jsonl;
  return options;
}

KeyTemplate mirror_dead_letter_template(const SinkConfig& config) {
  KeyTemplateOptions options;
  options.prefix =
      folder_prefix(config.s3.prefix) + folder_prefix(config.bad_records.dead_letter_prefix);
  options.extension = ".jsonl";  // Content-Encoding says when it is gzip
  options.missing_default = config.key_default;
  return KeyTemplate::parse(kDefaultKeyTemplate, std::move(options));
}

}  // namespace

MirrorChangeReader::MirrorChangeReader(const SinkConfig& config)
    : body_(config.mirror.body),
      compression_(config.mirror.compression),
      key_template_(config.mirror_key_template()),
      dead_letter_template_(mirror_dead_letter_template(config)),
      encoder_(envelope_options(config)),
      document_field_(JsonPath::parse(config.mirror.document_field)) {
  if (compression_ == Compression::gzip) content_encoding_ = "gzip";
}

std::shared_ptr<const std::string> MirrorChangeReader::finish_body(std::string bytes) const {
  if (compression_ == Compression::none) {
    return std::make_shared<const std::string>(std::move(bytes));
  }
  // One gzip member with MTIME 0 (format/compressor.hpp): the same document, the same bytes.
  auto compressor = make_compressor(compression_, default_compression_level(compression_));
  std::string out;
  compressor->write(bytes, out);
  compressor->finish(out);
  return std::make_shared<const std::string>(std::move(out));
}

bool MirrorChangeReader::document_of(std::string_view value, std::string& out, std::string& error) {
  padded_ = simdjson::padded_string(value);
  simdjson::ondemand::document doc;
  if (parser_.iterate(padded_).get(doc) != simdjson::SUCCESS) {
    error = "the value is not JSON";
    return false;
  }
  simdjson::ondemand::value field;
  if (doc.at_pointer(document_field_->pointer()).get(field) != simdjson::SUCCESS) {
    error = "the value has no field '" + document_field_->dotted() + "' (mirror.document_field)";
    return false;
  }
  simdjson::ondemand::json_type type;
  if (field.type().get(type) != simdjson::SUCCESS) {
    error = "the field '" + document_field_->dotted() + "' is not valid JSON";
    return false;
  }
  std::string_view raw;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (field.get_object().get(object) != simdjson::SUCCESS ||
          object.raw_json().get(raw) != simdjson::SUCCESS) {
        raw = {};
      }
      break;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (field.get_array().get(array) != simdjson::SUCCESS ||
          array.raw_json().get(raw) != simdjson::SUCCESS) {
        raw = {};
      }
      break;
    }
    case simdjson::ondemand::json_type::string: {
      // Debezium's io.debezium.data.Json (a PostgreSQL jsonb column) arrives as a string.
      std::string_view text;
      if (field.get_string().get(text) == simdjson::SUCCESS) {
        std::string copy(text);  // the parser's string buffer is reused by is_valid
        if (json_.is_valid(copy)) {
          out = std::move(copy);
          return true;
        }
      }
      error = "the field '" + document_field_->dotted() + "' is a string that is not JSON";
      return false;
    }
    default:
      error = "the field '" + document_field_->dotted() +
              "' is not a JSON object, array or string holding JSON";
      return false;
  }
  if (raw.empty() || !json_.is_valid(raw)) {
    error = "the field '" + document_field_->dotted() + "' is not valid JSON";
    return false;
  }
  out.assign(raw);
  return true;
}

std::variant<MirrorChange, MirrorBadRecord> MirrorChangeReader::read(const RecordView& record) {
  MirrorChange change;
  if (record.key) change.record_key = std::string(*record.key);
  const ChangeOp op = detector_.detect(record, json_);
  if (op == ChangeOp::truncate) return change;  // kind none
  if (op == ChangeOp::remove) {
    change.kind = MirrorChangeKind::remove;
    // A tombstone cannot render {{value....}} fields: the key map knows its object.
    if (record.value || !key_template_.reads_value()) {
      change.object_key = key_template_.render_group(record, json_);
    }
    return change;
  }
  change.kind = MirrorChangeKind::upsert;
  change.object_key = key_template_.render_group(record, json_);
  const std::string_view value = *record.value;  // not a tombstone: those are removes
  std::string bytes;
  std::string error;
  switch (body_) {
    case MirrorBody::document:
      if (!document_of(value, bytes, error)) {
        return MirrorBadRecord{"record " + record_position(record) + ": " + error};
      }
      break;
    case MirrorBody::value:
      if (!json_.is_valid(value)) {
        return MirrorBadRecord{"record " + record_position(record) +
                               ": the value is not valid JSON (mirror.body: value)"};
      }
      bytes.assign(value);
      break;
    case MirrorBody::envelope:
      if (auto failed = encoder_.encode(record, op, json_, bytes)) {
        return MirrorBadRecord{*failed};
      }
      break;
  }
  change.body = finish_body(std::move(bytes));
  return change;
}

MirrorChange MirrorChangeReader::dead_letter(const RecordView& record, std::string_view reason) {
  MirrorChange change;
  change.kind = MirrorChangeKind::upsert;  // no record key: never tracked as a document
  change.object_key =
      KeyTemplate::object_key(dead_letter_template_.render_group(record, json_), record.offset);
  std::string bytes;
  encode_dead_letter(record, reason, bytes);
  change.body = finish_body(std::move(bytes));
  return change;
}

}  // namespace ks3::server

#include "server/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <thread>

#include "kafka/consumer_config.hpp"  // the prefetch default (a constant: no link to ks3_kafka)
#include "server/config/config_schema.hpp"

namespace ks3::server {
namespace {

std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string text = "invalid configuration:";
  for (const ConfigIssue& issue : issues) text += "\n  " + issue.key + ": " + issue.message;
  return text;
}

void emit_value(YAML::Emitter& out, const RawValue& value) {
  switch (value.kind) {
    case RawValue::Kind::scalar:
      out << YAML::DoubleQuoted << value.scalar;
      break;
    case RawValue::Kind::list:
      out << YAML::Flow << YAML::BeginSeq;
      for (const std::string& item : value.list) out << YAML::DoubleQuoted << item;
      out << YAML::EndSeq;
      break;
    case RawValue::Kind::map:
      out << YAML::BeginMap;
      for (const auto& [name, text] : value.map) {
        out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << text;
      }
      out << YAML::EndMap;
      break;
  }
}

RawValue shown_value(const KeySpec& key, const SinkConfig& config) {
  RawValue value = key.get(config);
  if (key.secret && !value.scalar.empty()) value.scalar = "***";
  if (key.path == "s3.access_key_id" && value.scalar.size() > 8) {
    value.scalar = value.scalar.substr(0, 4) + "..." + value.scalar.substr(value.scalar.size() - 4);
  }
  return value;
}

}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

std::uint64_t kafka_prefetch_bytes(const KafkaSettings& kafka) {
  std::uint64_t kib = kafka::kDefaultQueuedMaxMessagesKiB;
  if (auto given = kafka.properties.find("queued.max.messages.kbytes");
      given != kafka.properties.end()) {
    // Not a number: librdkafka refuses it at start with its own message; keep the default here.
    std::uint64_t parsed = 0;
    const auto& text = given->second;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc{} && end == text.data() + text.size()) kib = parsed;
  }
  return kib * 1024;
}

std::uint64_t reserved_memory_bytes(const SinkConfig& config) {
  std::uint64_t reserved = kafka_prefetch_bytes(config.kafka);
  if (config.bad_records.policy == BadRecordPolicy::dead_letter &&
      !config.bad_records.dead_letter_topic.empty()) {
    reserved += kDeadLetterQueueKiB * 1024;
  }
  return reserved;
}

std::uint32_t default_pipeline_workers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

RotationOptions SinkConfig::default_rotation() {
  RotationOptions rotation;
  rotation.max_bytes = 64ULL << 20;
  rotation.idle_flush = std::chrono::seconds(30);
  rotation.max_open = std::chrono::minutes(10);
  return rotation;
}

KeyTemplate SinkConfig::object_key_template() const {
  KeyTemplateOptions options;
  options.prefix = folder_prefix(s3.prefix);
  // Parquet compresses its pages, not the object: no compression extension.
  options.extension =
      std::string(RecordEncoder(format).extension()) +
      std::string(format.format == OutputFormat::parquet || format.format == OutputFormat::avro
                      ? std::string_view()
                      : compression_extension(compression.type));
  options.missing_default = key_default;
  return KeyTemplate::parse(key_template, std::move(options));
}

KeyTemplate SinkConfig::mirror_key_template() const {
  KeyTemplateOptions options;
  options.prefix = folder_prefix(s3.prefix);
  options.missing_default = key_default;
  options.require_offset = false;  // one object per document, replaced in place
  return KeyTemplate::parse(mirror.key_template, std::move(options));
}

KeyTemplate SinkConfig::dead_letter_key_template() const {
  KeyTemplateOptions options;
  options.prefix = folder_prefix(s3.prefix) + folder_prefix(bad_records.dead_letter_prefix);
  options.extension = ".jsonl" + std::string(compression_extension(compression.type));
  options.missing_default = key_default;
  return KeyTemplate::parse(kDefaultKeyTemplate, std::move(options));
}

RotationOptions effective_rotation(const SinkConfig& config) {
  RotationOptions rotation = config.rotation;
  const std::uint64_t cap = config.s3.part_size * 9000;
  if (rotation.max_bytes == 0 || rotation.max_bytes > cap) rotation.max_bytes = cap;
  return rotation;
}

std::string_view to_string(TombstonePolicy policy) {
  switch (policy) {
    case TombstonePolicy::ignore:
      return "ignore";
    case TombstonePolicy::write:
      return "write";
    case TombstonePolicy::fail:
      return "fail";
  }
  return "?";
}

std::string_view to_string(BadRecordPolicy policy) {
  switch (policy) {
    case BadRecordPolicy::fail:
      return "fail";
    case BadRecordPolicy::skip:
      return "skip";
    case BadRecordPolicy::dead_letter:
      return "dead_letter";
  }
  return "?";
}

std::string_view to_string(InputFormat input) {
  return input == InputFormat::avro ? "avro" : "json";
}

std::string_view to_string(KeyInput input) {
  return input == KeyInput::avro ? "avro" : "bytes";
}

std::string effective_config_yaml(const SinkConfig& config) {
  // Canonical paths have at most two levels ("s3.bucket", "key_template"): group by section.
  YAML::Emitter out;
  out << YAML::Comment("effective configuration (secrets shown as ***)");
  out << YAML::BeginMap;
  std::string open_section;
  for (const KeySpec& key : config_keys()) {
    std::size_t dot = key.path.find('.');
    std::string section = dot == std::string::npos ? "" : key.path.substr(0, dot);
    std::string name = dot == std::string::npos ? key.path : key.path.substr(dot + 1);
    if (section != open_section) {
      if (!open_section.empty()) out << YAML::EndMap;
      if (!section.empty()) out << YAML::Key << section << YAML::Value << YAML::BeginMap;
      open_section = section;
    }
    out << YAML::Key << name << YAML::Value;
    emit_value(out, shown_value(key, config));
  }
  if (!open_section.empty()) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string example_object_key(const SinkConfig& config) {
  // A regex subscription names no topic: a key-safe placeholder is rendered, then shown as
  // <topic>.
  constexpr std::string_view kPlaceholder = "KS3EXAMPLETOPIC";
  const bool by_regex = config.kafka.topics.empty();
  RecordView record;
  record.topic = by_regex ? kPlaceholder : std::string_view(config.kafka.topics.front());
  record.partition = 0;
  record.offset = 0;
  record.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  record.value = "{}";
  JsonReader json;
  // mode: mirror names documents (mirror.key_template), not batches of records.
  std::string key =
      config.mode == SinkMode::mirror
          ? config.mirror_key_template().render_group(record, json)
          : KeyTemplate::object_key(config.object_key_template().render_group(record, json),
                                    record.offset);
  for (std::size_t at; by_regex && (at = key.find(kPlaceholder)) != std::string::npos;) {
    key.replace(at, kPlaceholder.size(), "<topic>");
  }
  return key;
}

std::string example_key_comment(const SinkConfig& config) {
  std::string topic = config.kafka.topics.empty() ? "<topic> (a topic kafka.topics_regex matches)"
                                                  : config.kafka.topics.front();
  return "# example object key (a record of topic " + topic +
         ", partition 0, offset 0, time now; fields from the key or value take key_default): "
         "s3://" +
         config.s3.client.bucket + "/" + example_object_key(config) + "\n";
}

}  // namespace ks3::server

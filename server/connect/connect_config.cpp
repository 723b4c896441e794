#include "server/connect/connect_config.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>

#include "server/connect/time_path.hpp"
#include "server/connect/yaml_out.hpp"

namespace ks3::server {
namespace {

using connect::yaml_list;
using connect::yaml_quote;
using connect::YamlOut;

constexpr std::string_view kConfluentClass = "io.confluent.connect.s3.S3SinkConnector";
constexpr std::string_view kAivenClass =
    "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector";

enum class Connector { confluent, aiven };
// avro: Confluent's AvroConverter (format.input avro); registry: other Schema Registry
// converters (Protobuf, JSON Schema, Apicurio's), whose input is not supported.
enum class ConverterKind { absent, json, string, bytes, avro, registry, other };

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    std::size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::optional<std::int64_t> to_int(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::string simple_name(std::string_view class_name) {
  std::size_t dot = class_name.rfind('.');
  return std::string(dot == std::string_view::npos ? class_name : class_name.substr(dot + 1));
}

// A duration as the configuration loader reads it: 1h, 10m, 30s, 1500ms.
std::string duration_text(std::int64_t ms) {
  constexpr std::pair<std::int64_t, std::string_view> kUnits[] = {
      {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (auto [unit, suffix] : kUnits) {
    if (ms % unit == 0) return std::to_string(ms / unit) + std::string(suffix);
  }
  return std::to_string(ms) + "ms";
}

std::string size_text(std::int64_t bytes) {
  constexpr std::pair<std::int64_t, std::string_view> kUnits[] = {
      {1LL << 30, "GiB"}, {1LL << 20, "MiB"}, {1LL << 10, "KiB"}};
  for (auto [unit, suffix] : kUnits) {
    if (bytes % unit == 0) return std::to_string(bytes / unit) + std::string(suffix);
  }
  return std::to_string(bytes);
}

bool is_utc(std::string_view zone) {
  for (std::string_view utc : {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "UCT", "Etc/UCT",
                               "Universal", "Etc/Universal", "GMT0", "UTC0", "Etc/GMT0"}) {
    if (zone == utc) return true;
  }
  return false;
}

// "scheme://user:password@host/..." -> "scheme://***@host/...".
std::string redact_url_userinfo(std::string value) {
  std::size_t scheme = value.find("://");
  if (scheme == std::string::npos) return value;
  std::size_t host = scheme + 3;
  std::size_t end = value.find_first_of("/?#", host);
  std::size_t at = value.rfind('@', end == std::string::npos ? value.size() : end);
  if (at == std::string::npos || at < host) return value;
  return value.substr(0, host) + "***" + value.substr(at);
}

ConverterKind converter_kind(const std::string* class_name) {
  if (!class_name || trim(*class_name).empty()) return ConverterKind::absent;
  std::string name = simple_name(trim(*class_name));
  if (name == "JsonConverter" && class_name->starts_with("org.apache.kafka.connect.json")) {
    return ConverterKind::json;
  }
  if (name == "StringConverter") return ConverterKind::string;
  if (name == "ByteArrayConverter") return ConverterKind::bytes;
  if (name == "AvroConverter" && class_name->starts_with("io.confluent.connect.avro.")) {
    return ConverterKind::avro;
  }
  if (name == "AvroConverter" || name == "ProtobufConverter" || name == "JsonSchemaConverter" ||
      class_name->find("apicurio") != std::string::npos) {
    return ConverterKind::registry;
  }
  return ConverterKind::other;
}

// Settings without an equivalent, by name or name prefix, and why.
struct Reason {
  std::string_view prefix;
  std::string_view why;
};
constexpr Reason kReasons[] = {
    {"tasks.max",
     "one process reads every partition assigned to it; for more throughput run more "
     "instances with the same kafka.group_id"},
    {"transforms",
     "single message transforms are not supported: records are written as they are in Kafka"},
    {"predicates", "single message transform predicates are not supported"},
    {"s3.sse",
     "no equivalent: this sink encrypts with s3.sse AES256, aws:kms or aws:kms:dsse (and "
     "s3.sse_kms_key_id), not with customer-provided keys (SSE-C)"},
    {"s3.acl.canned", "canned ACLs are not supported yet (objects get the bucket's default)"},
    {"s3.object.", "no equivalent: tags are sent with the upload (s3.tags)"},
    {"s3.storage.class",
     "not a setting of the Confluent or Aiven S3 sink; this sink's is s3.storage_class"},
    {"aws.s3.storage.class",
     "not a setting of the Confluent or Aiven S3 sink; this sink's is s3.storage_class"},
    {"s3.proxy", "HTTP proxies for S3 are not supported"},
    {"s3.wan.mode", "S3 Transfer Acceleration is not supported"},
    {"s3.http.send.expect.continue", "no equivalent: this sink does not send Expect: 100-continue"},
    {"s3.elastic.buffer",
     "no equivalent: buffers are bounded by memory.high_watermark and s3.part_size"},
    {"s3.credentials.provider",
     "credentials come from the AWS chain (environment, web identity, profile); see README "
     "\"S3 settings and credentials\""},
    {"aws.sts",
     "STS AssumeRole is not supported (web identity is: AWS_ROLE_ARN and "
     "AWS_WEB_IDENTITY_TOKEN_FILE)"},
    {"schema.generator.class", "Hive schema generation is not supported"},
    {"hive.", "Hive integration is not supported"},
    {"avro.codec", "used with format.class AvroFormat only (the connector ignored it too)"},
    {"parquet.codec", "used with format.class ParquetFormat only (the connector ignored it too)"},
    {"enhanced.avro.schema.support",
     "no effect: Avro objects here carry the writer schema as the registry has it"},
    {"connect.meta.data",
     "no effect: Avro objects here carry the writer schema as the registry has it"},
    {"avro.", "no equivalent: Avro objects carry the writer schema as the registry has it"},
    {"parquet.", "no equivalent (the row group size is parquet.row_group_bytes)"},
    {"store.kafka.keys",
     "separate key and header objects are not supported; format.fields puts "
     "keys and headers into the same objects"},
    {"store.kafka.headers",
     "separate key and header objects are not supported; format.fields "
     "puts keys and headers into the same objects"},
    {"keys.format.class", "separate key objects are not supported"},
    {"headers.format.class", "separate header objects are not supported"},
    {"format.bytearray.extension", "the extension is fixed: .bin (plus the compression's)"},
    {"header.converter", "headers are written as text (format.fields: headers); no converter"},
    {"producer.override.",
     "the dead-letter producer takes the connection and security settings of kafka.properties; "
     "other producer settings are not configurable"},
    {"admin.override.", "the sink needs no Kafka admin client"},
    {"config.action.reload", "a Connect runtime setting; nothing to map"},
    {"retry.backoff.ms", "S3 retries are s3.max_attempts, s3.retry_base_delay, s3.retry_max_delay"},
    {"kafka.retry.backoff.ms",
     "S3 retries are s3.max_attempts, s3.retry_base_delay, s3.retry_max_delay"},
    {"aws.s3.backoff", "S3 retries are s3.max_attempts, s3.retry_base_delay, s3.retry_max_delay"},
    {"aws.s3.retry.backoff",
     "S3 retries are s3.max_attempts, s3.retry_base_delay, s3.retry_max_delay"},
    {"errors.log.", "bad records are always logged (topic, partition, offset and the reason)"},
    {"errors.retry.", "Connect's retries of failed conversions; nothing is converted here"},
    {"errors.deadletterqueue.",
     "the sink does not create the dead-letter topic (create it with the replication factor "
     "you want) and always adds the __connect.errors.* context headers"},
};

bool matches_prefix(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return false;
  return name.size() == prefix.size() || prefix.back() == '.' || name[prefix.size()] == '.';
}

std::string reason_for(std::string_view name) {
  for (const Reason& reason : kReasons) {
    if (matches_prefix(name, reason.prefix)) return std::string(reason.why);
  }
  return "no equivalent in kafka-s3-sink";
}

// Java consumer properties that librdkafka takes under the same name with the same values.
constexpr std::string_view kSameConsumerProperties[] = {
    "auto.offset.reset",         "security.protocol",    "sasl.mechanism",  "session.timeout.ms",
    "heartbeat.interval.ms",     "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes",
    "max.partition.fetch.bytes", "isolation.level",      "client.id",       "client.rack",
};

// A field name for {{value.<path>}}: dot-separated names of safe characters.
bool is_plain_field_path(std::string_view path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  if (path.find("..") != std::string_view::npos) return false;
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool is_plain_literal(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '{' || c == '}';
  });
}

class Converter {
 public:
  Converter(std::vector<std::pair<std::string, std::string>> settings, std::string name)
      : settings_(std::move(settings)), name_(std::move(name)) {}

  ConnectConversion run();

 private:
  const std::string* find(std::string_view name) const {
    for (const auto& [key, value] : settings_) {
      if (key == name) return &value;
    }
    return nullptr;
  }
  bool handled(std::string_view name) const { return reasons_.count(std::string(name)) > 0; }
  // The value of a setting that is mapped (or has no effect): it is not listed as unmapped.
  std::optional<std::string> take(std::string_view name) {
    const std::string* value = find(name);
    if (!value) return std::nullopt;
    reasons_.emplace(std::string(name), std::string());
    return *value;
  }
  // The first of several names (Aiven's current and deprecated ones) that is set.
  std::optional<std::string> take_any(std::initializer_list<std::string_view> names) {
    std::optional<std::string> found;
    for (std::string_view name : names) {
      std::optional<std::string> value = take(name);
      if (value && !found) found = value;
    }
    return found;
  }
  void unmapped(std::string_view name, std::string why) {
    if (find(name)) reasons_[std::string(name)] = std::move(why);
  }
  void unmapped_prefix(std::string_view prefix, const std::string& why) {
    for (const auto& [key, value] : settings_) {
      if (key.starts_with(prefix) && !handled(key)) reasons_[key] = why;
    }
  }
  void consume_prefix(std::string_view prefix) {
    for (const auto& [key, value] : settings_) {
      if (key.starts_with(prefix) && !handled(key)) reasons_[key] = std::string();
    }
  }
  void warn(std::string text) { warnings_.push_back(std::move(text)); }
  static std::string from(std::string_view name) { return "from " + std::string(name); }

  // s3.endpoint from a URL; user info (credentials) is dropped: the loader refuses it.
  void set_endpoint(std::string_view name, const std::string& url) {
    std::string redacted = redact_url_userinfo(url);
    std::string endpoint = redacted;
    if (std::size_t at = redacted.find("***@"); at != std::string::npos && redacted != url) {
      endpoint = redacted.substr(0, at) + redacted.substr(at + 4);
      warn(std::string(name) +
           " carries user info: dropped from s3.endpoint (credentials go in "
           "the environment)");
    }
    yaml_.set("s3.endpoint", yaml_quote(endpoint), from(name));
  }
  void detect_connector();
  void kafka();
  void credentials();
  void errors();
  void confluent();
  void confluent_format(std::string& connector_extension);
  // format.class AvroFormat (with Avro input), ParquetFormat: the format and its codec.
  void confluent_avro_format(std::string& connector_extension);
  void confluent_parquet_format(std::string& connector_extension, ConverterKind value_kind);
  // value.converter AvroConverter: format.input avro and the schema_registry keys from its
  // settings (credentials never copied).
  void registry_input(const std::string& prefix);
  // schema.compatibility: NONE is this sink's schema_change cut; the others differ.
  void schema_compatibility();
  std::string confluent_partition_path(const std::string& dir);
  void aiven();
  // Server-side encryption and tags: Confluent's s3.ssea.name, s3.sse.kms.key.id,
  // s3.object.tagging(.key.value.pairs); Aiven's aws.s3.sse.algorithm. (Neither connector has a
  // storage class or metadata setting.)
  void object_settings();
  void set_sse(std::string_view name, std::string_view algorithm);
  std::optional<std::string> aiven_template(std::string_view text, bool& unpadded_offset,
                                            bool& has_timestamp, bool& has_key);
  // The encoding of one side ("key" or "value") from its converter, when the side is written.
  void converter(std::string_view side, bool written, bool confluent_json);
  std::string our_extension() const;

  std::vector<std::pair<std::string, std::string>> settings_;
  std::string name_;
  std::string class_name_;
  Connector connector_ = Connector::confluent;
  std::map<std::string, std::string> reasons_;  // handled settings: "" mapped, else why not
  YamlOut yaml_;
  std::vector<std::string> warnings_;
  std::string format_ = "jsonl";
  std::string compression_ = "gzip";
  bool avro_input_ = false;  // value.converter AvroConverter: format.input avro
};

void Converter::detect_connector() {
  std::optional<std::string> cls = take("connector.class");
  if (!cls || trim(*cls).empty()) {
    throw ConnectConfigError("connector.class is missing: expected " +
                             std::string(kConfluentClass) + " or " + std::string(kAivenClass));
  }
  std::string name(trim(*cls));
  if (name == kConfluentClass || name == "S3SinkConnector" || name == "S3Sink") {
    connector_ = Connector::confluent;
    class_name_ = std::string(kConfluentClass);
  } else if (name == kAivenClass || name == "AivenKafkaConnectS3SinkConnector" ||
             name == "AivenKafkaConnectS3Sink") {
    connector_ = Connector::aiven;
    class_name_ = std::string(kAivenClass);
  } else {
    throw ConnectConfigError("connector.class '" + name +
                             "' is not an S3 sink connector this converter knows; supported: " +
                             std::string(kConfluentClass) + " (Confluent) and " +
                             std::string(kAivenClass) + " (Aiven)");
  }
}

void Converter::kafka() {
  if (std::optional<std::string> group = take("consumer.override.group.id")) {
    yaml_.set("kafka.group_id", yaml_quote(*group), from("consumer.override.group.id"));
  } else if (!name_.empty()) {
    yaml_.set("kafka.group_id", yaml_quote("connect-" + name_),
              "from name: the connector's consumer group, so the sink continues from its "
              "committed offsets");
    warn("kafka.group_id is the connector's consumer group (connect-" + name_ +
         "): stop and delete the connector before starting the sink, or both consume the "
         "same partitions");
  } else {
    warn(
        "the config has no connector name: kafka.group_id stays kafka-s3-sink, a new group "
        "that starts at the earliest offsets (auto.offset.reset earliest)");
  }
  take("name");

  std::optional<std::string> topics = take("topics");
  std::optional<std::string> regex = take("topics.regex");
  if (topics && !split_list(*topics).empty()) {
    yaml_.set("kafka.topics", yaml_list(split_list(*topics)), from("topics"));
  }
  if (regex && !trim(*regex).empty()) {
    std::string pattern(trim(*regex));
    if (!pattern.ends_with('$')) pattern += '$';
    yaml_.set("kafka.topics_regex", yaml_quote(pattern),
              "from topics.regex; Connect matches whole topic names, hence the $");
  }
  if (!yaml_.has("kafka.topics") && !yaml_.has("kafka.topics_regex")) {
    warn("neither topics nor topics.regex is set: add kafka.topics");
  }

  if (std::optional<std::string> servers = take("consumer.override.bootstrap.servers")) {
    yaml_.set("kafka.bootstrap_servers", yaml_quote(*servers),
              from("consumer.override.bootstrap.servers"));
  } else {
    yaml_.note("kafka.bootstrap_servers",
               "bootstrap_servers: set it to the Connect worker's bootstrap.servers (a "
               "connector config does not name the brokers)");
    warn(
        "set kafka.bootstrap_servers (and TLS/SASL under kafka.properties) to what the "
        "Connect worker used: a connector config does not name the brokers");
  }
  constexpr std::string_view kOverride = "consumer.override.";
  for (const auto& [key, value] : settings_) {
    if (!key.starts_with(kOverride) || handled(key)) continue;
    std::string property = key.substr(kOverride.size());
    if (std::find(std::begin(kSameConsumerProperties), std::end(kSameConsumerProperties),
                  property) != std::end(kSameConsumerProperties)) {
      take(key);
      yaml_.set("kafka.properties." + property, yaml_quote(value), from(key));
    } else {
      reasons_[key] =
          "a Java consumer property without the same name in librdkafka: set its librdkafka "
          "equivalent under kafka.properties";
    }
  }
}

void Converter::credentials() {
  bool any = false;
  for (std::string_view name : {"aws.access.key.id", "aws.secret.access.key", "aws_access_key_id",
                                "aws_secret_access_key"}) {
    any |= take(name).has_value();
  }
  if (!any) return;
  yaml_.note("s3.access_key_id",
             "credentials are not copied from the connector config: export AWS_ACCESS_KEY_ID "
             "and AWS_SECRET_ACCESS_KEY (or KAFKA_S3_SINK_S3__ACCESS_KEY_ID and "
             "KAFKA_S3_SINK_S3__SECRET_ACCESS_KEY), or use web identity or a profile");
  warn(
      "the connector's AWS access key is not copied into the YAML: provide it as the "
      "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or use web identity "
      "or a profile)");
}

void Converter::errors() {
  std::string tolerance = take("errors.tolerance").value_or("none");
  std::optional<std::string> dlq = take("errors.deadletterqueue.topic.name");
  bool has_dlq = dlq && !trim(*dlq).empty();
  if (tolerance == "all") {
    if (has_dlq) {
      yaml_.set("bad_records.policy", "dead_letter",
                "from errors.tolerance all + errors.deadletterqueue.topic.name");
      yaml_.set("bad_records.dead_letter_topic", std::string(trim(*dlq)),
                from("errors.deadletterqueue.topic.name"));
      // The sink always adds Connect's context headers (__connect.errors.topic, .partition,
      // .offset, .exception.message): tooling reading them keeps working.
      if (std::optional<std::string> headers =
              take("errors.deadletterqueue.context.headers.enable");
          headers && *headers != "true") {
        warn(
            "errors.deadletterqueue.context.headers.enable is false: the sink adds the "
            "__connect.errors.* context headers to every dead letter anyway");
      }
    } else {
      yaml_.set("bad_records.policy", "skip", from("errors.tolerance all"));
    }
    warn(std::string("errors.tolerance all: here a bad record is ") +
         (avro_input_ ? "a value that is not Confluent-framed Avro of a schema the registry "
                        "knows, or does not decode with it"
                      : "a value that must be JSON and is not") +
         "; it is " +
         std::string(has_dlq ? "produced to the dead-letter topic " + std::string(trim(*dlq)) +
                                   " (key, value and headers as they were, plus "
                                   "__connect.errors.* headers)"
                             : "skipped") +
         " and counted in kafka_s3_sink_records_" +
         std::string(has_dlq ? "dead_lettered" : "skipped") + "_total");
  } else if (tolerance == "none") {
    yaml_.set("bad_records.policy", "fail", "from errors.tolerance none (Connect's default)");
    if (has_dlq) {
      unmapped("errors.deadletterqueue.topic.name",
               "Connect ignores it with errors.tolerance none; so does this config");
    }
  } else {
    unmapped("errors.tolerance", "not none or all");
  }
}

// The side's encoding from its converter. Confluent's JsonFormat writes what the converter
// produced as JSON: bytes as base64 strings, strings as JSON strings.
void Converter::converter(std::string_view side, bool written, bool confluent_json) {
  std::string name = std::string(side) + ".converter";
  std::string prefix = name + ".";
  std::string path = "format." + std::string(side) + "_encoding";
  if (!written) {
    take(name);
    consume_prefix(prefix);
    return;
  }
  const std::string* cls = find(name);
  std::string shown = cls ? simple_name(trim(*cls)) : std::string();
  switch (converter_kind(cls)) {
    case ConverterKind::absent:
      if (side == "value") {
        yaml_.set(path, "json", "value.converter is not set: assumed JSON (check the worker's)");
        warn(
            "value.converter is not set (the Connect worker's default applied): assumed JSON; "
            "set format.value_encoding to string or base64 if the values are not JSON");
      }
      break;
    case ConverterKind::json: {
      take(name);
      yaml_.set(path, "json", from(name) + " " + shown);
      std::optional<std::string> schemas = take(prefix + "schemas.enable");
      if (!schemas || trim(*schemas) == "true") {
        if (schemas) {
          unmapped(prefix + "schemas.enable",
                   "values are written as they are in Kafka, {\"schema\",\"payload\"} envelope "
                   "included; the connector wrote the payload only");
        }
        if (confluent_json || !schemas) {
          warn(name + " with schemas.enable true (" +
               std::string(schemas ? "as set" : "Connect's default") + "): if the " +
               std::string(side) +
               "s carry a {\"schema\",\"payload\"} envelope, it is written as it is, where the "
               "connector wrote the payload only");
        }
      }
      break;
    }
    case ConverterKind::string:
      take(name);
      yaml_.set(path, "string", from(name) + " " + shown);
      break;
    case ConverterKind::bytes:
      take(name);
      yaml_.set(path, "base64", from(name) + " " + shown + ": bytes as base64 strings");
      break;
    case ConverterKind::avro:
      take(name);
      if (side == "value") {
        registry_input(prefix);
        if (format_ != "avro") {
          yaml_.set(path, "json", "the decoded Avro value as JSON (format.input avro)");
        }
        unmapped_prefix(prefix,
                        "a setting of value.converter AvroConverter without an "
                        "equivalent here");
      } else if (avro_input_) {
        // Keys decode through the values' registry (format.key_input avro), as JSON text.
        yaml_.set("format.key_input", "avro",
                  "from key.converter AvroConverter: keys decoded through the Schema Registry");
        yaml_.set(path, "json", "the decoded Avro key as JSON (format.key_input avro)");
        unmapped_prefix(prefix,
                        "a setting of key.converter AvroConverter: keys use the registry of "
                        "value.converter (schema_registry.*)");
      } else {
        yaml_.set(path, "base64",
                  "instead of key.converter AvroConverter: Avro keys are decoded only with Avro "
                  "values; their wire-format bytes as base64");
        unmapped(name,
                 "Avro keys are decoded only with value.converter AvroConverter (format.input "
                 "avro): written as base64 of their Confluent wire-format bytes");
        unmapped_prefix(prefix,
                        "a setting of key.converter AvroConverter, whose keys are "
                        "not decoded without Avro values");
        warn(
            "key.converter AvroConverter without value.converter AvroConverter: keys are "
            "written as base64 of their Confluent wire-format bytes");
      }
      break;
    case ConverterKind::registry:
      yaml_.set(path, "base64",
                "instead of " + name + " " + shown +
                    " (not supported yet): the Kafka bytes "
                    "kept lossless as base64");
      unmapped(name,
               "Schema Registry input (Avro, Protobuf, JSON Schema) is not supported yet: "
               "written as base64 of the Kafka bytes");
      unmapped_prefix(prefix, "a setting of " + name + ", whose input is not supported yet");
      warn(name + " " + shown + ": decoding with a Schema Registry is not supported yet, so " +
           std::string(side) + "s are written as base64 of their Confluent wire-format bytes");
      break;
    case ConverterKind::other:
      yaml_.set(path, "base64", "instead of " + name + " " + shown + ": the Kafka bytes as base64");
      unmapped(name, "an unknown converter: written as base64 of the Kafka bytes");
      break;
  }
  unmapped_prefix(prefix, "a converter setting: the sink writes the Kafka bytes");
}

std::string Converter::our_extension() const {
  std::string ext = format_ == "raw" ? ".bin" : "." + format_;
  if (format_ == "avro" || format_ == "parquet") return ext;  // they compress inside the file
  if (compression_ == "gzip") ext += ".gz";
  if (compression_ == "zstd") ext += ".zst";
  return ext;
}

std::string Converter::confluent_partition_path(const std::string& dir) {
  std::string partitioner = take("partitioner.class")
                                .value_or(
                                    "io.confluent.connect.storage.partitioner."
                                    "DefaultPartitioner");
  std::string simple = simple_name(trim(partitioner));
  bool known_package = partitioner.starts_with("io.confluent.connect.storage.partitioner.");
  const std::string default_path = "partition={{partition}}";
  auto ignored_by = [&](std::initializer_list<std::string_view> names) {
    for (std::string_view name : names) {
      if (!handled(name)) {
        unmapped(name, "not used by " + simple + " (the connector ignored it too)");
      }
    }
  };
  auto fallback = [&](std::string why) {
    unmapped("partitioner.class", why);
    warn("partitioner.class " + simple + ": " + why +
         "; this config uses the DefaultPartitioner layout (partition=<p>)");
    return default_path;
  };
  if (!known_package) return fallback("custom partitioners are not supported");
  if (simple == "DefaultPartitioner") {
    ignored_by({"partition.field.name", "path.format", "partition.duration.ms",
                "timestamp.extractor", "timestamp.field", "locale"});
    return default_path;
  }
  if (simple == "FieldPartitioner") {
    ignored_by({"path.format", "partition.duration.ms", "timestamp.extractor", "timestamp.field",
                "locale"});
    std::optional<std::string> fields = take("partition.field.name");
    std::vector<std::string> names = fields ? split_list(*fields) : std::vector<std::string>{};
    if (names.empty()) return fallback("FieldPartitioner needs partition.field.name");
    std::string path;
    for (const std::string& field : names) {
      if (!is_plain_field_path(field)) {
        unmapped("partition.field.name", "field names must be letters, digits, _ - and dots");
        return fallback("a partition.field.name this sink cannot read");
      }
      if (!path.empty()) path += dir;
      path += field + "={{value." + field + "}}";
    }
    warn(
        "FieldPartitioner: field values are read from JSON values (a missing field gives "
        "key_default _unknown where the connector failed) and made key-safe: characters "
        "other than A-Z a-z 0-9 . _ - = are %XX-encoded");
    return path;
  }
  std::string pattern;
  std::int64_t duration = 0;
  if (simple == "HourlyPartitioner" || simple == "DailyPartitioner") {
    bool hourly = simple == "HourlyPartitioner";
    pattern =
        hourly ? "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH" : "'year'=YYYY/'month'=MM/'day'=dd";
    duration = hourly ? 3600000 : 86400000;
    ignored_by({"path.format", "partition.duration.ms", "partition.field.name"});
  } else if (simple == "TimeBasedPartitioner") {
    ignored_by({"partition.field.name"});
    std::optional<std::string> format = take("path.format");
    if (!format) return fallback("TimeBasedPartitioner needs path.format");
    pattern = *format;
    std::optional<std::string> duration_text = take("partition.duration.ms");
    duration = duration_text ? to_int(*duration_text).value_or(0) : 0;
  } else {
    return fallback("an unknown partitioner");
  }
  std::optional<connect::TimePath> time_path = connect::joda_path_to_template(pattern);
  if (!time_path) {
    unmapped("path.format",
             "only the numeric fields yyyy (or YYYY), MM, dd, HH, mm, ss and quoted text can be "
             "rendered");
    return fallback("its path.format cannot be rendered here");
  }
  if (duration <= 0 || time_path->finest_unit_ms % duration != 0) {
    unmapped("partition.duration.ms",
             "paths show the record time to the path's finest field, not buckets of this many "
             "milliseconds");
    warn("partition.duration.ms " + std::to_string(duration) +
         " does not divide the path's finest field: paths name the record's own time where "
         "the connector named the start of its bucket");
  }
  take("locale");  // no effect: every field rendered here is numeric
  std::optional<std::string> zone = take("timezone");
  if (!zone) {
    warn(simple + " without timezone (the connector requires it): paths are in UTC here");
  } else if (!is_utc(trim(*zone))) {
    unmapped("timezone", "object paths are rendered in UTC only");
    warn("timezone " + std::string(trim(*zone)) +
         ": object paths are rendered in UTC here, so they are shifted against the connector's");
  }
  std::string extractor = take("timestamp.extractor").value_or("Wallclock");
  if (extractor == "Record") {
    // Kafka's record timestamp: what the key template renders.
  } else if (extractor == "RecordField") {
    unmapped("timestamp.extractor",
             "paths use the Kafka record timestamp; a timestamp from a value field is not "
             "supported yet");
    unmapped("timestamp.field", "a timestamp from a value field is not supported yet");
    warn(
        "timestamp.extractor RecordField: paths use the Kafka record timestamp instead of the "
        "field's");
  } else {
    unmapped("timestamp.extractor",
             "paths use the Kafka record timestamp; wall-clock paths are not supported");
    warn("timestamp.extractor " + extractor + (find("timestamp.extractor") ? "" : " (default)") +
         ": the connector named paths by the time of writing; here by the record's Kafka "
         "timestamp (the same for a live stream, but a replay lands in the original hours)");
  }
  if (!handled("timestamp.field")) unmapped("timestamp.field", "not used by this extractor");
  return time_path->key_template;
}

void Converter::confluent_format(std::string& connector_extension) {
  std::string format_class = take("format.class").value_or("");
  std::string simple = simple_name(trim(format_class));
  const ConverterKind value_kind = converter_kind(find("value.converter"));
  if (simple == "AvroFormat" && value_kind == ConverterKind::avro) {
    confluent_avro_format(connector_extension);
  } else if (simple == "ParquetFormat") {
    confluent_parquet_format(connector_extension, value_kind);
  }
  if (format_ == "avro" || format_ == "parquet") {
    // Their codec is avro.codec / parquet.codec; the connector ignored these.
    for (std::string_view name : {"s3.compression.type", "s3.compression.level"}) {
      unmapped(name,
               "the connector applied it to JsonFormat and ByteArrayFormat only (it "
               "ignored it too): " +
                   simple + " compresses inside the file");
    }
    return;
  }
  std::string compression = take("s3.compression.type").value_or("none");
  bool fallback = false;
  if (simple == "JsonFormat") {
    format_ = "jsonl";
    connector_extension = ".json";
    yaml_.set("format.type", "jsonl", "from format.class JsonFormat: one JSON value a line");
    yaml_.set("format.fields", yaml_list({"value"}), "JsonFormat writes the record value only");
    converter("value", true, true);
    converter("key", false, false);
  } else if (simple == "ByteArrayFormat") {
    format_ = "raw";
    connector_extension = take("format.bytearray.extension").value_or(".bin");
    if (connector_extension != ".bin") {
      unmapped("format.bytearray.extension",
               "the extension is fixed: .bin (plus the compression's)");
    }
    yaml_.set("format.type", "raw", "from format.class ByteArrayFormat: the value bytes");
    if (std::optional<std::string> separator = take("format.bytearray.separator")) {
      std::string escaped;
      for (char c : *separator) {
        if (c == '\n')
          escaped += "\\n";
        else if (c == '\r')
          escaped += "\\r";
        else if (c == '\t')
          escaped += "\\t";
        else if (c == '\0')
          escaped += "\\0";
        else
          escaped += c;
      }
      yaml_.set("format.delimiter", yaml_quote(escaped), from("format.bytearray.separator"));
    }
    converter("value", false, false);
    converter("key", false, false);
  } else {
    fallback = true;
    std::string what =
        simple == "AvroFormat"
            ? "Avro output needs Avro input: value.converter must be Confluent's AvroConverter"
            : "an unknown format class";
    connector_extension = simple == "AvroFormat" ? ".avro" : ".parquet";
    if (simple == "AvroFormat") {
      unmapped("avro.codec", "Avro output needs Avro input: JSON lines instead");
    }
    if (format_class.empty()) {
      warn("format.class is not set (the connector requires it): this config writes JSON lines");
    } else {
      unmapped("format.class", what +
                                   ": this config writes JSON lines with the record "
                                   "envelope (topic, partition, offset, timestamp, key, value)");
      warn("format.class " + simple + ": " + what +
           "; objects are JSON lines of the record envelope until it is");
    }
    format_ = "jsonl";
    yaml_.set("format.type", "jsonl", "instead of " + simple + ": JSON lines");
    converter("value", true, false);
    converter("key", true, false);
  }
  // Compression: Confluent compresses JSON and ByteArray objects by s3.compression.type (default
  // none); Avro and Parquet use their own codecs, so the fallback keeps gzip.
  if (fallback && !find("s3.compression.type")) {
    compression_ = "gzip";
    yaml_.set("compression.type", "gzip", "this sink's default (the connector used its codec)");
  } else if (compression == "none" || compression == "gzip") {
    compression_ = compression;
    yaml_.set("compression.type", compression,
              find("s3.compression.type") ? from("s3.compression.type")
                                          : "Confluent's default for s3.compression.type");
    if (compression == "gzip") connector_extension += ".gz";
  } else {
    unmapped("s3.compression.type", "not none or gzip");
  }
  if (std::optional<std::string> level = take("s3.compression.level")) {
    std::optional<std::int64_t> n = to_int(*level);
    if (n && *n >= 1 && *n <= 9) {
      yaml_.set("compression.level", std::to_string(*n), from("s3.compression.level"));
    } else if (!n || *n != -1) {
      unmapped("s3.compression.level", "not a gzip level from 1 to 9");
    }
  }
}

void Converter::confluent_avro_format(std::string& connector_extension) {
  format_ = "avro";
  connector_extension = ".avro";
  yaml_.set("format.type", "avro",
            "from format.class AvroFormat: Avro container files of the values, one writer "
            "schema each");
  // avro.codec (default null): the block codec, compression.type here.
  std::string codec(trim(take("avro.codec").value_or("null")));
  const std::map<std::string, std::string, std::less<>> kCodecs = {
      {"null", "none"}, {"deflate", "gzip"}, {"snappy", "snappy"}, {"zstandard", "zstd"}};
  std::string type = "zstd";
  std::string comment = "Confluent's default avro.codec null";
  if (auto known = kCodecs.find(codec); known != kCodecs.end()) {
    type = known->second;
    if (find("avro.codec")) comment = "from avro.codec " + codec;
  } else {
    unmapped("avro.codec", "not null, deflate, snappy or zstandard: zstandard instead");
    warn("avro.codec " + codec + " is not supported: Avro blocks are zstandard");
    comment = "instead of avro.codec " + codec;
  }
  compression_ = type;
  yaml_.set("compression.type", type, comment);
  converter("value", true, false);
  converter("key", false, false);
  warn(
      "format.class AvroFormat: the files carry the writer schema as the Schema Registry has "
      "it and the datums as the producer wrote them; the connector's went through Connect's "
      "schema conversion (connect.* schema properties, enhanced.avro.schema.support)");
}

void Converter::confluent_parquet_format(std::string& connector_extension,
                                         ConverterKind value_kind) {
  format_ = "parquet";
  yaml_.set("format.type", "parquet", "from format.class ParquetFormat");
  yaml_.set("format.fields", yaml_list({"value"}), "ParquetFormat writes the record value only");
  // Columns from the value: the Avro writer schema, or inferred from JSON values. Other values
  // (strings, bytes) are one column.
  const bool typed = value_kind == ConverterKind::avro || value_kind == ConverterKind::json ||
                     value_kind == ConverterKind::absent;
  yaml_.set("parquet.value", typed ? "infer" : "json",
            typed ? (value_kind == ConverterKind::avro
                         ? "columns from the Avro writer schema"
                         : "columns inferred from the JSON values of each object")
                  : "the value as one column (its converter gives no columns here)");
  if (typed) {
    warn(
        "format.class ParquetFormat: the value's fields are the fields of the group column "
        "`value` here (query value.<field>); the connector wrote them as top-level columns");
  }
  if (value_kind == ConverterKind::json) {
    warn(
        "format.class ParquetFormat with JsonConverter: the connector typed the columns from "
        "the Connect schema; here they are inferred from the values of each object (integers "
        "as INT64, other numbers as DOUBLE, conflicting types as JSON text)");
  }
  // parquet.codec (default snappy): the page codec, compression.type here. Confluent's files
  // end in the codec's extension and .parquet (.snappy.parquet).
  std::string codec(trim(take("parquet.codec").value_or("snappy")));
  std::string type;
  std::string extension;
  if (codec == "none" || codec == "uncompressed") {
    type = "none";
  } else if (codec == "snappy") {
    type = "snappy";
    extension = ".snappy";
  } else if (codec == "gzip") {
    type = "gzip";
    extension = ".gz";
  } else if (codec == "zstd") {
    type = "zstd";
    extension = ".zstd";
  } else {
    unmapped("parquet.codec", "not none, snappy, gzip or zstd: snappy instead");
    warn("parquet.codec " + codec + " is not supported: Parquet pages are snappy");
    type = "snappy";
    extension = "." + codec;
  }
  connector_extension = extension + ".parquet";
  compression_ = type;
  converter("value", true, true);
  converter("key", false, false);
  yaml_.set("compression.type", type,
            find("parquet.codec") ? (codec == type || (codec == "uncompressed" && type == "none")
                                         ? "from parquet.codec " + codec
                                         : "instead of parquet.codec " + codec)
                                  : "Confluent's default parquet.codec snappy");
}

void Converter::registry_input(const std::string& prefix) {
  avro_input_ = true;
  yaml_.set("format.input", "avro",
            "from value.converter AvroConverter: Confluent's wire format, schemas from the "
            "Schema Registry");
  const std::string url_setting = prefix + "schema.registry.url";
  const std::optional<std::string> urls = take(url_setting);
  const std::vector<std::string> list = urls ? split_list(*urls) : std::vector<std::string>{};
  bool url_userinfo = false;
  if (list.empty()) {
    yaml_.note("schema_registry.url",
               "url: set it to the Schema Registry (" + url_setting + " is not set)");
    warn(url_setting + " is not set: set schema_registry.url");
  } else {
    const std::string redacted = redact_url_userinfo(list.front());
    std::string url = redacted;
    if (std::size_t at = redacted.find("***@");
        at != std::string::npos && redacted != list.front()) {
      url = redacted.substr(0, at) + redacted.substr(at + 4);
      url_userinfo = true;
      warn(url_setting +
           " carries user info: dropped from schema_registry.url (the "
           "credentials go in the environment)");
    }
    yaml_.set("schema_registry.url", yaml_quote(url),
              from(url_setting) + (list.size() > 1 ? ": the first of its URLs" : ""));
    if (list.size() > 1) {
      warn(url_setting + " lists " + std::to_string(list.size()) +
           " registry URLs: this sink asks the first only (" + url + ")");
    }
  }
  // Credentials: USER_INFO (basic.auth.user.info "user:password") or URL; never copied.
  const std::string source_setting = prefix + "basic.auth.credentials.source";
  const std::optional<std::string> source = take(source_setting);
  const bool user_info =
      take_any({prefix + "basic.auth.user.info", prefix + "schema.registry.basic.auth.user.info"})
          .has_value();
  const std::string mode = source ? std::string(trim(*source)) : std::string("URL");
  if ((mode == "USER_INFO" && user_info) || (mode == "URL" && url_userinfo)) {
    yaml_.note("schema_registry.username",
               "the registry credentials are not copied from the connector config: export "
               "KAFKA_S3_SINK_SCHEMA_REGISTRY__USERNAME and "
               "KAFKA_S3_SINK_SCHEMA_REGISTRY__PASSWORD");
    warn(
        "the Schema Registry credentials are not copied into the YAML: provide them as the "
        "environment variables KAFKA_S3_SINK_SCHEMA_REGISTRY__USERNAME and "
        "KAFKA_S3_SINK_SCHEMA_REGISTRY__PASSWORD (basic auth)");
  } else if (mode == "SASL_INHERIT") {
    unmapped(source_setting,
             "the registry's basic auth is schema_registry.username and password here, not "
             "Kafka's SASL credentials");
    warn(source_setting + " SASL_INHERIT: set schema_registry.username and password");
  } else if (source && mode != "USER_INFO" && mode != "URL") {
    unmapped(source_setting, "not USER_INFO, URL or SASL_INHERIT");
  }
  unmapped_prefix(prefix + "bearer.auth.", "bearer tokens are not supported: basic auth only");
  const std::string ssl = prefix + "schema.registry.ssl.";
  bool any_ssl = false;
  for (const auto& [key, value] : settings_) any_ssl |= key.starts_with(ssl) && !handled(key);
  if (any_ssl) {
    unmapped_prefix(ssl,
                    "the registry's TLS trust is a PEM CA file here (schema_registry.ca_file); "
                    "client certificates are not supported");
    yaml_.note("schema_registry.ca_file",
               "ca_file: the registry's CA as a PEM file (the connector had a Java truststore)");
    warn(
        "value.converter's schema.registry.ssl.* settings: set schema_registry.ca_file to the "
        "registry's CA as a PEM file");
  }
  // Serializer and Connect schema settings: nothing to do when reading datums.
  for (std::string_view name :
       {"auto.register.schemas", "use.latest.version", "latest.compatibility.strict",
        "normalize.schemas", "key.subject.name.strategy", "value.subject.name.strategy",
        "schemas.cache.config", "connect.meta.data", "enhanced.avro.schema.support",
        "scrub.invalid.names", "avro.reflection.allow.null"}) {
    take(prefix + std::string(name));
  }
}

void Converter::schema_compatibility() {
  const std::optional<std::string> set = take("schema.compatibility");
  const std::string mode = set ? std::string(trim(*set)) : std::string("NONE");
  const bool one_schema_objects = avro_input_ && (format_ == "avro" || format_ == "parquet");
  if (one_schema_objects && mode == "NONE") {
    yaml_.note("format.input",
               "schema.compatibility NONE" + std::string(set ? "" : " (Confluent's default)") +
                   ": a record of another writer schema cuts the objects first (cut reason "
                   "schema_change), as the connector rolled its files");
    return;
  }
  if (one_schema_objects) {
    unmapped("schema.compatibility",
             "objects here hold one writer schema each and every schema change cuts them, as "
             "with NONE: projecting records onto one schema version needs reader schemas, not "
             "supported yet");
    warn("schema.compatibility " + mode +
         ": the connector projected records of other schema versions onto its file's schema "
         "and rolled files less often; here each change of writer schema cuts the objects, so "
         "interleaved versions make more, smaller objects, each in its own writer schema");
    return;
  }
  if (avro_input_) {
    warn(format_ +
         " objects are not cut at a schema change here (each record is written with its own "
         "fields); the connector " +
         (mode == "NONE" ? "rolled its files at every value schema change"
                         : "projected records onto one schema version") +
         " (schema.compatibility " + mode + ")");
  }
  if (set) {
    unmapped("schema.compatibility",
             "schema changes cut objects only for Avro and Parquet output from Avro input "
             "(format.type avro or parquet with format.input avro)");
  }
}

void Converter::confluent() {
  if (std::optional<std::string> bucket = take("s3.bucket.name")) {
    yaml_.set("s3.bucket", yaml_quote(*bucket), from("s3.bucket.name"));
  } else {
    warn("s3.bucket.name is not set (the connector requires it): set s3.bucket");
  }
  if (std::optional<std::string> region = take("s3.region")) {
    yaml_.set("s3.region", yaml_quote(*region), from("s3.region"));
  } else {
    yaml_.set("s3.region", yaml_quote("us-west-2"), "Confluent's default for s3.region");
  }
  if (std::optional<std::string> url = take("store.url"); url && !trim(*url).empty()) {
    set_endpoint("store.url", *url);
  }
  if (std::optional<std::string> path_style = take("s3.path.style.access.enabled")) {
    std::string value(trim(*path_style));
    if (value == "true" || value == "false") {
      yaml_.set("s3.addressing", value == "true" ? "path" : "virtual",
                from("s3.path.style.access.enabled"));
    } else {
      unmapped("s3.path.style.access.enabled", "not true or false");
    }
  }
  if (std::optional<std::string> part = take("s3.part.size")) {
    std::optional<std::int64_t> bytes = to_int(*part);
    if (bytes && *bytes >= (5LL << 20) && *bytes <= (5LL << 30)) {
      yaml_.set("s3.part_size", size_text(*bytes), from("s3.part.size"));
    } else {
      unmapped("s3.part.size", "not a part size from 5 MiB to 5 GiB");
    }
  }
  if (std::optional<std::string> retries = take("s3.part.retries")) {
    std::optional<std::int64_t> n = to_int(*retries);
    if (n && *n >= 0 && *n < 100) {
      yaml_.set("s3.max_attempts", std::to_string(*n + 1),
                "from s3.part.retries: retries + the first attempt");
    } else {
      unmapped("s3.part.retries", "not a number of retries from 0 to 99");
    }
  }
  if (std::optional<std::string> backoff = take("s3.retry.backoff.ms")) {
    std::optional<std::int64_t> ms = to_int(*backoff);
    if (ms && *ms > 0) {
      yaml_.set("s3.retry_base_delay", duration_text(*ms), from("s3.retry.backoff.ms"));
    } else {
      unmapped("s3.retry.backoff.ms", "not a positive number of milliseconds");
    }
  }

  std::string dir = take("directory.delim").value_or("/");
  std::string file = take("file.delim").value_or("+");
  if (!is_plain_literal(dir) || !is_plain_literal(file) || dir.empty()) {
    unmapped("directory.delim", "delimiters with braces or control characters are not supported");
    unmapped("file.delim", "delimiters with braces or control characters are not supported");
    dir = "/";
    file = "+";
  }
  std::string topics_dir = take("topics.dir").value_or("topics");
  if (topics_dir.empty() || !is_plain_literal(topics_dir)) {
    if (topics_dir.empty()) {
      warn(
          "topics.dir is empty: the connector's keys started with the delimiter; here they "
          "start with the topic");
    } else {
      unmapped("topics.dir", "braces and control characters are not supported in the prefix");
    }
  } else {
    yaml_.set("s3.prefix", yaml_quote(topics_dir + dir),
              find("topics.dir") ? from("topics.dir") : "Confluent's default topics.dir");
  }

  std::string connector_extension;
  confluent_format(connector_extension);

  std::string partition_path = confluent_partition_path(dir);
  // The start offset padded as the connector did: filename.offset.zero.pad.width (default 10)
  // digits, {{start_offset:N}} (String.format("%0Nd"): longer offsets keep every digit).
  std::int64_t pad_width = 10;
  std::string pad_source = "Confluent's default filename.offset.zero.pad.width 10";
  bool pad_mapped = true;
  if (std::optional<std::string> width = take("filename.offset.zero.pad.width")) {
    std::optional<std::int64_t> n = to_int(*width);
    if (n && *n >= 1 && *n <= 20) {
      pad_width = *n;
      pad_source = from("filename.offset.zero.pad.width");
    } else {
      unmapped("filename.offset.zero.pad.width",
               "not a width from 1 to 20: start offsets are zero-padded to 20 digits");
      pad_width = 20;
      pad_mapped = false;
    }
  }
  const std::string offset = pad_width == 20 ? std::string("{{start_offset}}")
                                             : "{{start_offset:" + std::to_string(pad_width) + "}}";
  std::string key_template = "{{topic}}" + dir + partition_path + dir + "{{topic}}" + file +
                             "{{partition}}" + file + offset;
  const std::string layout =
      "the connector's layout: <topic>/<partition path>/<topic>+<partition>+<start offset> (";
  yaml_.set("key_template", yaml_quote(key_template), layout + pad_source + ")");
  std::string prefix = yaml_.has("s3.prefix") ? topics_dir + dir : std::string();
  if (!pad_mapped || connector_extension != our_extension()) {
    warn("object keys differ from the connector's in the " +
         std::string(pad_mapped ? "" : "start offset's padding and the ") +
         "extension: the connector wrote " + prefix + "<topic>" + dir + "<path>" + dir + "<topic>" +
         file + "<partition>" + file + "<start offset>" + connector_extension +
         ", this sink writes ..." + file + "<start offset" + (pad_mapped ? "" : ", 20 digits") +
         ">" + our_extension() + ": readers that select objects by name need the new " +
         (pad_mapped ? "extension" : "names"));
  }

  if (std::optional<std::string> flush = take("flush.size")) {
    std::optional<std::int64_t> n = to_int(*flush);
    if (n && *n >= 1) {
      yaml_.set("rotation.max_records", std::to_string(*n), from("flush.size"));
    } else {
      unmapped("flush.size", "not a positive number of records");
    }
  } else {
    warn(
        "flush.size is not set (the connector requires it): objects are cut by size and time "
        "only");
  }
  bool time_rotation = false;
  if (std::optional<std::string> interval = take("rotate.interval.ms")) {
    std::optional<std::int64_t> ms = to_int(*interval);
    if (ms && *ms > 0) {
      yaml_.set("rotation.time_window", duration_text(*ms),
                "from rotate.interval.ms: by record timestamps");
      time_rotation = true;
    } else if (!ms || *ms != -1) {
      unmapped("rotate.interval.ms", "not a positive number of milliseconds");
    }
  }
  if (std::optional<std::string> interval = take("rotate.schedule.interval.ms")) {
    std::optional<std::int64_t> ms = to_int(*interval);
    if (ms && *ms > 0) {
      yaml_.set("rotation.max_open", duration_text(*ms),
                "from rotate.schedule.interval.ms: wall clock since the object's first record");
      warn(
          "rotate.schedule.interval.ms: the connector cut at the clock's interval boundaries; "
          "here an object is cut this long after its first record arrived");
      time_rotation = true;
    } else if (!ms || *ms != -1) {
      unmapped("rotate.schedule.interval.ms", "not a positive number of milliseconds");
    }
  }
  warn(std::string("this sink also cuts objects after 30 s without records "
                   "(rotation.idle_flush), ") +
       (yaml_.has("rotation.max_open") ? "" : "10 minutes open (rotation.max_open), ") +
       "and at 64 MiB (rotation.max_bytes), where the connector waited for flush.size" +
       (time_rotation ? " or its rotation interval" : "") +
       ": objects can be smaller; set them to 0 to cut only as the connector did");

  if (!handled("timezone")) {
    if (yaml_.has("rotation.max_open")) {
      take("timezone");  // the connector aligned rotate.schedule.interval.ms to it (see warning)
    } else {
      unmapped("timezone",
               "not used without a time-based partitioner or rotate.schedule.interval.ms (the "
               "connector ignored it too)");
    }
  }
  schema_compatibility();
  std::string nulls = take("behavior.on.null.values").value_or("fail");
  if (nulls == "write" && format_ == "avro") {
    unmapped("behavior.on.null.values",
             "an Avro container file has no null records: tombstones are ignored");
    yaml_.set("tombstones", "ignore", "instead of behavior.on.null.values write (format avro)");
  } else if (nulls == "fail" || nulls == "ignore" || nulls == "write") {
    yaml_.set("tombstones", nulls,
              find("behavior.on.null.values") ? from("behavior.on.null.values")
                                              : "Confluent's default for behavior.on.null.values");
  } else {
    unmapped("behavior.on.null.values", "not fail, ignore or write");
  }
  if (std::optional<std::string> storage = take("storage.class")) {
    if (simple_name(trim(*storage)) != "S3Storage") {
      unmapped("storage.class", "storage other than S3 is not supported");
    }
  }
}

// Aiven's file.name.template as a key template; nullopt when it uses a variable this sink
// cannot render.
std::optional<std::string> Converter::aiven_template(std::string_view text, bool& unpadded_offset,
                                                     bool& has_timestamp, bool& has_key) {
  std::string out;
  bool has_partition = false, has_offset = false;
  while (!text.empty()) {
    std::size_t open = text.find("{{");
    std::string_view literal = text.substr(0, open);
    if (!is_plain_literal(literal)) return std::nullopt;
    out += literal;
    if (open == std::string_view::npos) break;
    std::size_t close = text.find("}}", open);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view body = trim(text.substr(open + 2, close - open - 2));
    std::string_view name = trim(body.substr(0, body.find(':')));
    std::string_view argument =
        name.size() < body.size() ? trim(body.substr(body.find(':') + 1)) : std::string_view{};
    if (name == "topic" && argument.empty()) {
      out += "{{topic}}";
    } else if (name == "partition" && (argument.empty() || argument == "padding=false")) {
      out += "{{partition}}";
      has_partition = true;
    } else if (name == "partition" && argument == "padding=true") {
      out += "{{partition:padding=true}}";
      has_partition = true;
    } else if (name == "start_offset" && (argument.empty() || argument == "padding=false")) {
      out += "{{start_offset:1}}";  // unpadded, as the connector wrote it
      has_offset = unpadded_offset = true;
    } else if (name == "start_offset" && argument == "padding=true") {
      out += "{{start_offset}}";  // Aiven pads to 20 digits, as this sink does
      has_offset = true;
    } else if (name == "timestamp" && argument.starts_with("unit=")) {
      std::string_view unit = argument.substr(5);
      if (unit != "YYYY" && unit != "yyyy" && unit != "MM" && unit != "dd" && unit != "HH") {
        return std::nullopt;
      }
      out += "{{timestamp:" + std::string(unit) + "}}";
      has_timestamp = true;
    } else if (name == "utc_date" && argument.empty()) {
      out += "{{timestamp:YYYY-MM-DD}}";
      has_timestamp = true;
    } else if (name == "key" && argument.empty()) {
      out += "{{key}}";
      has_key = true;
    } else {
      return std::nullopt;
    }
    text.remove_prefix(close + 2);
  }
  if (!has_partition || !has_offset) {
    // This sink's keys must name the partition and start offset (exactly-once).
    warn("file.name.template has no " +
         std::string(!has_partition ? "{{partition}}" : "{{start_offset}}") +
         ": this sink's keys must contain both, so they are added at the end; objects are no "
         "longer one per " +
         std::string(has_key ? "key, overwritten" : "name"));
    if (!has_partition) out += "-{{partition}}";
    if (!has_offset) {
      out += "-{{start_offset}}";
      unpadded_offset = false;
    }
  }
  return out;
}

void Converter::aiven() {
  if (auto bucket = take_any({"aws.s3.bucket.name", "aws_s3_bucket"})) {
    yaml_.set("s3.bucket", yaml_quote(*bucket), from("aws.s3.bucket.name"));
  } else {
    warn("aws.s3.bucket.name is not set (the connector requires it): set s3.bucket");
  }
  if (auto region = take_any({"aws.s3.region", "aws_s3_region"})) {
    yaml_.set("s3.region", yaml_quote(*region), from("aws.s3.region"));
  }
  if (auto endpoint = take_any({"aws.s3.endpoint", "aws_s3_endpoint"});
      endpoint && !trim(*endpoint).empty()) {
    set_endpoint("aws.s3.endpoint", *endpoint);
  }
  if (auto part = take("aws.s3.part.size.bytes")) {
    std::optional<std::int64_t> bytes = to_int(*part);
    if (bytes && *bytes >= (5LL << 20) && *bytes <= (5LL << 30)) {
      yaml_.set("s3.part_size", size_text(*bytes), from("aws.s3.part.size.bytes"));
    } else {
      unmapped("aws.s3.part.size.bytes", "not a part size from 5 MiB to 5 GiB");
    }
  }

  // Format and fields.
  std::string type = take_any({"format.output.type", "output_type"}).value_or("csv");
  std::string fields_text = take_any({"format.output.fields", "output_fields"}).value_or("value");
  std::vector<std::string> fields;
  for (const std::string& field : split_list(fields_text)) {
    if (field == "key" || field == "value" || field == "offset" || field == "timestamp" ||
        field == "headers") {
      fields.push_back(field);
    } else {
      unmapped("format.output.fields", "field '" + field + "' has no equivalent");
    }
  }
  if (fields.empty()) fields.push_back("value");
  bool writes_key = std::count(fields.begin(), fields.end(), "key") > 0;
  if (type == "csv") {
    format_ = "csv";
    yaml_.set("format.type", "csv",
              find("format.output.type") ? from("format.output.type") : "Aiven's default");
    yaml_.set("format.csv_header", "false", "Aiven's CSV has no header row");
  } else if (type == "jsonl" || type == "json") {
    format_ = "jsonl";
    yaml_.set("format.type", "jsonl", from("format.output.type"));
    if (type == "json") {
      warn(
          "format.output.type json: the connector wrote one JSON array an object; this sink "
          "writes JSON lines (one record a line)");
    }
  } else if (type == "parquet") {
    // Like the connector's: a column per field of format.output.fields; the value typed.
    format_ = "parquet";
    yaml_.set("format.type", "parquet", from("format.output.type"));
    const ConverterKind kind = converter_kind(find("value.converter"));
    const bool typed =
        kind == ConverterKind::avro || kind == ConverterKind::json || kind == ConverterKind::absent;
    yaml_.set("parquet.value", typed ? "infer" : "json",
              typed ? "the value's columns from its Avro schema or inferred from its JSON"
                    : "the value as one column (its converter gives no columns here)");
  } else if (type == "avro" && converter_kind(find("value.converter")) == ConverterKind::avro) {
    format_ = "avro";
    yaml_.set("format.type", "avro", from("format.output.type"));
    yaml_.set("tombstones", "ignore", "an Avro container file has no null records");
    const std::optional<std::string> envelope =
        find("format.output.envelope") ? std::optional<std::string>(*find("format.output.envelope"))
                                       : std::nullopt;
    if (fields != std::vector<std::string>{"value"} || !envelope || trim(*envelope) != "false") {
      unmapped("format.output.fields",
               "Avro objects here hold the bare value datums in their writer schema (the "
               "connector's format.output.fields value with format.output.envelope false)");
      warn(
          "format.output.type avro: objects hold the bare value datums in their writer schema; "
          "the connector wrote records of the fields (" +
          fields_text + ")");
    }
  } else {
    format_ = "jsonl";
    const std::string why = type == "avro"
                                ? "Avro output needs Avro input (value.converter AvroConverter)"
                                : type + " output is not supported";
    unmapped("format.output.type", why + ": JSON lines instead");
    warn("format.output.type " + type + ": " + why + "; objects are JSON lines");
    yaml_.set("format.type", "jsonl", "instead of " + type);
  }
  if (format_ != "avro") {
    yaml_.set("format.fields", yaml_list(fields),
              find("format.output.fields") ? from("format.output.fields") : "Aiven's default");
  }
  if (std::count(fields.begin(), fields.end(), "timestamp") ||
      std::count(fields.begin(), fields.end(), "headers")) {
    warn(
        "the timestamp field is Kafka's record time in milliseconds and headers are "
        "[{\"key\",\"value\"}] here; compare with what the connector wrote before switching "
        "readers");
  }
  std::string encoding = take("format.output.fields.value.encoding").value_or("base64");
  if (format_ == "csv") {
    // Aiven's CSV: the key and (by default) the value as base64 of the Kafka bytes.
    if (encoding == "base64" || encoding == "none") {
      yaml_.set("format.value_encoding", encoding == "base64" ? "base64" : "string",
                find("format.output.fields.value.encoding")
                    ? from("format.output.fields.value.encoding")
                    : "Aiven's default for format.output.fields.value.encoding");
    } else {
      unmapped("format.output.fields.value.encoding", "not base64 or none");
    }
    if (writes_key) yaml_.set("format.key_encoding", "base64", "Aiven's CSV writes keys as base64");
    converter("value", false, false);
    converter("key", false, false);
  } else {
    // JSON lines: the converters decide; Aiven ignores value.encoding there.
    converter("value", true, false);
    converter("key", writes_key, false);
  }
  if (std::optional<std::string> envelope = take("format.output.envelope")) {
    if (trim(*envelope) == "false" && format_ != "avro") {
      unmapped("format.output.envelope", "records are always written as objects of the fields");
    }
  }

  // Compression.
  std::string compression =
      take_any({"file.compression.type", "output_compression"}).value_or("gzip");
  std::string connector_extension;
  const bool structured = format_ == "avro" || format_ == "parquet";
  if (compression == "gzip" || compression == "zstd" || compression == "none" ||
      (structured && compression == "snappy")) {
    compression_ = compression;
    yaml_.set("compression.type", compression,
              find("file.compression.type") || find("output_compression")
                  ? from("file.compression.type")
                  : "Aiven's default for file.compression.type");
    connector_extension = compression == "gzip" ? ".gz" : compression == "zstd" ? ".zst" : "";
  } else {
    compression_ = "gzip";
    connector_extension = "." + compression;
    unmapped(find("file.compression.type") ? "file.compression.type" : "output_compression",
             compression + " is not supported: gzip instead");
    yaml_.set("compression.type", "gzip", "instead of " + compression + " (not supported)");
  }

  // Object names: prefix + template.
  std::string prefix =
      take_any({"file.name.prefix", "aws.s3.prefix", "aws_s3_prefix"}).value_or("");
  std::string template_text = take("file.name.template").value_or("");
  bool default_template = template_text.empty();
  if (default_template) template_text = "{{topic}}-{{partition}}-{{start_offset}}";
  bool unpadded = false, has_timestamp = false, has_key = false;
  std::string name_text = template_text;
  bool prefix_in_template = prefix.find("{{") != std::string::npos;
  if (prefix_in_template) name_text = prefix + template_text;
  std::optional<std::string> key_template =
      aiven_template(name_text, unpadded, has_timestamp, has_key);
  if (!key_template) {
    unmapped(prefix_in_template ? "aws.s3.prefix" : "file.name.template",
             "uses a variable this sink cannot render (topic, partition, start_offset, "
             "timestamp:unit=, key work)");
    warn(
        "file.name.template: a variable this sink cannot render; using "
        "{{topic}}-{{partition}}-{{start_offset}}");
    key_template = "{{topic}}-{{partition}}-{{start_offset:1}}";
    unpadded = true;
    prefix_in_template = false;
  }
  if (!prefix.empty() && !prefix_in_template) {
    if (is_plain_literal(prefix)) {
      yaml_.set("s3.prefix", yaml_quote(prefix), from("aws.s3.prefix"));
    } else {
      unmapped("aws.s3.prefix", "control characters are not supported in the prefix");
    }
  }
  yaml_.set("key_template", yaml_quote(*key_template),
            default_template ? "Aiven's default file.name.template" : from("file.name.template"));
  // Unpadded start offsets ({{start_offset:1}}) name objects as the connector did; the listing
  // order is then not the offset order, as with the connector.
  if (unpadded) {
    yaml_.note("key_template",
               "{{start_offset:1}}: start offsets unpadded, as the connector wrote them");
  }
  warn("object keys differ from the connector's in the extension: this sink appends " +
       our_extension() + " where the connector appended " +
       (connector_extension.empty() ? std::string("nothing") : connector_extension));

  if (has_timestamp) {
    std::string source =
        take_any({"file.name.timestamp.source", "timestamp.source"}).value_or("wallclock");
    if (source != "event") {
      unmapped(
          find("file.name.timestamp.source") ? "file.name.timestamp.source" : "timestamp.source",
          "names use the Kafka record timestamp; wall-clock names are not supported");
      warn("file.name.template {{timestamp}}: the connector used the time of writing (" + source +
           "); this sink uses the record's Kafka timestamp");
    }
    std::string zone =
        take_any({"file.name.timestamp.timezone", "timestamp.timezone"}).value_or("UTC");
    if (!is_utc(trim(zone))) {
      unmapped(find("file.name.timestamp.timezone") ? "file.name.timestamp.timezone"
                                                    : "timestamp.timezone",
               "names are rendered in UTC only");
      warn("timestamp timezone " + zone + ": names are rendered in UTC here");
    }
  } else {
    for (std::string_view name : {"file.name.timestamp.source", "timestamp.source",
                                  "file.name.timestamp.timezone", "timestamp.timezone"}) {
      unmapped(name, "the template has no {{timestamp}} (the connector ignored it too)");
    }
  }

  // Rotation: a file per Connect offset flush (worker offset.flush.interval.ms, 60 s by default)
  // unless file.max.records cuts earlier.
  if (std::optional<std::string> records = take("file.max.records")) {
    std::optional<std::int64_t> n = to_int(*records);
    if (n && *n > 0) {
      yaml_.set("rotation.max_records", std::to_string(*n), from("file.max.records"));
    } else if (!n || *n < 0) {
      unmapped("file.max.records", "not a number of records");
    }
  }
  yaml_.set("rotation.max_open", "1m",
            "the connector wrote a file per Connect offset flush (worker "
            "offset.flush.interval.ms, 60 s by default)");
  warn(
      "rotation.max_open is 1m, like the Connect worker's default offset.flush.interval.ms at "
      "which the connector wrote its files; adjust it if the worker flushed at another interval");
}

void Converter::set_sse(std::string_view name, std::string_view algorithm) {
  algorithm = trim(algorithm);
  if (algorithm.empty()) return;  // the bucket's default encryption, as with the connector
  if (algorithm == "AES256" || algorithm == "aws:kms" || algorithm == "aws:kms:dsse") {
    yaml_.set("s3.sse", yaml_quote(algorithm), from(name));
  } else {
    unmapped(name, "not AES256, aws:kms or aws:kms:dsse");
  }
}

void Converter::object_settings() {
  if (connector_ == Connector::aiven) {
    if (std::optional<std::string> algorithm = take("aws.s3.sse.algorithm")) {
      set_sse("aws.s3.sse.algorithm", *algorithm);
    }
    return;
  }
  const std::optional<std::string> algorithm = take("s3.ssea.name");
  if (algorithm) set_sse("s3.ssea.name", *algorithm);
  if (std::optional<std::string> key = take("s3.sse.kms.key.id"); key && !trim(*key).empty()) {
    // The connector sent the key only with s3.ssea.name aws:kms (S3OutputStream).
    if (algorithm && trim(*algorithm) == "aws:kms") {
      yaml_.set("s3.sse_kms_key_id", yaml_quote(trim(*key)), from("s3.sse.kms.key.id"));
    } else {
      unmapped("s3.sse.kms.key.id",
               "the connector used it only with s3.ssea.name aws:kms (it ignored it too)");
    }
  }
  if (find("s3.sse.customer.key")) {
    unmapped("s3.sse.customer.key",
             "customer-provided keys (SSE-C) are not supported: every read would need the key "
             "too; use s3.sse aws:kms with s3.sse_kms_key_id");
    warn("s3.sse.customer.key (SSE-C) is not supported: objects get " +
         std::string(yaml_.has("s3.sse") ? "s3.sse" : "the bucket's default encryption") +
         " instead");
  }
  // Tags: the connector tagged each object after its upload (PutObjectTagging) with startOffset,
  // endOffset and recordCount, plus s3.object.tagging.key.value.pairs ("k1:v1,k2:v2").
  const std::optional<std::string> tagging = take("s3.object.tagging");
  const bool tagged = tagging && trim(*tagging) == "true";
  const std::optional<std::string> pairs = take("s3.object.tagging.key.value.pairs");
  if (tagged) {
    unmapped("s3.object.tagging",
             "per-object startOffset/endOffset/recordCount tags are not written: tags are sent "
             "with the upload, before the end is known (the start offset is in the key, the "
             "rest in the cut manifests); s3.object.tagging.key.value.pairs map to s3.tags");
    take("s3.object.behavior.on.tagging.error");  // tags fail with their upload here
  }
  if (pairs && !trim(*pairs).empty()) {
    if (!tagged) {
      unmapped("s3.object.tagging.key.value.pairs",
               "the connector applied them only with s3.object.tagging true (it ignored them too)");
    } else {
      std::string map;
      bool valid = true;
      for (const std::string& pair : split_list(*pairs)) {
        const std::size_t colon = pair.find(':');
        if (colon == std::string::npos || colon == 0) {
          valid = false;
          break;
        }
        map += (map.empty() ? "" : ", ") +
               yaml_quote(trim(std::string_view(pair).substr(0, colon))) + ": " +
               yaml_quote(trim(std::string_view(pair).substr(colon + 1)));
      }
      if (valid) {
        yaml_.set("s3.tags", "{" + map + "}", from("s3.object.tagging.key.value.pairs"));
      } else {
        unmapped("s3.object.tagging.key.value.pairs", "not key:value pairs separated by commas");
      }
    }
  }
}

ConnectConversion Converter::run() {
  detect_connector();
  kafka();
  credentials();
  if (connector_ == Connector::confluent) {
    confluent();
  } else {
    aiven();
  }
  object_settings();
  errors();
  if (const std::string* transforms = find("transforms");
      transforms && !trim(*transforms).empty()) {
    warn("transforms (" + std::string(trim(*transforms)) +
         "): single message transforms are not supported, so records land as they are in Kafka "
         "(e.g. whole Debezium change events where ExtractNewRecordState unwrapped them)");
  }

  ConnectConversion result;
  result.connector_class = class_name_;
  result.connector_name = name_;
  for (const auto& [key, value] : settings_) {
    auto it = reasons_.find(key);
    if (it != reasons_.end() && it->second.empty()) continue;
    std::string why = it != reasons_.end() ? it->second : reason_for(key);
    std::string shown = is_secret_connect_setting(key) ? "***" : redact_url_userinfo(value);
    if (shown.find("${") != std::string::npos) shown = "***";  // a config provider reference
    result.unmapped.push_back(UnmappedSetting{key, std::move(shown), std::move(why)});
  }
  result.warnings = warnings_;

  std::vector<std::string> header = {
      "kafka-s3-sink configuration converted from the Kafka Connect connector" +
          (name_.empty() ? std::string() : " \"" + name_ + "\"") + " (" + class_name_ + ")",
      "by `kafka-s3-sink connect-config`. Check the warnings and unmapped settings at the end.",
  };
  std::string yaml = yaml_.render(header);
  // Comments stay comments: text from the connector config may hold line breaks.
  auto one_line = [](std::string text) {
    for (char& c : text) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return text;
  };
  if (!result.unmapped.empty()) {
    yaml += "\n# Not mapped:\n";
    for (const UnmappedSetting& setting : result.unmapped) {
      yaml += "#   " + one_line(setting.connect_setting + ": " + setting.why_not_mapped) + "\n";
    }
  }
  if (!result.warnings.empty()) {
    yaml += "\n# Differences from the connector:\n";
    for (const std::string& warning : result.warnings) yaml += "#   - " + one_line(warning) + "\n";
  }
  result.yaml = std::move(yaml);
  return result;
}

std::string value_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case boost::json::kind::array: {
      std::string text;
      for (const boost::json::value& item : value.get_array()) {
        if (!text.empty()) text += ",";
        text += value_text(item);
      }
      return text;
    }
    default:
      return boost::json::serialize(value);
  }
}

}  // namespace

bool is_secret_connect_setting(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (std::string_view marker :
       {"secret", "password", "passwd", "token", "jaas", "user.info", "userinfo", "credentials",
        "access.key", "access_key", "customer.key", "external.id", "private.key", "ssl.key",
        "keystore", "truststore.certificates", "sasl.oauthbearer"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

ConnectConversion convert_connect_config(std::string_view json_text) {
  boost::json::error_code error;
  boost::json::value root = boost::json::parse(json_text, error);
  if (error) {
    throw ConnectConfigError("the connector config is not valid JSON: " + error.message());
  }
  if (!root.is_object()) {
    throw ConnectConfigError(
        "the connector config must be a JSON object: the config ({\"connector.class\": ...}) "
        "or the Connect REST shape ({\"name\": ..., \"config\": {...}})");
  }
  const boost::json::object* config = &root.get_object();
  std::string name;
  if (const boost::json::value* inner = config->if_contains("config")) {
    if (!inner->is_object()) throw ConnectConfigError("\"config\" must be a JSON object");
    if (const boost::json::value* outer_name = config->if_contains("name");
        outer_name && outer_name->is_string()) {
      name = std::string(outer_name->get_string());
    }
    config = &inner->get_object();
  }
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [key, value] : *config) {
    if (value.is_null()) continue;
    if (value.is_object()) {
      throw ConnectConfigError("setting '" + std::string(key) +
                               "' is a JSON object; Connect settings are flat text values");
    }
    settings.emplace_back(std::string(key), value_text(value));
  }
  for (const auto& [key, value] : settings) {
    if (key == "name" && name.empty()) name = value;
  }
  return Converter(std::move(settings), std::move(name)).run();
}

}  // namespace ks3::server

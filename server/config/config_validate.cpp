// Checks that involve more than one setting, or a setting's meaning (after every layer).
#include <regex.h>

#include "kafka/consumer_config.hpp"
#include "server/config/config_schema.hpp"
#include "server/config/config_values.hpp"
#include "server/keys/key_safe.hpp"

namespace ks3::server {
namespace {

constexpr std::uint64_t kMinPartSize = 5ULL << 20;  // "5 MiB to 5 GiB ... last part can be < 5 MiB"
constexpr std::uint64_t kMaxPartSize = 5ULL << 30;

bool has_control_character(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). Object
// keys are UTF-8: a prefix or a template that is not would make keys S3 refuses (and its YAML
// would not print back as the same text).
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

void check_kafka(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  const KafkaSettings& kafka = config.kafka;
  if (trim(kafka.bootstrap_servers).empty()) {
    issues.push_back(
        {"kafka.bootstrap_servers", "set the Kafka brokers, e.g. host1:9092,host2:9092"});
  }
  if (trim(kafka.group_id).empty()) {
    issues.push_back(
        {"kafka.group_id", "set the consumer group id (instances sharing it share the work)"});
  }
  if (kafka.topics.empty() == kafka.topics_regex.empty()) {
    issues.push_back({"kafka.topics",
                      "set exactly one of kafka.topics (a list of names) and "
                      "kafka.topics_regex (e.g. '^edfi\\..*')"});
  }
  if (!kafka.topics_regex.empty()) {
    // librdkafka subscribes by pattern to names starting with '^' (added when missing).
    std::string pattern =
        kafka.topics_regex.starts_with('^') ? kafka.topics_regex : "^" + kafka.topics_regex;
    regex_t compiled;
    if (regcomp(&compiled, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
      issues.push_back({"kafka.topics_regex", "is not a valid POSIX extended regular expression"});
    } else {
      regfree(&compiled);
    }
  }
  // Properties the sink owns: overriding them would break the exactly-once commit protocol.
  for (const auto& [name, reason] :
       std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"enable.auto.commit", "the sink commits offsets itself, only for data durable in S3"},
           {"enable.auto.offset.store", "the sink stores offsets itself"},
           {"group.id", "use kafka.group_id"},
           {"bootstrap.servers", "use kafka.bootstrap_servers"}}) {
    if (kafka.properties.contains(std::string(name))) {
      issues.push_back(
          {"kafka.properties." + std::string(name), "remove it: " + std::string(reason)});
    }
  }
}

// True when `pattern` (a subscription regex; librdkafka adds '^') matches `topic`.
bool regex_matches(const std::string& pattern, const std::string& topic) {
  const std::string anchored = pattern.starts_with('^') ? pattern : "^" + pattern;
  regex_t compiled;
  if (regcomp(&compiled, anchored.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
  const bool match = regexec(&compiled, topic.c_str(), 0, nullptr, 0) == 0;
  regfree(&compiled);
  return match;
}

// bad_records.dead_letter_topic: a valid name, not one the sink consumes (each dead letter
// would come back as a record, and a bad one would be dead-lettered again, for ever), only
// with the dead_letter policy, and not in mirror mode (its dead letters go to S3).
void check_dead_letter_topic(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  const std::string& topic = config.bad_records.dead_letter_topic;
  if (topic.empty()) return;
  const std::string key = "bad_records.dead_letter_topic";
  if (!kafka::valid_topic_name(topic)) {
    issues.push_back({key, "'" + topic +
                               "' is not a valid Kafka topic name (ASCII letters, digits, '.', "
                               "'_', '-'; at most 249 characters); leave it empty to write dead "
                               "letters to S3 under bad_records.dead_letter_prefix"});
    return;
  }
  if (config.bad_records.policy != BadRecordPolicy::dead_letter) {
    issues.push_back({key, "is used only with bad_records.policy: dead_letter (the policy is '" +
                               std::string(to_string(config.bad_records.policy)) +
                               "'): set the policy or remove the topic"});
  }
  if (config.mode == SinkMode::mirror) {
    issues.push_back({key,
                      "mode: mirror writes its dead letters to S3 only (under "
                      "bad_records.dead_letter_prefix): remove bad_records.dead_letter_topic"});
  }
  const KafkaSettings& kafka = config.kafka;
  for (const std::string& consumed : kafka.topics) {
    const bool loop =
        consumed.starts_with('^') ? regex_matches(consumed, topic) : consumed == topic;
    if (loop) {
      issues.push_back({key, "'" + topic + "' is consumed by this sink (kafka.topics: '" +
                                 consumed +
                                 "'): its dead letters would come back as records; "
                                 "use another topic"});
    }
  }
  if (!kafka.topics_regex.empty() && regex_matches(kafka.topics_regex, topic)) {
    issues.push_back({key, "'" + topic +
                               "' matches kafka.topics_regex, so this sink would "
                               "consume its own dead letters; use a topic outside the pattern"});
  }
}

void check_s3(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  const S3Settings& s3 = config.s3;
  const std::size_t before = issues.size();
  if (s3.client.bucket.empty()) {
    issues.push_back({"s3.bucket", "set the bucket objects go to (or KAFKA_S3_SINK_S3__BUCKET)"});
  }
  // The S3 client's own checks, each under the configuration key that sets it.
  if (!s3.client.endpoint.empty()) {
    try {
      s3::parse_endpoint(s3.client.endpoint);
    } catch (const std::invalid_argument& e) {
      issues.push_back({"s3.endpoint", e.what()});
    }
  }
  if (trim(s3.client.region).empty()) {
    issues.push_back({"s3.region", "set the signing region, e.g. us-east-1 (MinIO's default)"});
  }
  for (const auto& [key, value] :
       std::initializer_list<std::pair<std::string_view, std::chrono::milliseconds>>{
           {"s3.connect_timeout", s3.client.timeouts.connect},
           {"s3.read_timeout", s3.client.timeouts.read},
           {"s3.write_timeout", s3.client.timeouts.write},
           {"s3.retry_base_delay", s3.client.retry.base_delay},
           {"s3.operation_deadline", s3.client.retry.deadline}}) {
    if (value.count() <= 0) issues.push_back({std::string(key), "must be above 0, e.g. 5s"});
  }
  if (s3.client.retry.max_delay < s3.client.retry.base_delay) {
    issues.push_back({"s3.retry_max_delay", "must not be below s3.retry_base_delay"});
  }
  if (issues.size() == before) {
    try {
      s3::validate(s3.client);  // anything the checks above do not cover yet
    } catch (const std::invalid_argument& e) {
      issues.push_back({"s3", e.what()});
    }
  }
  if (s3.credentials.access_key_id.empty() != s3.credentials.secret_access_key.empty()) {
    issues.push_back({"s3.access_key_id",
                      "set both s3.access_key_id and s3.secret_access_key, "
                      "or neither (to use the AWS credentials chain)"});
  }
  if (s3.health_check_interval.count() <= 0) {
    issues.push_back({"s3.health_check_interval", "must be above 0, e.g. 10s"});
  }
  if (s3.prefix.starts_with('/') || has_control_character(s3.prefix)) {
    issues.push_back({"s3.prefix", "must not start with '/' or contain control characters"});
  } else if (!is_valid_utf8(s3.prefix)) {
    issues.push_back({"s3.prefix", "must be UTF-8 text (object keys are UTF-8)"});
  }
  for (const s3::ObjectSettingsIssue& issue : s3::validate(s3.objects)) {
    issues.push_back({"s3." + issue.field, issue.message});
  }
  if (s3.part_size < kMinPartSize || s3.part_size > kMaxPartSize) {
    issues.push_back({"s3.part_size",
                      "must be from 5MiB to 5GiB (S3's limits for a multipart "
                      "part; objects smaller than a part go out in one PUT)"});
  }
}

// More than one topic can be consumed: keys without {{topic}} would collide across topics
// (partition 0 of a and of b at the same start offset), one object silently replacing another.
bool several_topics(const KafkaSettings& kafka) {
  if (!kafka.topics_regex.empty()) return true;
  for (const std::string& topic : kafka.topics) {
    if (topic != kafka.topics.front()) return true;
  }
  return false;
}

void check_topics_in_keys(const SinkConfig& config, const KeyTemplate& keys,
                          std::vector<ConfigIssue>& issues) {
  if (!several_topics(config.kafka)) return;
  const std::string why =
      " must contain {{topic}} when more than one topic is consumed (" +
      std::string(config.kafka.topics_regex.empty() ? "kafka.topics lists several"
                                                    : "kafka.topics_regex") +
      "): otherwise the same partition and offset of two topics get the same key and one "
      "object replaces the other; e.g. " +
      std::string(kDefaultKeyTemplate);
  if (!keys.reads_topic()) issues.push_back({"key_template", "'" + keys.text() + "'" + why});
  if (config.bad_records.policy == BadRecordPolicy::dead_letter &&
      !config.dead_letter_key_template().reads_topic()) {
    issues.push_back({"bad_records.dead_letter_prefix", "the dead-letter key template" + why});
  }
}

// format.input avro and the Schema Registry.
void check_avro_input(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  if (config.format.format == OutputFormat::avro && config.input != InputFormat::avro) {
    issues.push_back(
        {"format.type", "avro writes the records' Avro datums: set format.input to avro"});
  }
  if (config.format.format == OutputFormat::avro && config.tombstones == TombstonePolicy::write) {
    issues.push_back({"tombstones",
                      "an Avro container file has no null records: with format.type avro set "
                      "tombstones to ignore or fail"});
  }
  if (config.input != InputFormat::avro) {
    if (!config.avro_reader_schema.path.empty()) {
      issues.push_back({"format.avro.reader_schema",
                        "a reader schema applies to Avro values: set format.input to avro"});
    }
    if (config.key_input == KeyInput::avro) {
      issues.push_back({"format.key_input",
                        "Avro keys are decoded through the Schema Registry of the Avro input: "
                        "set format.input to avro"});
    }
    return;
  }
  if (config.key_input == KeyInput::avro && config.format.key_encoding != BytesEncoding::json &&
      config.format.format != OutputFormat::raw && config.format.format != OutputFormat::avro) {
    issues.push_back({"format.key_encoding",
                      "format.key_input avro turns keys into JSON: use key_encoding json"});
  }
  const std::string& url = config.schema_registry.url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    issues.push_back({"schema_registry.url",
                      "format.input avro needs the Schema Registry, e.g. "
                      "http://registry:8081 (http:// or https://)"});
  } else {
    const std::size_t start = url.find("://") + 3;
    const std::string_view authority =
        std::string_view(url).substr(start, url.find('/', start) - start);
    if (authority.find('@') != std::string_view::npos) {
      // --validate prints the URL: the password must not be in it.
      issues.push_back({"schema_registry.url",
                        "put the credentials in schema_registry.username and "
                        "schema_registry.password, not in the URL"});
    }
  }
  if (config.format.format != OutputFormat::raw && config.format.format != OutputFormat::avro &&
      config.format.value_encoding != BytesEncoding::json) {
    issues.push_back({"format.value_encoding",
                      "format.input avro turns values into JSON: use value_encoding json"});
  }
}

// format.type parquet and its keys.
void check_parquet(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  const bool parquet = config.format.format == OutputFormat::parquet;
  if (config.compression.type == Compression::snappy && !parquet &&
      config.format.format != OutputFormat::avro) {
    issues.push_back({"compression.type",
                      "snappy compresses Parquet pages and Avro blocks only; for format.type " +
                          std::string(to_string(config.format.format)) +
                          " use gzip, zstd or none"});
  }
  if (!parquet) return;
  if (config.format.parquet_value == ParquetValueMode::infer &&
      config.format.value_encoding != BytesEncoding::json) {
    issues.push_back({"parquet.value",
                      "infer reads the value as JSON: set format.value_encoding to json, or "
                      "use parquet.value json"});
  }
  if (config.format.parquet_row_group_bytes < (64U << 10) ||
      config.format.parquet_row_group_bytes > (1ULL << 30)) {
    issues.push_back({"parquet.row_group_bytes", "use 64KiB to 1GiB, e.g. 64MiB (the default)"});
  }
}

void check_output(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  if (!valid_compression_level(config.compression.type, config.compression.level)) {
    issues.push_back(
        {"compression.level",
         "for " + std::string(to_string(config.compression.type)) + " use " +
             (config.compression.type == Compression::gzip   ? "1-9"
              : config.compression.type == Compression::zstd ? "1-19"
                                                             : "0 (or leave it unset)")});
  }
  check_parquet(config, issues);
  check_avro_input(config, issues);
  if (config.format.format == OutputFormat::raw && config.format.delimiter.empty()) {
    issues.push_back({"format.delimiter", "raw records need a delimiter between them, e.g. '\\n'"});
  }
  if (!is_valid_utf8(config.key_template)) {
    issues.push_back({"key_template", "must be UTF-8 text (object keys are UTF-8)"});
  }
  if (!is_key_safe_text(config.key_default)) {
    issues.push_back({"key_default", "must be non-empty and use only A-Z a-z 0-9 . _ - ="});
  } else {
    try {
      check_topics_in_keys(config, config.object_key_template(), issues);
    } catch (const KeyTemplateError& e) {
      issues.push_back({"key_template", e.what()});
    }
  }
  if (config.bad_records.policy == BadRecordPolicy::dead_letter) {
    const std::string& prefix = config.bad_records.dead_letter_prefix;
    if (prefix.empty() || prefix.starts_with('/') || has_control_character(prefix)) {
      issues.push_back(
          {"bad_records.dead_letter_prefix",
           "set a prefix for dead-letter objects, e.g. '_dlq/' (not starting with '/')"});
    }
  }
}

void check_process(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  const RotationOptions& r = config.rotation;
  if (r.max_records == 0 && r.max_bytes == 0 && r.time_window.count() == 0 &&
      r.idle_flush.count() == 0 && r.max_open.count() == 0) {
    issues.push_back({"rotation",
                      "nothing would close objects before shutdown; set "
                      "rotation.max_bytes, max_records, time_window, idle_flush or "
                      "max_open"});
  }
  if (config.memory.low_watermark >= config.memory.high_watermark) {
    issues.push_back({"memory.low_watermark", "must be below memory.high_watermark"});
  }
  // The bytes the budget reserves up front, named in the messages.
  const std::uint64_t reserved = reserved_memory_bytes(config);
  std::string reserved_what =
      "librdkafka's prefetch (kafka.properties queued.max.messages.kbytes: " +
      std::to_string(kafka_prefetch_bytes(config.kafka) >> 20) + " MiB";
  if (reserved != kafka_prefetch_bytes(config.kafka)) {
    reserved_what += ") and the dead-letter producer's queue (bad_records.dead_letter_topic: " +
                     std::to_string(kDeadLetterQueueKiB >> 10) + " MiB";
  }
  reserved_what += ")";
  if (config.memory.high_watermark < reserved + 2 * config.s3.part_size) {
    issues.push_back({"memory.high_watermark",
                      "must be at least " + reserved_what +
                          ", which the budget counts, plus twice s3.part_size (a part must "
                          "fit while another uploads)"});
  } else if (config.memory.low_watermark < reserved) {
    issues.push_back({"memory.low_watermark",
                      "must be at least " + reserved_what +
                          ", which the budget counts: below it consumption would never resume"});
  }
  if (config.shutdown_deadline.count() <= 0) {
    issues.push_back({"shutdown_deadline", "must be above 0, e.g. 30s"});
  }
  if (!config.http_listen.empty()) {
    std::size_t colon = config.http_listen.rfind(':');
    auto port = colon == std::string::npos
                    ? std::nullopt
                    : parse_unsigned(std::string_view(config.http_listen).substr(colon + 1));
    if (colon == 0 || !port || *port > 65535) {
      issues.push_back({"http.listen",
                        "write host:port, e.g. 0.0.0.0:9400 or 127.0.0.1:9400 "
                        "(empty turns the HTTP endpoints off)"});
    }
  }
}

// mode: mirror. The document key template may not contain {{start_offset}} (a key per record
// would never be replaced or deleted); the document field must be a dotted path.
void check_mirror(const SinkConfig& config, std::vector<ConfigIssue>& issues) {
  if (config.mode != SinkMode::mirror) return;
  const MirrorSettings& mirror = config.mirror;
  if (mirror.key_template.find("{{start_offset") != std::string::npos ||
      mirror.key_template.find("{{ start_offset") != std::string::npos) {
    issues.push_back({"mirror.key_template",
                      "must not contain {{start_offset}}: a mirrored object is one document, "
                      "e.g. {{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}"
                      ".json"});
  } else {
    try {
      KeyTemplate keys = config.mirror_key_template();
      if (several_topics(config.kafka) && !keys.reads_topic() && !keys.reads_value()) {
        issues.push_back({"mirror.key_template",
                          "must contain {{topic}} or {{value....}} fields when more than one "
                          "topic is consumed: equal record keys of two topics would share an "
                          "object"});
      }
    } catch (const KeyTemplateError& e) {
      issues.push_back({"mirror.key_template", e.what()});
    }
  }
  if (mirror.body == MirrorBody::document && !JsonPath::parse(mirror.document_field)) {
    issues.push_back({"mirror.document_field",
                      "set a dotted path into the value, e.g. edfidoc or after.edfidoc"});
  }
  if (mirror.body == MirrorBody::envelope && config.format.format != OutputFormat::jsonl) {
    issues.push_back(
        {"mirror.body", "envelope writes the JSON lines envelope: set format.type to jsonl"});
  }
}

}  // namespace

std::vector<ConfigIssue> validate_config(const SinkConfig& config) {
  std::vector<ConfigIssue> issues;
  check_kafka(config, issues);
  check_dead_letter_topic(config, issues);
  check_s3(config, issues);
  check_output(config, issues);
  check_process(config, issues);
  check_mirror(config, issues);
  return issues;
}

}  // namespace ks3::server

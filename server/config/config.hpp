// The sink's configuration: one struct, filled in layers (later wins):
//   1. defaults (they work against the local demo: scripts/demo);
//   2. the YAML file (--config FILE, or KAFKA_S3_SINK_CONFIG);
//   3. environment variables KAFKA_S3_SINK_<PATH>: the key path upper-cased with "__" between
//      levels, e.g. KAFKA_S3_SINK_S3__BUCKET=lake, KAFKA_S3_SINK_ROTATION__MAX_RECORDS=1000;
//      librdkafka properties as KAFKA_S3_SINK_KAFKA__PROPERTIES__<NAME> with '_' for '.'
//      (KAFKA_S3_SINK_KAFKA__PROPERTIES__FETCH_WAIT_MAX_MS=10 sets fetch.wait.max.ms);
//   4. --set key=value on the command line (key paths with dots: --set s3.bucket=lake), then
//      --log-level and --log-format.
// Every key is documented in README.md ("Configuration reference"). Unknown keys are errors (with
// a "did you mean"); Kafka Connect S3 sink names (flush.size, rotate.interval.ms, s3.bucket.name,
// topics, ...) are accepted as aliases. Exceptions are fine here: this runs at start-up only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kafka/static_assignment.hpp"
#include "metrics/log.hpp"
#include "s3/client_config.hpp"
#include "s3/credentials_chain.hpp"
#include "s3/object_settings.hpp"
#include "server/compress/compressor.hpp"
#include "server/config/mirror_settings.hpp"
#include "server/delivery/rotation.hpp"
#include "server/format/avro/schema.hpp"
#include "server/format/record_encoder.hpp"
#include "server/keys/key_template.hpp"

namespace ks3::server {

// kafka.assign: static partition assignment instead of the consumer group's rebalancing
// (kafka/static_assignment.hpp, docs/DESIGN.md "Static assignment"). Nothing set: group mode.
struct AssignSettings {
  std::optional<std::uint32_t> replicas;  // kafka.assign.replicas
  std::string ordinal;                    // kafka.assign.ordinal as written: a number or "auto"
  // kafka.assign.topics: topic -> its partitions as written ("0,1,2", "0-3"; a YAML list is
  // joined with commas).
  std::vector<std::pair<std::string, std::string>> topics;
  std::chrono::milliseconds check_interval{10000};  // owner tags read back this often
  std::chrono::milliseconds takeover_after{60000};  // a foreign owner this quiet may be replaced

  // Resolved when the configuration is loaded: the rule (nullopt: group mode), where the
  // ordinal came from, and the host name (owner tags; ordinal: auto).
  std::optional<kafka::StaticAssignment> rule;
  std::string ordinal_source;
  std::string host_name;

  bool given() const { return replicas || !ordinal.empty() || !topics.empty(); }
};

struct KafkaSettings {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::string group_id = "kafka-s3-sink";
  std::vector<std::string> topics;
  std::string topics_regex;  // a regex subscription ('^' is added when missing)
  std::map<std::string, std::string> properties;  // passed through to librdkafka as they are
  bool fetch_wakeup = true;                       // kafka::ConsumerConfig::fetch_wakeup
  AssignSettings assign;
};

struct S3Settings {
  s3::ClientConfig client;  // endpoint, region, bucket, addressing, TLS, timeouts, retries
  s3::CredentialsConfig credentials;
  std::string prefix;  // a folder for every object key: "raw" is "raw/" (folder_prefix)
  std::uint64_t part_size = 8ULL << 20;  // multipart part size (5 MiB minimum)
  std::size_t max_parts_in_flight = 8;   // uploads in parallel, all objects together
  std::size_t max_parts_in_flight_per_object = 4;
  std::chrono::milliseconds health_check_interval{10000};  // HeadBucket for /readyz
  bool startup_check = true;  // HeadBucket once before consuming; failure: exit 3
  // What every data object gets (s3.sse, s3.sse_kms_key_id, s3.storage_class, s3.tags,
  // s3.metadata); cut manifests get the encryption only (s3::encryption_only).
  s3::ObjectSettings objects;
};

struct CompressionSettings {
  Compression type = Compression::gzip;
  int level = -1;  // -1 until loaded: then the type's default (gzip 1, zstd 3, none 0)
};

enum class TombstonePolicy { ignore, write, fail };
enum class BadRecordPolicy { fail, skip, dead_letter };

struct BadRecordSettings {
  BadRecordPolicy policy = BadRecordPolicy::fail;
  std::string dead_letter_prefix = "_dlq/";
  // Non-empty: dead letters are produced to this Kafka topic (same cluster and security settings
  // as the consumer) instead of written under dead_letter_prefix in S3.
  std::string dead_letter_topic;
};

// Cut manifests in S3 (server/delivery/manifest.hpp): a re-run after a reset of the group's
// offsets, or with a new group id, cuts where the first run did. Off: the commit-metadata journal
// only (docs/DESIGN.md, "Delivery: exactly-once object set").
struct DeliverySettings {
  bool manifests = true;
};

// format.input: what record values are. avro: Confluent Schema Registry framing, decoded to
// JSON text (server/format/avro_values.hpp) before the encoders see them.
enum class InputFormat { json, avro };

// format.key_input: what record keys are. bytes: as they come (format.key_encoding applies);
// avro: Confluent Schema Registry framing, decoded to JSON text through the same registry
// (needs format.input avro; format.key_encoding json).
enum class KeyInput { bytes, avro };

// format.avro.reader_schema: an .avsc file every Avro value is resolved to (Avro schema
// resolution), read and parsed when the configuration loads (avro_reader_schema.hpp).
struct AvroReaderSchema {
  std::string path;                            // "" : none, values follow their writer schemas
  std::shared_ptr<const std::string> text;     // the file's text (container headers)
  std::shared_ptr<const avro::Schema> schema;  // parsed; set once loaded
};

struct SchemaRegistrySettings {
  std::string url;  // http:// or https://host[:port][/prefix]
  std::string username;
  std::string password;  // secret: never logged, "***" in --validate
  std::string ca_file;   // https: a PEM CA file instead of the system store
};

// The memory budget counts everything the sink holds for records, librdkafka's queues included:
// the budget reserves reserved_memory_bytes() up front (the consumer's prefetch, and the
// dead-letter producer's queue when bad_records.dead_letter_topic is set), and the pipeline's own
// bytes (buffers, parts, objects waiting for upload) count on top of it.
struct MemorySettings {
  std::uint64_t high_watermark = 256ULL << 20;  // pause every partition above this
  std::uint64_t low_watermark = 192ULL << 20;   // resume below this
};

// What librdkafka's consumer queue may hold: queued.max.messages.kbytes from the kafka
// properties (the last one given), or the sink's default (64 MiB). Reserved in the memory budget.
std::uint64_t kafka_prefetch_bytes(const KafkaSettings& kafka);

// The dead-letter producer's queue.buffering.max.kbytes (bad_records.dead_letter_topic): fixed,
// like its other producer settings (server/pipeline/dead_letter_producer.hpp).
inline constexpr std::uint64_t kDeadLetterQueueKiB = 16 * 1024;

struct SinkConfig;
// What librdkafka may hold outside the pipeline, reserved in the memory budget up front: the
// consumer's prefetch (kafka_prefetch_bytes) plus, when dead letters go to a Kafka topic
// (bad_records.policy dead_letter with dead_letter_topic), the producer's queue
// (kDeadLetterQueueKiB). librdkafka does not report its queues' bytes cheaply: the bound is
// reserved, not the current size.
std::uint64_t reserved_memory_bytes(const SinkConfig& config);

// The number of cores (at least 1): the default of pipeline.workers.
std::uint32_t default_pipeline_workers();

struct PipelineSettings {
  // Threads that compress blocks and hash parts; 0 does that work on the event loop.
  std::uint32_t workers = default_pipeline_workers();
};

struct SinkConfig {
  KafkaSettings kafka;
  S3Settings s3;
  EncoderOptions format;
  InputFormat input = InputFormat::json;
  KeyInput key_input = KeyInput::bytes;
  AvroReaderSchema avro_reader_schema;
  SchemaRegistrySettings schema_registry;
  CompressionSettings compression;
  std::string key_template = std::string(kDefaultKeyTemplate);
  std::string key_default = "_unknown";
  RotationOptions rotation = default_rotation();
  TombstonePolicy tombstones = TombstonePolicy::write;
  BadRecordSettings bad_records;
  DeliverySettings delivery;
  MemorySettings memory;
  PipelineSettings pipeline;
  std::chrono::milliseconds shutdown_deadline{30000};
  std::string http_listen = "127.0.0.1:9400";  // "" turns the HTTP endpoints off
  log::Level log_level = log::Level::info;
  log::Format log_format = log::Format::text;
  SinkMode mode = SinkMode::log;  // mirror: one object per document (mirror_settings.hpp)
  MirrorSettings mirror;

  static RotationOptions default_rotation();
  // The key template with prefix and extension, as the pipeline uses it (valid after loading).
  KeyTemplate object_key_template() const;
  // The dead-letter key template: <dead_letter_prefix><topic>/partition=<p>/<topic>+<p>+<offset>.
  KeyTemplate dead_letter_key_template() const;
  // mode: mirror: the document key template (mirror.key_template, under s3.prefix).
  KeyTemplate mirror_key_template() const;
};

// The rotation the pipeline applies: max_bytes is capped at 9000 parts of s3.part_size, so no
// object reaches S3's 10,000-part limit ("Part numbers can be any number from 1 to 10,000").
RotationOptions effective_rotation(const SinkConfig& config);

std::string_view to_string(TombstonePolicy policy);
std::string_view to_string(BadRecordPolicy policy);
std::string_view to_string(InputFormat input);
std::string_view to_string(KeyInput input);

// One problem with one setting: the key path (canonical, or the alias/env var the user wrote)
// and what to do about it.
struct ConfigIssue {
  std::string key;
  std::string message;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

struct ConfigSources {
  std::optional<std::string> file;                               // --config
  std::vector<std::pair<std::string, std::string>> environment;  // (NAME, value), all of them
  std::vector<std::string> sets;                                 // --set key=value, in order
  std::optional<std::string> log_level;                          // --log-level
  std::optional<std::string> log_format;                         // --log-format
  // The host name for kafka.assign.ordinal: auto and the owner tags (nullopt: gethostname()).
  std::optional<std::string> host_name;
};

// The process environment as (NAME, value) pairs.
std::vector<std::pair<std::string, std::string>> process_environment_pairs();

// Builds and validates the configuration; throws ConfigError listing every problem found.
SinkConfig load_config(const ConfigSources& sources);

// Same, from YAML text (tests).
SinkConfig load_config_from_yaml(std::string_view yaml, const ConfigSources& overrides = {});

// The effective configuration as YAML, secrets shown as "***" (for --validate).
std::string effective_config_yaml(const SinkConfig& config);

// The object key of a sample record: the first topic (or "<topic>" for a regex subscription),
// partition 0, offset 0, the current time, a null key and an empty JSON object as value (fields
// take key_default), with s3.prefix and the format/compression extension. No secrets.
std::string example_object_key(const SinkConfig& config);
// The line --validate prints about it ("# example object key ...: s3://bucket/key\n").
std::string example_key_comment(const SinkConfig& config);

// The line --validate prints about how partitions are assigned ("# kafka assignment: ...\n"):
// the consumer group, or the static rule (kafka.assign) with where its ordinal came from.
std::string assignment_comment(const SinkConfig& config);

}  // namespace ks3::server

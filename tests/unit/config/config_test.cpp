#include "server/config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "server/config/config_values.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace ks3::server {
namespace {

using config_test::error_of;
using config_test::with_sets;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kMinimal = R"(
kafka:
  topics: [edfi.dms.document]
s3:
  bucket: lake
)";

TEST(ConfigValues, Sizes) {
  EXPECT_EQ(parse_size("8388608"), 8388608u);
  EXPECT_EQ(parse_size("8MiB"), 8u << 20);
  EXPECT_EQ(parse_size("8 mib"), 8u << 20);
  EXPECT_EQ(parse_size("512KiB"), 512u << 10);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
  EXPECT_EQ(parse_size("5MB"), 5000000u);
  EXPECT_EQ(parse_size("100B"), 100u);
  EXPECT_EQ(parse_size("8 MiBs"), std::nullopt);
  EXPECT_EQ(parse_size("-1"), std::nullopt);
  EXPECT_EQ(parse_size("MiB"), std::nullopt);
  EXPECT_EQ(parse_size("99999999999999999999GiB"), std::nullopt);
  EXPECT_EQ(format_size(8u << 20), "8MiB");
  EXPECT_EQ(format_size(1000), "1000");
}

TEST(ConfigValues, Durations) {
  EXPECT_EQ(parse_duration("1500"), std::chrono::milliseconds(1500));
  EXPECT_EQ(parse_duration("1500ms"), std::chrono::milliseconds(1500));
  EXPECT_EQ(parse_duration("30s"), std::chrono::seconds(30));
  EXPECT_EQ(parse_duration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(parse_duration("2h"), std::chrono::hours(2));
  EXPECT_EQ(parse_duration("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_duration("5 minutes"), std::nullopt);
  EXPECT_EQ(parse_duration("1.5s"), std::nullopt);
  EXPECT_EQ(format_duration(std::chrono::seconds(30)), "30s");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(std::chrono::minutes(10)), "10m");
}

TEST(ConfigValues, BoolsListsAndEscapes) {
  EXPECT_EQ(parse_bool("Yes"), true);
  EXPECT_EQ(parse_bool("off"), false);
  EXPECT_EQ(parse_bool("maybe"), std::nullopt);
  EXPECT_EQ(split_list(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(unescape_delimiter("\\n"), "\n");
  EXPECT_EQ(unescape_delimiter("a\\tb\\\\"), "a\tb\\");
  EXPECT_EQ(edit_distance("s3.buckt", "s3.bucket"), 1u);
}

TEST(Config, DefaultsWithTheMinimalSettings) {
  SinkConfig c = load_config_from_yaml(kMinimal);
  EXPECT_EQ(c.kafka.bootstrap_servers, "127.0.0.1:9092");
  EXPECT_EQ(c.kafka.topics, (std::vector<std::string>{"edfi.dms.document"}));
  EXPECT_EQ(c.s3.client.bucket, "lake");
  EXPECT_EQ(c.s3.part_size, 8u << 20);
  EXPECT_EQ(c.compression.type, Compression::gzip);
  EXPECT_EQ(c.compression.level, 1);
  EXPECT_EQ(c.format.format, OutputFormat::jsonl);
  EXPECT_EQ(c.tombstones, TombstonePolicy::write);
  EXPECT_EQ(c.rotation.max_bytes, 64u << 20);
  EXPECT_EQ(c.object_key_template().text(), kDefaultKeyTemplate);
}

TEST(Config, ReadsEverySection) {
  SinkConfig c = load_config_from_yaml(R"(
kafka:
  bootstrap_servers: "b1:9092,b2:9092"
  group_id: lake-sink
  topics_regex: '^edfi\..*'
  properties:
    fetch.wait.max.ms: 10
    sasl.password: hunter2
s3:
  endpoint: http://127.0.0.1:9000
  region: eu-west-1
  bucket: lake
  prefix: raw/
  access_key_id: AKIAIOSFODNN7EXAMPLE
  secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  addressing: path
  tls_verify: false
  part_size: 16MiB
  max_parts_in_flight: 4
  read_timeout: 10s
  max_attempts: 3
  health_check_interval: 2s
format:
  type: csv
  fields: [topic, offset, value]
  value_encoding: string
  csv_header: no
compression:
  type: zstd
key_template: "{{topic}}/{{value.resourcename}}/{{partition}}/{{start_offset}}"
rotation:
  max_records: 1000
  max_bytes: 0
  time_window: 1h
  idle_flush: 5s
  max_open: 0
tombstones: ignore
bad_records:
  policy: dead_letter
  dead_letter_prefix: errors/
memory:
  high_watermark: 1GiB
  low_watermark: 512MiB
shutdown_deadline: 45s
http:
  listen: 0.0.0.0:9400
log:
  level: debug
  format: json
)");
  EXPECT_EQ(c.kafka.bootstrap_servers, "b1:9092,b2:9092");
  EXPECT_EQ(c.kafka.group_id, "lake-sink");
  EXPECT_EQ(c.kafka.topics_regex, "^edfi\\..*");
  EXPECT_EQ(c.kafka.properties.at("fetch.wait.max.ms"), "10");
  EXPECT_EQ(c.s3.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.s3.client.region, "eu-west-1");
  EXPECT_EQ(c.s3.prefix, "raw/");
  EXPECT_EQ(c.s3.client.addressing, s3::AddressingStyle::path);
  EXPECT_FALSE(c.s3.client.tls.verify);
  EXPECT_EQ(c.s3.part_size, 16u << 20);
  EXPECT_EQ(c.s3.max_parts_in_flight, 4u);
  EXPECT_EQ(c.s3.client.timeouts.read, std::chrono::seconds(10));
  EXPECT_EQ(c.s3.client.retry.max_attempts, 3);
  EXPECT_EQ(c.s3.health_check_interval, std::chrono::seconds(2));
  EXPECT_EQ(c.format.format, OutputFormat::csv);
  EXPECT_EQ(c.format.fields,
            (std::vector<EnvelopeField>{EnvelopeField::topic, EnvelopeField::offset,
                                        EnvelopeField::value}));
  EXPECT_EQ(c.format.value_encoding, BytesEncoding::string);
  EXPECT_FALSE(c.format.csv_header);
  EXPECT_EQ(c.compression.type, Compression::zstd);
  EXPECT_EQ(c.compression.level, 3) << "the level defaults per type";
  EXPECT_EQ(c.rotation.max_records, 1000u);
  EXPECT_EQ(c.rotation.time_window, std::chrono::hours(1));
  EXPECT_EQ(c.rotation.idle_flush, std::chrono::seconds(5));
  EXPECT_EQ(c.tombstones, TombstonePolicy::ignore);
  EXPECT_EQ(c.bad_records.policy, BadRecordPolicy::dead_letter);
  EXPECT_EQ(c.memory.high_watermark, 1u << 30);
  EXPECT_EQ(c.shutdown_deadline, std::chrono::seconds(45));
  EXPECT_EQ(c.http_listen, "0.0.0.0:9400");
  EXPECT_EQ(c.log_level, log::Level::debug);
  EXPECT_EQ(c.log_format, log::Format::json);
  EXPECT_EQ(c.object_key_template().text(),
            "{{topic}}/{{value.resourcename}}/{{partition}}/{{start_offset}}");
}

TEST(Config, KafkaConnectNamesAreAliases) {
  SinkConfig c = load_config_from_yaml(R"(
topics: "a, b"
s3.bucket.name: lake
s3.region: us-west-2
flush.size: 500
rotate.interval.ms: 60000
rotate.schedule.interval.ms: 300000
s3.part.size: 5242880
s3.compression.type: gzip
behavior.on.null.values: fail
s3.path.style.access.enabled: true
store.url: http://127.0.0.1:9000
file.name.template: "{{topic}}-{{partition}}-{{start_offset}}"
)");
  EXPECT_EQ(c.kafka.topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.s3.client.bucket, "lake");
  EXPECT_EQ(c.s3.client.region, "us-west-2");
  EXPECT_EQ(c.rotation.max_records, 500u);
  EXPECT_EQ(c.rotation.time_window, std::chrono::minutes(1));
  EXPECT_EQ(c.rotation.max_open, std::chrono::minutes(5));
  EXPECT_EQ(c.s3.part_size, 5u << 20);
  EXPECT_EQ(c.tombstones, TombstonePolicy::fail);
  EXPECT_EQ(c.s3.client.addressing, s3::AddressingStyle::path);
  EXPECT_EQ(c.s3.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.key_template, "{{topic}}-{{partition}}-{{start_offset}}");
}

TEST(Config, EnvironmentThenSetOverrideTheFile) {
  ConfigSources sources;
  sources.environment = {{"KAFKA_S3_SINK_S3__BUCKET", "from-env"},
                         {"KAFKA_S3_SINK_ROTATION__MAX_RECORDS", "7"},
                         {"KAFKA_S3_SINK_KAFKA__PROPERTIES__FETCH_WAIT_MAX_MS", "25"},
                         {"KAFKA_S3_SINK_KAFKA__TOPICS", "x,y"},
                         {"PATH", "/usr/bin"},
                         {"KAFKA_S3_SINK_CONFIG", "ignored-here"}};
  sources.sets = {"rotation.max_records=9", "kafka.properties.queued.min.messages=1000",
                  "flush.size=11"};
  sources.log_level = "warn";
  SinkConfig c = load_config_from_yaml(kMinimal, sources);
  EXPECT_EQ(c.s3.client.bucket, "from-env");
  EXPECT_EQ(c.rotation.max_records, 11u) << "--set applies in order, after the environment";
  EXPECT_EQ(c.kafka.properties.at("fetch.wait.max.ms"), "25");
  EXPECT_EQ(c.kafka.properties.at("queued.min.messages"), "1000");
  EXPECT_EQ(c.kafka.topics, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c.log_level, log::Level::warn);
}

TEST(Config, UnknownKeysAreErrorsWithSuggestions) {
  std::string error = error_of(std::string(kMinimal) + "rotation:\n  max_recods: 5\n");
  EXPECT_THAT(error, HasSubstr("rotation.max_recods: unknown configuration key"));
  EXPECT_THAT(error, HasSubstr("did you mean 'rotation.max_records'?"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "bucket: x\n"),
              HasSubstr("did you mean 's3.bucket'?"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "totally_unrelated_setting: 1\n"),
              Not(HasSubstr("did you mean")));
  ConfigSources env;
  env.environment = {{"KAFKA_S3_SINK_S3__BUCKT", "x"}};
  EXPECT_THAT(error_of(kMinimal, env), HasSubstr("KAFKA_S3_SINK_S3__BUCKT (s3.buckt): unknown"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"nope"})), HasSubstr("write --set key=value"));
}

TEST(Config, BadValuesNameTheKeyAndAGoodValue) {
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.part_size=lots"})),
              HasSubstr("s3.part_size: 'lots' is not a size"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"rotation.idle_flush=soon"})),
              HasSubstr("rotation.idle_flush: 'soon' is not a duration"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"format.type=orc"})),
              HasSubstr("format.type: 'orc' is not one of: jsonl, raw, csv, parquet, avro"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"compression.type=snappy"})),
              HasSubstr("compression.type: snappy compresses Parquet pages and Avro blocks only"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"format.type=avro"})),
              HasSubstr("format.type: avro writes the records' Avro datums"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"format.fields=topic,nope"})),
              HasSubstr("unknown field 'nope'"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.tls_verify=maybe"})),
              HasSubstr("s3.tls_verify: 'maybe' is not true or false"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.max_parts_in_flight=0"})),
              HasSubstr("must be a whole number from 1 to 1024"));
  EXPECT_THAT(error_of("kafka: [1, 2]\n"), HasSubstr("kafka: unknown configuration key"));
  EXPECT_THAT(error_of("kafka: {topics: [a\n"), HasSubstr("is not valid YAML"));
  EXPECT_THAT(error_of("- just\n- a list\n"), HasSubstr("must be a YAML map"));
}

TEST(Config, CrossFieldChecks) {
  EXPECT_THAT(error_of("kafka: {topics: [a]}\n"), HasSubstr("s3.bucket: set the bucket"));
  EXPECT_THAT(error_of("s3: {bucket: b}\n"), HasSubstr("set exactly one of kafka.topics"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"kafka.topics_regex=^a"})),
              HasSubstr("set exactly one of kafka.topics"));
  EXPECT_EQ(error_of("s3: {bucket: b}\nkafka: {topics_regex: 'edfi.*'}\n"), "no error");
  EXPECT_THAT(error_of("s3: {bucket: b}\nkafka: {topics_regex: '^a(b'}\n"),
              HasSubstr("not a valid POSIX extended regular expression"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"kafka.properties.enable.auto.commit=true"})),
              HasSubstr("kafka.properties.enable.auto.commit: remove it"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.part_size=1MiB"})),
              HasSubstr("s3.part_size: must be from 5MiB to 5GiB"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"compression.level=12"})),
              HasSubstr("compression.level: for gzip use 1-9"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"key_template={{topic}}/{{start_offset}}"})),
              HasSubstr("key_template: the key template"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"key_default=a/b"})),
              HasSubstr("key_default: must be"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.access_key_id=AKIA"})),
              HasSubstr("set both s3.access_key_id and s3.secret_access_key"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"memory.low_watermark=1GiB"})),
              HasSubstr("memory.low_watermark: must be below"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"rotation.max_bytes=0", "rotation.idle_flush=0",
                                            "rotation.max_open=0"})),
              HasSubstr("nothing would close objects"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"http.listen=9400"})), HasSubstr("http.listen"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"s3.endpoint=ftp://x"})),
              HasSubstr("s3.endpoint: invalid S3 endpoint"));
  EXPECT_THAT(error_of(kMinimal, with_sets({"format.type=raw", "format.delimiter="})),
              HasSubstr("format.delimiter"));
}

TEST(Config, EveryProblemIsReportedAtOnce) {
  try {
    load_config_from_yaml("s3: {part_size: x}\nformat: {type: y}\nnope: 1\n");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.issues().size(), 3u) << e.what();
  }
}

TEST(Config, EffectiveConfigRedactsSecrets) {
  SinkConfig c = load_config_from_yaml(
      std::string(kMinimal) + R"(
kafka:
  topics: [t]
  properties: {sasl.password: hunter2, sasl.username: alice}
)",
      with_sets({"s3.secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                 "s3.access_key_id=AKIAIOSFODNN7EXAMPLE", "s3.session_token=SESSIONTOKENVALUE"}));
  std::string yaml = effective_config_yaml(c);
  EXPECT_THAT(yaml, Not(HasSubstr("wJalrXUtnFEMI")));
  EXPECT_THAT(yaml, Not(HasSubstr("hunter2")));
  EXPECT_THAT(yaml, Not(HasSubstr("SESSIONTOKENVALUE")));
  EXPECT_THAT(yaml, Not(HasSubstr("AKIAIOSFODNN7EXAMPLE")));
  EXPECT_THAT(yaml, HasSubstr("secret_access_key: \"***\""));
  EXPECT_THAT(yaml, HasSubstr("sasl.password: \"***\""));
  EXPECT_THAT(yaml, HasSubstr("sasl.username: \"alice\""));
  EXPECT_THAT(yaml, HasSubstr("bucket: \"lake\""));
  // The printed configuration loads back to the same effective configuration.
  SinkConfig again = load_config_from_yaml(
      yaml, with_sets({"s3.secret_access_key=x", "s3.session_token=y", "s3.access_key_id=z",
                       "kafka.properties.sasl.password=p"}));
  EXPECT_EQ(again.s3.part_size, c.s3.part_size);
  EXPECT_EQ(again.rotation.idle_flush, c.rotation.idle_flush);
  EXPECT_EQ(again.format.fields, c.format.fields);
  EXPECT_EQ(again.key_template, c.key_template);
}

// The keys of formats and the Avro input: the registry password is redacted, and the printed
// configuration is valid YAML (one map per section) that loads back to the same settings.
TEST(Config, FormatKeysRoundTripThroughTheEffectiveConfig) {
  SinkConfig c = load_config_from_yaml(std::string(kMinimal) + R"(
format: {input: avro, type: parquet}
parquet: {value: infer, row_group_bytes: 32MiB}
compression: {type: snappy}
schema_registry: {url: "https://registry:8081", username: sink, password: reg1stry-pw}
)");
  std::string yaml = effective_config_yaml(c);
  EXPECT_THAT(yaml, Not(HasSubstr("reg1stry-pw")));
  EXPECT_THAT(yaml, HasSubstr("password: \"***\""));
  EXPECT_EQ(yaml.find("\nformat:"), yaml.rfind("\nformat:")) << yaml;
  SinkConfig again = load_config_from_yaml(yaml, with_sets({"schema_registry.password=p"}));
  EXPECT_EQ(again.input, InputFormat::avro);
  EXPECT_EQ(again.format.format, OutputFormat::parquet);
  EXPECT_EQ(again.format.parquet_value, ParquetValueMode::infer);
  EXPECT_EQ(again.format.parquet_row_group_bytes, 32ULL << 20);
  EXPECT_EQ(again.compression.type, Compression::snappy);
  EXPECT_EQ(again.schema_registry.url, "https://registry:8081");
  EXPECT_EQ(again.schema_registry.username, "sink");
  EXPECT_EQ(example_object_key(c).substr(example_object_key(c).size() - 8), ".parquet");
}

TEST(Config, ReadsAFileAndReportsAMissingOne) {
  std::string path = ::testing::TempDir() + "/ks3_config_test.yaml";
  std::ofstream(path) << kMinimal;
  ConfigSources sources;
  sources.file = path;
  EXPECT_EQ(load_config(sources).s3.client.bucket, "lake");
  std::remove(path.c_str());
  try {
    load_config(sources);
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--config " + path + ": cannot read the file"));
  }
}

TEST(Config, AvroReaderSchemaIsReadAndCheckedAtLoad) {
  const std::string path = ::testing::TempDir() + "/ks3_reader.avsc";
  const std::string yaml = std::string(kMinimal) + R"(
format: {input: avro, avro: {reader_schema: )" +
                           path + R"(}}
schema_registry: {url: "http://registry:8081"}
)";
  const std::string v2 = R"({"type":"record","name":"R","fields":[{"name":"id","type":"long"},
      {"name":"tag","type":"string","default":"none"}]})";
  std::ofstream(path) << v2;
  SinkConfig c = load_config_from_yaml(yaml);
  EXPECT_EQ(c.avro_reader_schema.path, path);
  ASSERT_TRUE(c.avro_reader_schema.text && c.avro_reader_schema.schema);
  EXPECT_EQ(*c.avro_reader_schema.text, v2);
  EXPECT_EQ(c.avro_reader_schema.schema->root().fields.size(), 2u);
  EXPECT_THAT(effective_config_yaml(c), HasSubstr("avro.reader_schema: \"" + path + "\""));

  std::ofstream(path) << "{\"type\": \"record\",";
  EXPECT_THAT(error_of(yaml), HasSubstr("format.avro.reader_schema: " + path +
                                        " is not a usable Avro schema: schema is not valid JSON"));
  std::ofstream(path) << R"({"type":"record","name":"R","fields":[{"name":"id","type":"lng"}]})";
  EXPECT_THAT(error_of(yaml),
              HasSubstr("format.avro.reader_schema: " + path + " is not a usable Avro schema: "));
  EXPECT_THAT(error_of(yaml), HasSubstr("lng"));
  // A default that does not fit its type: the reader would fill records with it.
  std::ofstream(path) << R"({"type":"record","name":"R","fields":[
      {"name":"n","type":{"type":"record","name":"N","fields":[
          {"name":"x","type":"int","default":"seven"}]},"default":{"x":1}}]})";
  EXPECT_THAT(error_of(yaml), HasSubstr("format.avro.reader_schema: " + path +
                                        ": field N.x: default \"seven\" does not fit type int"));
  std::remove(path.c_str());
  EXPECT_THAT(error_of(yaml), HasSubstr("format.avro.reader_schema: cannot read the schema file " +
                                        path + "; check the path and permissions"));
  // A device or a huge file is not read to its end.
  const std::string zero_yaml = std::string(kMinimal) + R"(
format: {input: avro, avro: {reader_schema: /dev/zero}}
schema_registry: {url: "http://registry:8081"}
)";
  EXPECT_THAT(error_of(zero_yaml),
              HasSubstr("format.avro.reader_schema: /dev/zero is larger than 4 MiB"));
  // Only for Avro input.
  EXPECT_THAT(error_of(std::string(kMinimal) + "format: {avro: {reader_schema: /x.avsc}}"),
              HasSubstr("format.avro.reader_schema: a reader schema applies to Avro values"));
}

TEST(Config, AvroKeysNeedTheAvroInputAndJsonKeys) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "format: {key_input: avro}"),
              HasSubstr("format.key_input: Avro keys are decoded through the Schema Registry"));
  const std::string avro = std::string(kMinimal) +
                           "schema_registry: {url: \"http://registry:8081\"}\nformat: {input: "
                           "avro, key_input: avro";
  EXPECT_THAT(error_of(avro + "}"),
              HasSubstr("format.key_encoding: format.key_input avro turns keys into JSON"));
  SinkConfig c = load_config_from_yaml(avro + ", key_encoding: json}");
  EXPECT_EQ(c.key_input, KeyInput::avro);
  EXPECT_THAT(effective_config_yaml(c), HasSubstr("key_input: \"avro\""));
  EXPECT_EQ(load_config_from_yaml(std::string(kMinimal)).key_input, KeyInput::bytes);
}

}  // namespace
}  // namespace ks3::server

namespace ks3::server {
namespace {

TEST(KafkaPrefetchBytes, TheDefaultOrTheGivenQueueBound) {
  KafkaSettings kafka;
  EXPECT_EQ(kafka_prefetch_bytes(kafka), 16u << 20);
  kafka.properties["queued.max.messages.kbytes"] = "65536";
  EXPECT_EQ(kafka_prefetch_bytes(kafka), 64u << 20);
  kafka.properties["queued.max.messages.kbytes"] = "lots";  // librdkafka refuses it at start
  EXPECT_EQ(kafka_prefetch_bytes(kafka), 16u << 20);
}

// The budget reserves librdkafka's prefetch: a high watermark that leaves no room for two parts
// on top of it is refused, naming the key and the prefetch.
TEST(KafkaPrefetchBytes, AHighWatermarkBelowPrefetchPlusTwoPartsIsRefused) {
  ConfigSources sources;
  sources.sets = {"kafka.topics=t", "s3.bucket=b", "memory.high_watermark=30MiB",
                  "memory.low_watermark=20MiB"};
  try {
    load_config(sources);
    FAIL() << "30 MiB < 16 MiB prefetch + 2 x 8 MiB parts was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("memory.high_watermark"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("queued.max.messages.kbytes: 16 MiB"), std::string::npos)
        << e.what();
  }
}

// The dead-letter producer's queue (16 MiB) is reserved on top of the prefetch, only when dead
// letters go to a Kafka topic.
TEST(ReservedMemoryBytes, ThePrefetchPlusTheDeadLetterProducersQueueWhenATopicIsSet) {
  SinkConfig config;
  EXPECT_EQ(reserved_memory_bytes(config), 16u << 20);
  config.bad_records.dead_letter_topic = "t.dlq";  // another policy: no producer
  config.bad_records.policy = BadRecordPolicy::skip;
  EXPECT_EQ(reserved_memory_bytes(config), 16u << 20);
  config.bad_records.policy = BadRecordPolicy::dead_letter;
  EXPECT_EQ(reserved_memory_bytes(config), (16u + 16u) << 20);
  config.kafka.properties["queued.max.messages.kbytes"] = "65536";
  EXPECT_EQ(reserved_memory_bytes(config), (64u + 16u) << 20);
  config.bad_records.dead_letter_topic.clear();  // dead letters as S3 objects
  EXPECT_EQ(reserved_memory_bytes(config), 64u << 20);
}

// 40 MiB holds the prefetch and two parts (16 + 16) but not the dead-letter queue on top.
TEST(ReservedMemoryBytes, AHighWatermarkWithoutRoomForTheDeadLetterQueueIsRefused) {
  ConfigSources sources;
  sources.sets = {"kafka.topics=t", "s3.bucket=b", "memory.high_watermark=40MiB",
                  "memory.low_watermark=30MiB"};
  EXPECT_NO_THROW(load_config(sources));
  sources.sets.push_back("bad_records.policy=dead_letter");
  sources.sets.push_back("bad_records.dead_letter_topic=t.dlq");
  try {
    load_config(sources);
    FAIL() << "40 MiB < 16 MiB prefetch + 16 MiB dead-letter queue + 2 x 8 MiB parts accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("memory.high_watermark"), std::string::npos) << what;
    EXPECT_NE(what.find("dead-letter producer's queue (bad_records.dead_letter_topic: 16 MiB)"),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace ks3::server

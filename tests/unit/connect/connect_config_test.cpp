#include "server/connect/connect_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "server/config/config.hpp"
#include "server/connect/time_path.hpp"

namespace ks3::server {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(KS3_TEST_DATA_DIR) + "/connect/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> unmapped_names(const ConnectConversion& c) {
  std::set<std::string> names;
  for (const UnmappedSetting& s : c.unmapped) names.insert(s.connect_setting);
  return names;
}

std::string everything(const ConnectConversion& c) {
  std::string all = c.yaml;
  for (const UnmappedSetting& s : c.unmapped) {
    all += "\n" + s.connect_setting + "=" + s.value + " " + s.why_not_mapped;
  }
  for (const std::string& w : c.warnings) all += "\n" + w;
  return all;
}

std::string joined_warnings(const ConnectConversion& c) {
  std::string all;
  for (const std::string& w : c.warnings) all += w + "\n";
  return all;
}

// The YAML parses, and the configuration loader accepts it as it is.
YAML::Node checked_yaml(const ConnectConversion& c) {
  YAML::Node root = YAML::Load(c.yaml);
  EXPECT_TRUE(root.IsMap()) << c.yaml;
  try {
    load_config_from_yaml(c.yaml);
  } catch (const ConfigError& e) {
    ADD_FAILURE() << "the loader refused the YAML: " << e.what() << "\n" << c.yaml;
  }
  return root;
}

TEST(ConnectConfig, AnalyticsPlatformConfluentAvroDefaultPartitioner) {
  ConnectConversion c = convert_connect_config(fixture("analytics_platform.json"));
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(c.connector_class, "io.confluent.connect.s3.S3SinkConnector");
  EXPECT_EQ(c.connector_name, "analytics-platform-s3-sink");
  EXPECT_EQ(y["kafka"]["group_id"].as<std::string>(), "connect-analytics-platform-s3-sink");
  EXPECT_EQ(y["kafka"]["topics"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"analytics.page_views", "analytics.sessions"}));
  EXPECT_EQ(y["s3"]["bucket"].as<std::string>(), "analytics-platform-lake");
  EXPECT_EQ(y["s3"]["region"].as<std::string>(), "eu-central-1");
  EXPECT_EQ(y["s3"]["part_size"].as<std::string>(), "5MiB");
  EXPECT_EQ(y["s3"]["prefix"].as<std::string>(), "topics/");
  EXPECT_FALSE(y["s3"]["access_key_id"]);
  EXPECT_FALSE(y["s3"]["secret_access_key"]);
  EXPECT_EQ(y["rotation"]["max_records"].as<int>(), 3);
  // Confluent's DefaultPartitioner layout exactly, start offsets padded to its default 10 digits.
  EXPECT_EQ(y["key_template"].as<std::string>(),
            "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset:10}}");
  // The connector's keys exactly: AvroFormat wrote .avro, as format.type avro does.
  EXPECT_EQ(example_object_key(load_config_from_yaml(c.yaml)),
            "topics/analytics.page_views/partition=0/analytics.page_views+0+0000000000.avro");
  // AvroFormat from AvroConverter: Avro container files of the values, schemas from the
  // registry; avro.codec's default null is compression none.
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["schema_registry"]["url"].as<std::string>(), "http://schema-registry:8081");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "none");
  EXPECT_EQ(y["tombstones"].as<std::string>(), "fail");  // Confluent's default
  EXPECT_EQ(y["bad_records"]["policy"].as<std::string>(), "fail");
  // schema.compatibility NONE is the schema_change cut: mapped.
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"tasks.max"}));
  EXPECT_THAT(c.yaml, HasSubstr("schema.compatibility NONE: a record of another writer schema "
                                "cuts the objects first (cut reason schema_change)"));
  std::string all = everything(c);
  EXPECT_THAT(all, Not(HasSubstr("wJalrXUtnFEMI")));
  EXPECT_THAT(all, Not(HasSubstr("AKIAIOSFODNN7EXAMPLE")));
  EXPECT_THAT(c.yaml, HasSubstr("AWS_SECRET_ACCESS_KEY"));
  EXPECT_THAT(c.yaml, HasSubstr("# from flush.size"));
  std::string warnings = joined_warnings(c);
  EXPECT_THAT(warnings, Not(HasSubstr("digits")));
  EXPECT_THAT(warnings, Not(HasSubstr("in the extension")));
  EXPECT_THAT(warnings,
              HasSubstr("the files carry the writer schema as the Schema Registry has it"));
}

TEST(ConnectConfig, HausAmSeeDebeziumAvroIntoRaw) {
  std::string json = fixture("haus_am_see.json");
  ConnectConversion c = convert_connect_config(json);
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(c.connector_name, "haus-am-see-raw");
  EXPECT_EQ(y["kafka"]["topics_regex"].as<std::string>(), "haus\\.public\\..*$");
  EXPECT_FALSE(y["kafka"]["topics"]);
  EXPECT_EQ(y["s3"]["prefix"].as<std::string>(), "raw/");
  EXPECT_EQ(y["s3"]["endpoint"].as<std::string>(), "https://minio.haus-am-see.internal:9000");
  EXPECT_EQ(y["s3"]["addressing"].as<std::string>(), "path");
  EXPECT_EQ(y["rotation"]["max_records"].as<int>(), 1000);
  EXPECT_EQ(y["rotation"]["max_open"].as<std::string>(), "10m");
  EXPECT_EQ(y["tombstones"].as<std::string>(), "ignore");
  EXPECT_EQ(y["bad_records"]["policy"].as<std::string>(), "dead_letter");
  // errors.deadletterqueue.topic.name: the same DLQ topic, with Connect's context headers.
  EXPECT_EQ(y["bad_records"]["dead_letter_topic"].as<std::string>(), "dlq.haus-am-see.s3");
  EXPECT_THAT(joined_warnings(c),
              HasSubstr("produced to the dead-letter topic dlq.haus-am-see.s3"));
  // Debezium Avro values into Avro container files with snappy blocks (avro.codec); keys are
  // not written by AvroFormat, so their converter does not matter.
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "snappy");
  EXPECT_EQ(y["schema_registry"]["url"].as<std::string>(), "http://schema-registry:8081");
  EXPECT_FALSE(y["schema_registry"]["username"]) << "credentials are never copied";
  EXPECT_FALSE(y["schema_registry"]["password"]);
  EXPECT_THAT(c.yaml, HasSubstr("KAFKA_S3_SINK_SCHEMA_REGISTRY__PASSWORD"));
  EXPECT_THAT(joined_warnings(c), HasSubstr("KAFKA_S3_SINK_SCHEMA_REGISTRY__USERNAME"));
  EXPECT_EQ(unmapped_names(c),
            (std::set<std::string>{"tasks.max", "transforms", "transforms.unwrap.type",
                                   "transforms.unwrap.drop.tombstones"}));
  EXPECT_THAT(example_object_key(load_config_from_yaml(c.yaml)), EndsWith("+0000000000.avro"));
  // SSE-KMS with the connector's key.
  EXPECT_EQ(y["s3"]["sse"].as<std::string>(), "aws:kms");
  EXPECT_EQ(y["s3"]["sse_kms_key_id"].as<std::string>(),
            "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  for (const UnmappedSetting& s : c.unmapped) {
    if (s.connect_setting == "transforms") {
      EXPECT_EQ(s.value, "unwrap");
    }
  }
  EXPECT_THAT(everything(c), Not(HasSubstr("Registry-Pa55word")));
  EXPECT_THAT(joined_warnings(c), HasSubstr("transforms (unwrap)"));
}

TEST(ConnectConfig, ParquetFormatFromAvroWithTheRegistrysSettings) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "pq",
    "topics": "cdc", "s3.bucket.name": "lake", "flush.size": "1000",
    "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
    "parquet.codec": "zstd", "s3.compression.type": "gzip",
    "schema.compatibility": "BACKWARD",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "https://sr1:8081,https://sr2:8081",
    "value.converter.basic.auth.credentials.source": "SASL_INHERIT",
    "value.converter.schema.registry.ssl.truststore.location": "/etc/sr.jks",
    "value.converter.schema.registry.ssl.truststore.password": "TrustPass7",
    "value.converter.auto.register.schemas": "false",
    "value.converter.something.else": "x"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "parquet");
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["fields"].as<std::vector<std::string>>(),
            std::vector<std::string>{"value"});
  EXPECT_EQ(y["parquet"]["value"].as<std::string>(), "infer");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "zstd");
  EXPECT_EQ(y["schema_registry"]["url"].as<std::string>(), "https://sr1:8081");
  EXPECT_EQ(example_object_key(load_config_from_yaml(c.yaml)),
            "topics/cdc/partition=0/cdc+0+0000000000.parquet");
  EXPECT_EQ(unmapped_names(c),
            (std::set<std::string>{"s3.compression.type", "schema.compatibility",
                                   "value.converter.basic.auth.credentials.source",
                                   "value.converter.schema.registry.ssl.truststore.location",
                                   "value.converter.schema.registry.ssl.truststore.password",
                                   "value.converter.something.else"}));
  std::string warnings = joined_warnings(c);
  EXPECT_THAT(warnings, HasSubstr("<start offset>.zstd.parquet"));
  EXPECT_THAT(warnings, HasSubstr("query value.<field>"));
  EXPECT_THAT(warnings, HasSubstr("asks the first only (https://sr1:8081)"));
  EXPECT_THAT(warnings, HasSubstr("schema.compatibility BACKWARD"));
  EXPECT_THAT(warnings, HasSubstr("schema_registry.ca_file"));
  EXPECT_THAT(everything(c), Not(HasSubstr("TrustPass7")));
}

TEST(ConnectConfig, ParquetFormatFromJsonInfersColumns) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "pq",
    "topics": "events", "s3.bucket.name": "lake", "flush.size": "1000",
    "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "parquet");
  EXPECT_FALSE(y["format"]["input"]);
  EXPECT_EQ(y["parquet"]["value"].as<std::string>(), "infer");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "snappy");  // parquet.codec's default
  EXPECT_THAT(joined_warnings(c), HasSubstr("<start offset>.snappy.parquet"));
  EXPECT_TRUE(c.unmapped.empty()) << everything(c);
}

TEST(ConnectConfig, AvroFormatNeedsAvroInput) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "a",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.avro.AvroFormat", "avro.codec": "deflate",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "jsonl");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"format.class", "avro.codec"}));
  EXPECT_THAT(joined_warnings(c), HasSubstr("Avro output needs Avro input"));
}

TEST(ConnectConfig, AvroCodecs) {
  for (auto [codec, type] : {std::pair<std::string, std::string>{"deflate", "gzip"},
                             {"snappy", "snappy"},
                             {"zstandard", "zstd"},
                             {"null", "none"},
                             {"bzip2", "zstd"}}) {
    ConnectConversion c = convert_connect_config(R"({
      "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "a",
      "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
      "format.class": "io.confluent.connect.s3.format.avro.AvroFormat", "avro.codec": ")" +
                                                 codec + R"(",
      "behavior.on.null.values": "write",
      "value.converter": "io.confluent.connect.avro.AvroConverter",
      "value.converter.schema.registry.url": "http://sr:8081"})");
    YAML::Node y = checked_yaml(c);
    EXPECT_EQ(y["compression"]["type"].as<std::string>(), type) << codec;
    // An Avro container file has no null records.
    EXPECT_EQ(y["tombstones"].as<std::string>(), "ignore");
    std::set<std::string> unmapped{"behavior.on.null.values"};
    if (codec == "bzip2") unmapped.insert("avro.codec");
    EXPECT_EQ(unmapped_names(c), unmapped) << codec;
  }
}

TEST(ConnectConfig, JsonFormatFromAvroIsNotCutBySchema) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "j",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "schema.compatibility": "NONE",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "http://sr:8081",
    "value.converter.basic.auth.credentials.source": "USER_INFO",
    "value.converter.basic.auth.user.info": "u:UserInfo8"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "jsonl");
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["value_encoding"].as<std::string>(), "json");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"schema.compatibility"}));
  EXPECT_THAT(joined_warnings(c), HasSubstr("not cut at a schema change"));
  EXPECT_THAT(everything(c), Not(HasSubstr("UserInfo8")));
}

TEST(ConnectConfig, AivenParquetAndAvro) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "ap", "topics": "t", "aws.s3.bucket.name": "lake",
    "format.output.type": "parquet", "format.output.fields": "key,value,offset",
    "file.compression.type": "snappy",
    "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "http://sr:8081"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "parquet");
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["parquet"]["value"].as<std::string>(), "infer");
  EXPECT_EQ(y["format"]["fields"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"key", "value", "offset"}));
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "snappy");
  EXPECT_TRUE(c.unmapped.empty()) << everything(c);

  c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "aa", "topics": "t", "aws.s3.bucket.name": "lake",
    "format.output.type": "avro", "format.output.fields": "value",
    "format.output.envelope": "false",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "http://sr:8081"})");
  y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "avro");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "gzip");  // Aiven's default
  EXPECT_TRUE(c.unmapped.empty()) << everything(c);
}

TEST(ConnectConfig, AvroKeysDecodeWithAvroValues) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "ak", "topics": "t", "aws.s3.bucket.name": "lake",
    "format.output.type": "jsonl", "format.output.fields": "key,value",
    "key.converter": "io.confluent.connect.avro.AvroConverter",
    "key.converter.schema.registry.url": "http://sr:8081",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "http://sr:8081"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["input"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["key_input"].as<std::string>(), "avro");
  EXPECT_EQ(y["format"]["key_encoding"].as<std::string>(), "json");
  EXPECT_EQ(load_config_from_yaml(c.yaml).key_input, KeyInput::avro);
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"key.converter.schema.registry.url"}));

  // Without Avro values: the keys' bytes as base64, said so.
  c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "ak", "topics": "t", "aws.s3.bucket.name": "lake",
    "format.output.type": "jsonl", "format.output.fields": "key,value",
    "key.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "false"})");
  y = checked_yaml(c);
  EXPECT_FALSE(y["format"]["key_input"]);
  EXPECT_EQ(y["format"]["key_encoding"].as<std::string>(), "base64");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"key.converter"}));
  EXPECT_THAT(joined_warnings(c), HasSubstr("without value.converter AvroConverter"));
}

TEST(ConnectConfig, AivenTemplateAndMaxRecords) {
  ConnectConversion c = convert_connect_config(fixture("aiven_jsonl.json"));
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(c.connector_class, "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector");
  EXPECT_EQ(y["s3"]["bucket"].as<std::string>(), "events-archive");
  EXPECT_EQ(y["s3"]["region"].as<std::string>(), "eu-west-1");
  EXPECT_EQ(y["s3"]["prefix"].as<std::string>(), "landing/");
  EXPECT_EQ(y["key_template"].as<std::string>(),
            "{{topic}}/{{partition:padding=true}}/{{topic}}-{{partition:padding=true}}-"
            "{{start_offset}}");
  EXPECT_EQ(y["rotation"]["max_records"].as<int>(), 5000);
  EXPECT_EQ(y["rotation"]["max_open"].as<std::string>(), "1m");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "zstd");
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "jsonl");
  EXPECT_EQ(y["format"]["fields"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"key", "value", "offset", "timestamp"}));
  EXPECT_EQ(y["format"]["value_encoding"].as<std::string>(), "json");
  EXPECT_EQ(y["format"]["key_encoding"].as<std::string>(), "string");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"tasks.max"}));
  std::string all = everything(c);
  EXPECT_THAT(all, Not(HasSubstr("je7MtGbClwBF")));
  EXPECT_THAT(all, Not(HasSubstr("AKIAI44QH8DHBEXAMPLE")));
  // padding=true pads to 20 digits there as here: only the extension differs.
  EXPECT_THAT(joined_warnings(c), AllOf(HasSubstr(".jsonl.zst"), Not(HasSubstr("20 digits"))));
}

TEST(ConnectConfig, AivenDefaultsAreCsvBase64Gzip) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "archive", "topics": "a,b", "aws.s3.bucket.name": "lake"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "csv");
  EXPECT_FALSE(y["format"]["csv_header"].as<bool>());
  EXPECT_EQ(y["format"]["fields"].as<std::vector<std::string>>(),
            std::vector<std::string>{"value"});
  EXPECT_EQ(y["format"]["value_encoding"].as<std::string>(), "base64");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "gzip");
  // Aiven's default template: start offsets unpadded, as the connector wrote them.
  EXPECT_EQ(y["key_template"].as<std::string>(), "{{topic}}-{{partition}}-{{start_offset:1}}");
  EXPECT_EQ(example_object_key(load_config_from_yaml(c.yaml)), "a-0-0.csv.gz");
  EXPECT_THAT(joined_warnings(c), Not(HasSubstr("digits")));
  EXPECT_TRUE(c.unmapped.empty());
}

TEST(ConnectConfig, TimeBasedHourlyPartitioner) {
  ConnectConversion c = convert_connect_config(fixture("time_based_hourly.json"));
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["key_template"].as<std::string>(),
            "{{topic}}/year={{timestamp:YYYY}}/month={{timestamp:MM}}/day={{timestamp:DD}}/"
            "hour={{timestamp:HH}}/{{topic}}+{{partition}}+{{start_offset:10}}");
  EXPECT_EQ(y["s3"]["prefix"].as<std::string>(), "topics/");
  EXPECT_EQ(y["rotation"]["time_window"].as<std::string>(), "1h");
  EXPECT_EQ(y["rotation"]["max_records"].as<int>(), 10000);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "jsonl");
  EXPECT_EQ(y["format"]["fields"].as<std::vector<std::string>>(),
            std::vector<std::string>{"value"});
  EXPECT_EQ(y["format"]["value_encoding"].as<std::string>(), "json");
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "gzip");
  EXPECT_EQ(y["tombstones"].as<std::string>(), "ignore");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"tasks.max"}));
  EXPECT_THAT(joined_warnings(c), HasSubstr(".json.gz"));
}

TEST(ConnectConfig, HourlyPartitionerOutsideUtcAndWallclock) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "orders",
    "topics": "orders", "s3.bucket.name": "lake", "flush.size": "100",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "partitioner.class": "io.confluent.connect.storage.partitioner.HourlyPartitioner",
    "locale": "en", "timezone": "Europe/Zurich", "partition.duration.ms": "300000"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_THAT(y["key_template"].as<std::string>(), HasSubstr("hour={{timestamp:HH}}"));
  EXPECT_EQ(y["s3"]["region"].as<std::string>(), "us-west-2");  // Confluent's default
  EXPECT_EQ(y["compression"]["type"].as<std::string>(), "none");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"timezone", "partition.duration.ms"}));
  EXPECT_THAT(joined_warnings(c), AllOf(HasSubstr("UTC"), HasSubstr("Wallclock (default)")));
}

TEST(ConnectConfig, FieldPartitionerReadsValueFields) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "docs",
    "topics": "edfi.dms.document", "s3.bucket.name": "lake", "flush.size": "100",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "false",
    "partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner",
    "partition.field.name": "resourcename,source.table"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["key_template"].as<std::string>(),
            "{{topic}}/resourcename={{value.resourcename}}/source.table={{value.source.table}}/"
            "{{topic}}+{{partition}}+{{start_offset:10}}");
  EXPECT_TRUE(c.unmapped.empty());
}

// errors.deadletterqueue.topic.name -> bad_records.dead_letter_topic (with errors.tolerance all
// only, as in Connect); the rest of errors.deadletterqueue.* is listed as not mapped.
TEST(ConnectConfig, DeadLetterQueueTopic) {
  const std::string base = R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "10",
    "errors.deadletterqueue.topic.name": " t.dlq ",
    "errors.deadletterqueue.topic.replication.factor": "3",
    "errors.deadletterqueue.context.headers.enable": "false", )";
  ConnectConversion all = convert_connect_config(base + R"("errors.tolerance": "all"})");
  YAML::Node y = checked_yaml(all);
  EXPECT_EQ(y["bad_records"]["policy"].as<std::string>(), "dead_letter");
  EXPECT_EQ(y["bad_records"]["dead_letter_topic"].as<std::string>(), "t.dlq");
  EXPECT_EQ(load_config_from_yaml(all.yaml).bad_records.dead_letter_topic, "t.dlq");
  EXPECT_THAT(joined_warnings(all), HasSubstr("adds the __connect.errors.* context headers"));
  EXPECT_EQ(unmapped_names(all),
            (std::set<std::string>{"errors.deadletterqueue.topic.replication.factor"}));
  ConnectConversion none = convert_connect_config(base + R"("errors.tolerance": "none"})");
  YAML::Node n = checked_yaml(none);
  EXPECT_EQ(n["bad_records"]["policy"].as<std::string>(), "fail");
  EXPECT_FALSE(n["bad_records"]["dead_letter_topic"]);
  EXPECT_TRUE(unmapped_names(none).contains("errors.deadletterqueue.topic.name"));
}

TEST(ConnectConfig, ByteArrayFormatIsRaw) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "bytes",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "10",
    "format.class": "io.confluent.connect.s3.format.bytearray.ByteArrayFormat",
    "format.bytearray.separator": "\r\n", "s3.compression.type": "gzip",
    "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["format"]["type"].as<std::string>(), "raw");
  EXPECT_EQ(y["format"]["delimiter"].as<std::string>(), "\\r\\n");
  SinkConfig loaded = load_config_from_yaml(c.yaml);
  EXPECT_EQ(loaded.format.delimiter, "\r\n");
  EXPECT_TRUE(c.unmapped.empty());
}

TEST(ConnectConfig, OffsetPaddingWidth) {
  auto with_width = [](const std::string& width) {
    const std::string config = R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector",
      "name": "x", "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
      "format.class": "io.confluent.connect.s3.format.bytearray.ByteArrayFormat",
      "filename.offset.zero.pad.width": ")";
    return convert_connect_config(config + width + "\"}");
  };
  ConnectConversion c = with_width("19");
  EXPECT_EQ(checked_yaml(c)["key_template"].as<std::string>(),
            "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset:19}}");
  EXPECT_TRUE(c.unmapped.empty());
  // ByteArrayFormat without compression: .bin there and here, so the keys are the same.
  EXPECT_THAT(joined_warnings(c), Not(HasSubstr("object keys differ")));
  EXPECT_EQ(example_object_key(load_config_from_yaml(c.yaml)),
            "topics/t/partition=0/t+0+0000000000000000000.bin");
  EXPECT_THAT(checked_yaml(with_width("20"))["key_template"].as<std::string>(),
              HasSubstr("+{{start_offset}}"));
  for (std::string bad : {"0", "21", "ten"}) {
    ConnectConversion refused = with_width(bad);
    EXPECT_THAT(checked_yaml(refused)["key_template"].as<std::string>(),
                HasSubstr("+{{start_offset}}"));
    EXPECT_EQ(unmapped_names(refused), (std::set<std::string>{"filename.offset.zero.pad.width"}));
    EXPECT_THAT(joined_warnings(refused), HasSubstr("20 digits"));
  }
}

TEST(ConnectConfig, ConfluentEncryptionAndTags) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "s",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "s3.ssea.name": "AES256", "s3.sse.kms.key.id": "alias/unused",
    "s3.object.tagging": "true", "s3.object.tagging.key.value.pairs": "team:lake, env : prod",
    "s3.object.behavior.on.tagging.error": "fail"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["s3"]["sse"].as<std::string>(), "AES256");
  EXPECT_FALSE(y["s3"]["sse_kms_key_id"]);
  EXPECT_EQ(y["s3"]["tags"]["team"].as<std::string>(), "lake");
  EXPECT_EQ(y["s3"]["tags"]["env"].as<std::string>(), "prod");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"s3.sse.kms.key.id", "s3.object.tagging"}));
  const SinkConfig loaded = load_config_from_yaml(c.yaml);
  EXPECT_EQ(loaded.s3.objects.sse, s3::ServerSideEncryption::aes256);
  EXPECT_EQ(loaded.s3.objects.tags.size(), 2u);

  // Without s3.object.tagging the connector ignored the pairs: so does the YAML.
  ConnectConversion untagged = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "s",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "s3.ssea.name": "", "s3.object.tagging.key.value.pairs": "team:lake"})");
  YAML::Node u = checked_yaml(untagged);
  EXPECT_FALSE(u["s3"]["tags"]);
  EXPECT_FALSE(u["s3"]["sse"]);
  EXPECT_EQ(unmapped_names(untagged), (std::set<std::string>{"s3.object.tagging.key.value.pairs"}));
}

TEST(ConnectConfig, AivenEncryption) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "archive", "topics": "a", "aws.s3.bucket.name": "lake",
    "aws.s3.sse.algorithm": "aws:kms:dsse"})");
  EXPECT_EQ(checked_yaml(c)["s3"]["sse"].as<std::string>(), "aws:kms:dsse");
  EXPECT_TRUE(c.unmapped.empty());
  ConnectConversion other = convert_connect_config(R"({
    "connector.class": "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    "name": "archive", "topics": "a", "aws.s3.bucket.name": "lake",
    "aws.s3.sse.algorithm": "aws:fsx"})");
  EXPECT_FALSE(checked_yaml(other)["s3"]["sse"]);
  EXPECT_EQ(unmapped_names(other), (std::set<std::string>{"aws.s3.sse.algorithm"}));
}

TEST(ConnectConfig, RestShapeAndBareConfigGiveTheSameYaml) {
  std::string bare = R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector",
    "name": "x", "topics": "t", "s3.bucket.name": "lake", "flush.size": 5,
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})";
  std::string rest = R"({"name": "x", "config": {"connector.class":
    "io.confluent.connect.s3.S3SinkConnector", "name": "x", "topics": "t",
    "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat"}, "tasks": [], "type": "sink"})";
  EXPECT_EQ(convert_connect_config(bare).yaml, convert_connect_config(rest).yaml);
}

TEST(ConnectConfig, SecretsNeverAppear) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "s",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "store.url": "https://user:UrlSecret1@minio:9000",
    "aws.secret.access.key": "${file:/opt/secrets.properties:SecretRef2}",
    "s3.sse.customer.key": "CustomerKey3",
    "s3.proxy.password": "ProxyPass4",
    "consumer.override.sasl.jaas.config": "org.apache.kafka...PlainLoginModule password=\"Jaas5\";",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "https://reg:RegSecret6@registry:8081"})");
  checked_yaml(c);
  std::string all = everything(c);
  for (std::string secret :
       {"UrlSecret1", "SecretRef2", "CustomerKey3", "ProxyPass4", "Jaas5", "RegSecret6"}) {
    EXPECT_THAT(all, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(c.yaml, HasSubstr("endpoint: \"https://minio:9000\""));
}

TEST(ConnectConfig, LineBreaksInValuesStayInComments) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "n\nx: 1",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "partitioner.class": "io.confluent.connect.storage.partitioner.HourlyPartitioner",
    "timezone": "Mars\nkey_default: injected", "nope\nx": "y"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_FALSE(y["key_default"]);
  EXPECT_FALSE(y["x"]);
  EXPECT_EQ(y["kafka"]["group_id"].as<std::string>(), "connect-n\nx: 1");
}

TEST(ConnectConfig, ConsumerOverrides) {
  ConnectConversion c = convert_connect_config(R"({
    "connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "s",
    "topics": "t", "s3.bucket.name": "lake", "flush.size": "5",
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "consumer.override.bootstrap.servers": "b1:9092,b2:9092",
    "consumer.override.group.id": "lake-landing",
    "consumer.override.auto.offset.reset": "latest",
    "consumer.override.max.poll.records": "500"})");
  YAML::Node y = checked_yaml(c);
  EXPECT_EQ(y["kafka"]["bootstrap_servers"].as<std::string>(), "b1:9092,b2:9092");
  EXPECT_EQ(y["kafka"]["group_id"].as<std::string>(), "lake-landing");
  EXPECT_EQ(y["kafka"]["properties"]["auto.offset.reset"].as<std::string>(), "latest");
  EXPECT_EQ(unmapped_names(c), (std::set<std::string>{"consumer.override.max.poll.records"}));
}

TEST(ConnectConfig, Errors) {
  EXPECT_THROW(convert_connect_config("{not json"), ConnectConfigError);
  EXPECT_THROW(convert_connect_config("[1,2]"), ConnectConfigError);
  EXPECT_THROW(convert_connect_config(R"({"topics": "t"})"), ConnectConfigError);
  try {
    convert_connect_config(R"({"name": "pg", "config": {
      "connector.class": "io.debezium.connector.postgresql.PostgresConnector"}})");
    FAIL();
  } catch (const ConnectConfigError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("io.debezium.connector.postgresql.PostgresConnector"),
                                HasSubstr("not an S3 sink")));
  }
}

TEST(ConnectTimePath, JodaPatterns) {
  auto hourly = connect::joda_path_to_template("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(hourly->key_template,
            "year={{timestamp:YYYY}}/month={{timestamp:MM}}/day={{timestamp:DD}}/"
            "hour={{timestamp:HH}}");
  EXPECT_EQ(hourly->finest_unit_ms, 3600000);
  auto dt = connect::joda_path_to_template("'dt'=yyyy-MM-dd/'it''s'");
  ASSERT_TRUE(dt);
  EXPECT_EQ(dt->key_template, "dt={{timestamp:YYYY}}-{{timestamp:MM}}-{{timestamp:DD}}/it's");
  EXPECT_EQ(dt->finest_unit_ms, 86400000);
  EXPECT_FALSE(connect::joda_path_to_template("YYYY/MMM"));    // month names
  EXPECT_FALSE(connect::joda_path_to_template("yy/MM"));       // two-digit year
  EXPECT_FALSE(connect::joda_path_to_template("'open"));       // unterminated quote
  EXPECT_FALSE(connect::joda_path_to_template("'constant'"));  // no date field
}

}  // namespace
}  // namespace ks3::server

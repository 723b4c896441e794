// The object settings keys (s3.sse, s3.sse_kms_key_id, s3.storage_class, s3.tags, s3.metadata):
// every layer sets them, S3's rules are checked at load naming the key, --validate shows them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/config/config.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace ks3::server {
namespace {

using config_test::issues_of;
using config_test::with_sets;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr std::string_view kMinimalConfig = "kafka: {topics: [t]}\ns3: {bucket: lake}\n";

constexpr std::string_view kObjectSettings = R"(
s3:
  sse: aws:kms
  sse_kms_key_id: arn:aws:kms:eu-central-1:111122223333:key/1234abcd
  storage_class: STANDARD_IA
  tags: {team: data lake, env: prod}
  metadata: {Source: kafka-s3-sink}
)";

std::vector<std::string> keys_of(const std::vector<ConfigIssue>& issues) {
  std::vector<std::string> keys;
  for (const ConfigIssue& issue : issues) keys.push_back(issue.key);
  return keys;
}

TEST(ObjectSettingsConfig, DefaultsSendNothing) {
  const SinkConfig c = load_config_from_yaml(kMinimalConfig);
  EXPECT_TRUE(c.s3.objects.empty());
}

TEST(ObjectSettingsConfig, ReadsEveryKeyFromYaml) {
  const SinkConfig c =
      load_config_from_yaml(std::string(kMinimalConfig) + std::string(kObjectSettings));
  EXPECT_EQ(c.s3.objects.sse, s3::ServerSideEncryption::aws_kms);
  EXPECT_EQ(c.s3.objects.sse_kms_key_id, "arn:aws:kms:eu-central-1:111122223333:key/1234abcd");
  EXPECT_EQ(c.s3.objects.storage_class, "STANDARD_IA");
  EXPECT_THAT(c.s3.objects.tags, ElementsAre(Pair("team", "data lake"), Pair("env", "prod")));
  EXPECT_THAT(c.s3.objects.metadata, ElementsAre(Pair("Source", "kafka-s3-sink")));
}

TEST(ObjectSettingsConfig, EntriesFromSetAndTheEnvironmentMergeByName) {
  ConfigSources sources;
  sources.environment = {{"KAFKA_S3_SINK_S3__TAGS__OWNER", "platform"},
                         {"KAFKA_S3_SINK_S3__SSE", "AES256"}};
  sources.sets = {"s3.tags.env=staging", "s3.metadata.pipeline=edfi"};
  const SinkConfig c = load_config_from_yaml(
      std::string(kMinimalConfig) + "s3: {bucket: lake, tags: {team: lake, env: prod}}\n", sources);
  EXPECT_THAT(c.s3.objects.tags,
              ElementsAre(Pair("team", "lake"), Pair("env", "staging"), Pair("owner", "platform")));
  EXPECT_THAT(c.s3.objects.metadata, ElementsAre(Pair("pipeline", "edfi")));
  EXPECT_EQ(c.s3.objects.sse, s3::ServerSideEncryption::aes256);

  sources.sets.push_back("s3.tags=");  // an empty value clears the map
  EXPECT_THAT(load_config_from_yaml(kMinimalConfig, sources).s3.objects.tags, IsEmpty());
}

TEST(ObjectSettingsConfig, KafkaConnectNamesAreAliases) {
  SinkConfig c = load_config_from_yaml(std::string(kMinimalConfig) + R"(
s3.ssea.name: aws:kms
s3.sse.kms.key.id: alias/lake
)");
  EXPECT_EQ(c.s3.objects.sse, s3::ServerSideEncryption::aws_kms);
  EXPECT_EQ(c.s3.objects.sse_kms_key_id, "alias/lake");
  c = load_config_from_yaml(std::string(kMinimalConfig) + "aws.s3.sse.algorithm: AES256\n");
  EXPECT_EQ(c.s3.objects.sse, s3::ServerSideEncryption::aes256);
  // Confluent's default "" is no encryption header.
  c = load_config_from_yaml(std::string(kMinimalConfig) + "s3.ssea.name: ''\n");
  EXPECT_EQ(c.s3.objects.sse, s3::ServerSideEncryption::none);
}

TEST(ObjectSettingsConfig, BadValuesNameTheirKey) {
  EXPECT_THAT(keys_of(issues_of(kMinimalConfig, with_sets({"s3.sse_kms_key_id=alias/lake"}))),
              ElementsAre("s3.sse_kms_key_id"));
  EXPECT_THAT(keys_of(issues_of(kMinimalConfig,
                                with_sets({"s3.sse=aws:kms", "s3.storage_class=PLATINUM"}))),
              ElementsAre("s3.storage_class"));
  EXPECT_THAT(keys_of(issues_of(kMinimalConfig, with_sets({"s3.sse=SSE-S3"}))),
              ElementsAre("s3.sse"));
  EXPECT_THAT(keys_of(issues_of(kMinimalConfig, with_sets({"s3.tags.aws:owner=me"}))),
              ElementsAre("s3.tags"));
  EXPECT_THAT(keys_of(issues_of(kMinimalConfig, with_sets({"s3.metadata.bad name=x"}))),
              ElementsAre("s3.metadata"));
  EXPECT_THAT(
      keys_of(issues_of(std::string(kMinimalConfig) + "s3: {bucket: lake, tags: [a, b]}\n")),
      ElementsAre("s3.tags"));

  std::string eleven = "s3: {bucket: lake, tags: {";
  for (int i = 0; i < 11; ++i) eleven += (i ? ", k" : "k") + std::to_string(i) + ": v";
  eleven += "}}\n";
  const auto issues = issues_of(std::string(kMinimalConfig) + eleven);
  ASSERT_THAT(keys_of(issues), ElementsAre("s3.tags"));
  EXPECT_THAT(issues[0].message, HasSubstr("at most 10"));
}

TEST(ObjectSettingsConfig, EveryProblemIsReportedAtOnce) {
  EXPECT_THAT(
      keys_of(issues_of(kMinimalConfig, with_sets({"s3.sse_kms_key_id=k", "s3.storage_class=cold",
                                                   "s3.metadata.a b=c"}))),
      ElementsAre("s3.sse_kms_key_id", "s3.storage_class", "s3.metadata"));
}

TEST(ObjectSettingsConfig, ValidateShowsThemAndTheyRoundTrip) {
  const SinkConfig c =
      load_config_from_yaml(std::string(kMinimalConfig) + std::string(kObjectSettings));
  const std::string yaml = effective_config_yaml(c);
  // The KMS key id is not a secret: shown as it is, so an operator can check it.
  EXPECT_THAT(yaml, HasSubstr("sse: \"aws:kms\""));
  EXPECT_THAT(yaml,
              HasSubstr("sse_kms_key_id: \"arn:aws:kms:eu-central-1:111122223333:key/1234abcd\""));
  EXPECT_THAT(yaml, HasSubstr("storage_class: \"STANDARD_IA\""));
  EXPECT_THAT(yaml, HasSubstr("team: \"data lake\""));
  EXPECT_EQ(yaml.find("\ns3:"), yaml.rfind("\ns3:")) << yaml;
  const SinkConfig again = load_config_from_yaml(yaml);
  EXPECT_EQ(again.s3.objects.sse, c.s3.objects.sse);
  EXPECT_EQ(again.s3.objects.sse_kms_key_id, c.s3.objects.sse_kms_key_id);
  EXPECT_EQ(again.s3.objects.storage_class, c.s3.objects.storage_class);
  EXPECT_EQ(again.s3.objects.tags, c.s3.objects.tags);
  EXPECT_EQ(again.s3.objects.metadata, c.s3.objects.metadata);
}

}  // namespace
}  // namespace ks3::server

// Object keys as the configuration shapes them: a template that cannot tell topics apart is
// refused when more than one topic can be consumed (issue 8, defect 1), s3.prefix is a folder
// (defect 2), and --validate's example key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/config/config.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace ks3::server {
namespace {

using config_test::error_of;
using config_test::with_sets;

using ::testing::HasSubstr;
using ::testing::Not;

SinkConfig load(std::string_view yaml, std::vector<std::string> sets) {
  return load_config_from_yaml(yaml, with_sets(std::move(sets)));
}

constexpr std::string_view kTwoTopics = "s3: {bucket: b}\nkafka: {topics: [a, b]}\n";
constexpr std::string_view kRegex = "s3: {bucket: b}\nkafka: {topics_regex: '^edfi\\..*'}\n";
constexpr std::string_view kOneTopic = "s3: {bucket: b}\nkafka: {topics: [a]}\n";
constexpr const char* kNoTopic = "key_template=partition={{partition}}/{{start_offset}}";

TEST(ConfigKeys, SeveralTopicsNeedTopicInTheTemplate) {
  // Partition 0 of a and of b at the same offset would get the same key: one object replaces
  // the other.
  for (std::string_view yaml : {kTwoTopics, kRegex}) {
    std::string error = error_of(yaml, with_sets({kNoTopic}));
    EXPECT_THAT(error, HasSubstr("key_template: "));
    EXPECT_THAT(error, HasSubstr("{{topic}}"));
    EXPECT_EQ(error.find("key_template"), error.rfind("key_template:")) << error;
  }
  EXPECT_THAT(error_of("s3: {bucket: b}\ntopics: a,b\n", with_sets({kNoTopic})),
              HasSubstr("key_template: "));
  EXPECT_EQ(error_of(kOneTopic, with_sets({kNoTopic})), "no error");
  // The same topic listed twice is one topic.
  EXPECT_EQ(error_of("s3: {bucket: b}\nkafka: {topics: [a, a]}\n", with_sets({kNoTopic})),
            "no error");
  EXPECT_EQ(error_of(kTwoTopics), "no error");
  EXPECT_EQ(
      error_of(kTwoTopics, with_sets({"key_template={{ topic }}/{{partition}}/{{start_offset}}"})),
      "no error");
  EXPECT_EQ(
      error_of(kRegex, with_sets({"key_template=x/{{partition}}-{{topic}}-{{start_offset}}"})),
      "no error");
}

TEST(ConfigKeys, DeadLetterKeysCarryTheTopic) {
  SinkConfig c =
      load_config_from_yaml(std::string(kTwoTopics) + "bad_records: {policy: dead_letter}\n");
  EXPECT_TRUE(c.dead_letter_key_template().reads_topic());
}

TEST(ConfigKeys, PrefixIsAFolder) {
  // Kafka Connect's topics.dir is a folder: "raw" and "raw/" both put objects under raw/.
  for (std::string prefix : {"raw", "raw/"}) {
    SinkConfig c = load(kOneTopic, {"s3.prefix=" + prefix});
    EXPECT_EQ(c.s3.prefix, "raw/");
    EXPECT_EQ(example_object_key(c).rfind("raw/a/partition=0/a+0+", 0), 0u)
        << example_object_key(c);
  }
  SinkConfig nested = load_config_from_yaml("s3: {bucket: b, prefix: lake/raw}\ntopics: a\n");
  EXPECT_EQ(nested.s3.prefix, "lake/raw/");
  SinkConfig alias = load_config_from_yaml("s3.bucket.name: b\ntopics.dir: topics\ntopics: a\n");
  EXPECT_EQ(alias.s3.prefix, "topics/");
  SinkConfig none = load_config_from_yaml(kOneTopic);
  EXPECT_EQ(none.s3.prefix, "");
  EXPECT_EQ(example_object_key(none).rfind("a/partition=0/", 0), 0u);
  // The dead-letter prefix is a folder under s3.prefix too.
  SinkConfig dlq = load_config_from_yaml(
      "s3: {bucket: b, prefix: raw}\ntopics: a\nbad_records: {policy: dead_letter, "
      "dead_letter_prefix: errors}\n");
  EXPECT_EQ(dlq.bad_records.dead_letter_prefix, "errors/");
  JsonReader json;
  RecordView r;
  r.topic = "a";
  EXPECT_EQ(dlq.dead_letter_key_template().render_group(r, json).rfind("raw/errors/a/", 0), 0u);
}

TEST(ConfigKeys, ExampleKeyUsesTheFirstTopicAndTheExtension) {
  SinkConfig c = load_config_from_yaml(
      "s3: {bucket: b, prefix: raw, secret_access_key: s3cr3t-value, access_key_id: AKIAEXAMPLE1}\n"
      "kafka: {topics: [edfi.dms.document, other]}\ncompression: {type: zstd}\n");
  EXPECT_EQ(example_object_key(c),
            "raw/edfi.dms.document/partition=0/edfi.dms.document+0+00000000000000000000.jsonl.zst");
  EXPECT_THAT(example_object_key(c), Not(HasSubstr("s3cr3t")));
  // A regex subscription has no topic name to show: a placeholder stands for it.
  SinkConfig regex = load_config_from_yaml(std::string(kRegex) + "format: {type: csv}\n");
  EXPECT_THAT(example_object_key(regex), HasSubstr(".csv.gz"));
  // Template fields from record data take key_default in the sample record.
  SinkConfig fields = load_config_from_yaml(
      std::string(kOneTopic) +
      "key_template: '{{topic}}/{{value.resourcename}}/{{key}}/{{partition}}/{{start_offset}}'\n");
  EXPECT_EQ(example_object_key(fields), "a/_unknown/_unknown/0/00000000000000000000.jsonl.gz");
}

}  // namespace
}  // namespace ks3::server

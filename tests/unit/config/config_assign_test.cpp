// kafka.assign (static assignment): both forms, ordinal from the host name or the environment,
// every mistake named by its key, the effective configuration and the --validate line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/config/config.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace ks3::server {
namespace {

using config_test::issues_of;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ConfigSources on_host(std::string host, std::vector<std::string> sets = {}) {
  ConfigSources sources;
  sources.host_name = std::move(host);
  sources.sets = std::move(sets);
  return sources;
}

// "key: message" of the only issue, or why there is not exactly one.
std::string only_issue(std::string_view yaml, const ConfigSources& sources = on_host("sink-0")) {
  auto issues = issues_of(yaml, sources);
  if (issues.size() != 1) {
    std::string text = std::to_string(issues.size()) + " issues:";
    for (const auto& issue : issues) text += " [" + issue.key + ": " + issue.message + "]";
    return text;
  }
  return issues.front().key + ": " + issues.front().message;
}

constexpr std::string_view kBase = "s3: {bucket: b}\n";

std::string with(std::string_view kafka_yaml) {
  return std::string(kBase) + "kafka:\n" + std::string(kafka_yaml);
}

TEST(ConfigAssign, AbsentIsGroupMode) {
  SinkConfig c = load_config_from_yaml(with("  topics: [events]\n"), on_host("sink-0"));
  EXPECT_FALSE(c.kafka.assign.rule);
  EXPECT_THAT(assignment_comment(c), HasSubstr("consumer group kafka-s3-sink"));
}

TEST(ConfigAssign, OrdinalAndReplicas) {
  SinkConfig c = load_config_from_yaml(
      with("  topics: [events]\n  assign: {replicas: 2, ordinal: 1}\n"), on_host("laptop"));
  ASSERT_TRUE(c.kafka.assign.rule);
  EXPECT_EQ(c.kafka.assign.rule->form, kafka::StaticAssignment::Form::ordinal);
  EXPECT_EQ(c.kafka.assign.rule->ordinal, 1u);
  EXPECT_EQ(c.kafka.assign.rule->replicas, 2u);
  EXPECT_EQ(c.kafka.assign.host_name, "laptop");
  EXPECT_EQ(assignment_comment(c),
            "# kafka assignment: static, ordinal 1 of 2: partition p of every topic where p % 2 "
            "== 1 (ordinal from kafka.assign.ordinal); offsets committed to group kafka-s3-sink, "
            "no rebalancing\n");
}

TEST(ConfigAssign, OrdinalAutoTakesTheStatefulSetPodNumber) {
  SinkConfig c =
      load_config_from_yaml(with("  topics: [events]\n  assign: {replicas: 3, ordinal: auto}\n"),
                            on_host("kafka-s3-sink-2"));
  ASSERT_TRUE(c.kafka.assign.rule);
  EXPECT_EQ(c.kafka.assign.rule->ordinal, 2u);
  EXPECT_THAT(assignment_comment(c), HasSubstr("ordinal from the host name kafka-s3-sink-2"));
  // The effective configuration keeps "auto" (what was written).
  EXPECT_THAT(effective_config_yaml(c), HasSubstr("assign.ordinal: \"auto\""));
}

TEST(ConfigAssign, OrdinalAutoWithoutANumberInTheHostName) {
  EXPECT_THAT(only_issue(with("  topics: [events]\n  assign: {replicas: 2, ordinal: auto}\n"),
                         on_host("laptop")),
              HasSubstr("kafka.assign.ordinal: auto takes the number after the last '-' of the "
                        "host name"));
  EXPECT_THAT(only_issue(with("  topics: [events]\n  assign: {replicas: 2, ordinal: auto}\n"),
                         on_host("laptop")),
              HasSubstr("'laptop' has none"));
}

TEST(ConfigAssign, OrdinalFromTheEnvironment) {
  ConfigSources sources = on_host("laptop");
  sources.environment = {{"KAFKA_S3_SINK_KAFKA__ASSIGN__ORDINAL", "1"},
                         {"KAFKA_S3_SINK_KAFKA__ASSIGN__REPLICAS", "4"}};
  SinkConfig c = load_config_from_yaml(with("  topics: [events]\n"), sources);
  ASSERT_TRUE(c.kafka.assign.rule);
  EXPECT_EQ(c.kafka.assign.rule->ordinal, 1u);
  EXPECT_EQ(c.kafka.assign.rule->replicas, 4u);
  // The environment overrides the file's auto (a pod can set it from the downward API).
  sources.environment = {{"KAFKA_S3_SINK_KAFKA__ASSIGN__ORDINAL", "3"}};
  c = load_config_from_yaml(with("  topics: [events]\n  assign: {replicas: 4, ordinal: auto}\n"),
                            sources);
  EXPECT_EQ(c.kafka.assign.rule->ordinal, 3u);
}

TEST(ConfigAssign, ListedPartitions) {
  SinkConfig c = load_config_from_yaml(
      with("  topics: [events, audit]\n  assign:\n    topics: {events: [0, 1, 2, 3], audit: "
           "'0-1'}\n"),
      on_host("laptop"));
  ASSERT_TRUE(c.kafka.assign.rule);
  EXPECT_EQ(c.kafka.assign.rule->form, kafka::StaticAssignment::Form::listed);
  EXPECT_THAT(c.kafka.assign.rule->partitions.at("events"), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(c.kafka.assign.rule->partitions.at("audit"), ElementsAre(0, 1));
  EXPECT_THAT(assignment_comment(c), HasSubstr("static, listed: audit[0,1] events[0,1,2,3]"));
  // The printed configuration loads back to the same rule.
  SinkConfig again = load_config_from_yaml(effective_config_yaml(c), on_host("laptop"));
  ASSERT_TRUE(again.kafka.assign.rule);
  EXPECT_EQ(again.kafka.assign.rule->partitions, c.kafka.assign.rule->partitions);
}

TEST(ConfigAssign, ListedTopicsBecomeTheTopicsWhenNoneAreGiven) {
  SinkConfig c =
      load_config_from_yaml(with("  assign: {topics: {events: [1, 3]}}\n"), on_host("laptop"));
  EXPECT_THAT(c.kafka.topics, ElementsAre("events"));
}

TEST(ConfigAssign, ListedPartitionsFromSetAndEnvironment) {
  ConfigSources sources = on_host("laptop", {"kafka.assign.topics.events=4-5"});
  sources.environment = {{"KAFKA_S3_SINK_KAFKA__ASSIGN__TOPICS__AUDIT", "0,2"}};
  SinkConfig c = load_config_from_yaml(with("  topics: [events, audit]\n"), sources);
  ASSERT_TRUE(c.kafka.assign.rule);
  EXPECT_THAT(c.kafka.assign.rule->partitions.at("events"), ElementsAre(4, 5));
  EXPECT_THAT(c.kafka.assign.rule->partitions.at("audit"), ElementsAre(0, 2));
}

TEST(ConfigAssign, EachMistakeNamesItsKey) {
  struct Case {
    std::string kafka_yaml;
    std::string expected;  // "key: start of the message"
  };
  const std::vector<Case> cases = {
      {"  topics_regex: '^ev.*'\n  assign: {replicas: 2, ordinal: 0}\n",
       "kafka.topics_regex: cannot be used with kafka.assign"},
      {"  topics: ['^ev.*']\n  assign: {replicas: 2, ordinal: 0}\n",
       "kafka.topics: '^ev.*' is a regex, which kafka.assign does not allow"},
      {"  topics: [events]\n  assign: {replicas: 2, ordinal: 2}\n",
       "kafka.assign.ordinal: ordinal 2 (from kafka.assign.ordinal) is not below "
       "kafka.assign.replicas (2)"},
      {"  topics: [events]\n  assign: {replicas: 0, ordinal: 0}\n",
       "kafka.assign.replicas: '0' must be a whole number from 1 to 100000"},
      {"  topics: [events]\n  assign: {replicas: 2}\n",
       "kafka.assign.ordinal: set this instance's ordinal (0 to 1) or auto"},
      {"  topics: [events]\n  assign: {ordinal: 1}\n",
       "kafka.assign.replicas: set the number of instances"},
      {"  topics: [events]\n  assign: {replicas: 2, ordinal: first}\n",
       "kafka.assign.ordinal: 'first' is not an ordinal"},
      {"  topics: [events]\n  assign: {replicas: 2, ordinal: '-1'}\n",
       "kafka.assign.ordinal: '-1' is not an ordinal"},
      {"  topics: [events]\n  assign: {topics: {events: [0, -1]}}\n",
       "kafka.assign.topics.events: partition -1 is negative"},
      {"  topics: [events]\n  assign: {topics: {events: [0, 1, 1]}}\n",
       "kafka.assign.topics.events: partition 1 is listed twice"},
      {"  topics: [events]\n  assign: {topics: {events: []}}\n",
       "kafka.assign.topics.events: lists no partition"},
      {"  topics: [events]\n  assign: {topics: {events: [0], audit: [1]}}\n",
       "kafka.assign.topics.audit: topic audit is not in kafka.topics"},
      {"  topics: [events, audit]\n  assign: {topics: {events: [0]}}\n",
       "kafka.assign.topics: kafka.topics lists audit but kafka.assign.topics gives it no "
       "partitions"},
      {"  topics: [events]\n  assign: {topics: {events: [0]}, replicas: 2, ordinal: 0}\n",
       "kafka.assign: give either kafka.assign.topics"},
      {"  topics: [events]\n  assign: {replicas: 2, ordinal: 0, check_interval: 0}\n",
       "kafka.assign.check_interval: must be more than 0"},
      {"  topics: [events]\n  assign: {topics: text}\n",
       "kafka.assign.topics: expects a map, e.g. {events: [0, 1, 2, 3]}"},
      {"  topics: [events]\n  assign: {topics: {events: [[0]]}}\n",
       "kafka.assign.topics.events: list items must be plain values"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(only_issue(with(c.kafka_yaml)), HasSubstr(c.expected)) << c.kafka_yaml;
  }
}

}  // namespace
}  // namespace ks3::server

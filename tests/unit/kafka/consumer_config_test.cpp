#include "kafka/consumer_config.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace ks3::kafka {
namespace {

ConsumerConfig base() {
  ConsumerConfig c;
  c.bootstrap_servers = "127.0.0.1:9092";
  c.group_id = "sink";
  c.topics = {"edfi.dms.document"};
  return c;
}

// The last value of each property wins, as rd_kafka_conf_set applies them in order.
std::map<std::string, std::string> applied(const ConsumerConfig& c) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : effective_properties(c)) out[name] = value;
  return out;
}

std::string error_of(const ConsumerConfig& c) {
  try {
    effective_properties(c);
    subscription(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConsumerConfig, DefaultsFixedPropertiesAndDedicatedFields) {
  auto p = applied(base());
  EXPECT_EQ(p["bootstrap.servers"], "127.0.0.1:9092");
  EXPECT_EQ(p["group.id"], "sink");
  EXPECT_EQ(p["enable.auto.commit"], "false");
  EXPECT_EQ(p["enable.auto.offset.store"], "false");
  EXPECT_EQ(p["auto.offset.reset"], "earliest");
  EXPECT_EQ(p["queued.max.messages.kbytes"], "16384");
  EXPECT_EQ(p["fetch.max.bytes"], "4194304");
  EXPECT_EQ(p["log.queue"], "true");
}

TEST(ConsumerConfig, PassThroughPropertiesOverrideDefaults) {
  auto c = base();
  c.properties = {{"auto.offset.reset", "latest"},
                  {"security.protocol", "SASL_SSL"},
                  {"queued.max.messages.kbytes", "4096"},
                  {"enable.auto.commit", "false"}};  // the fixed value itself is fine
  auto p = applied(c);
  EXPECT_EQ(p["auto.offset.reset"], "latest");
  EXPECT_EQ(p["security.protocol"], "SASL_SSL");
  EXPECT_EQ(p["queued.max.messages.kbytes"], "4096");
}

// librdkafka refuses fetch.max.bytes below message.max.bytes: a message size above the default
// fetch size raises it, unless fetch.max.bytes is given too (then librdkafka's check stands).
TEST(ConsumerConfig, AMessageMaxBytesAboveTheDefaultFetchSizeRaisesIt) {
  auto c = base();
  c.properties = {{"message.max.bytes", "1000000"}};
  EXPECT_EQ(applied(c)["fetch.max.bytes"], "4194304");
  c.properties = {{"message.max.bytes", "20000000"}};
  EXPECT_EQ(applied(c)["fetch.max.bytes"], "20000000");
  c.properties = {{"message.max.bytes", "20000000"}, {"fetch.max.bytes", "8388608"}};
  EXPECT_EQ(applied(c)["fetch.max.bytes"], "8388608");
  c.properties = {{"message.max.bytes", "lots"}};  // librdkafka refuses it at start
  EXPECT_EQ(applied(c)["fetch.max.bytes"], "4194304");
}

// A partition without a commit is assigned at this logical offset (never INVALID, which makes
// librdkafka start its fetcher late: consumer_rebalance.cpp).
TEST(ConsumerConfig, StartWithoutCommitFollowsTheLastAutoOffsetReset) {
  EXPECT_EQ(start_without_commit(effective_properties(base())), StartWithoutCommit::beginning);
  for (const char* v : {"smallest", "earliest", "beginning"}) {
    auto c = base();
    c.properties = {{"auto.offset.reset", v}};
    EXPECT_EQ(start_without_commit(effective_properties(c)), StartWithoutCommit::beginning) << v;
  }
  for (const char* v : {"largest", "latest", "end"}) {
    auto c = base();
    c.properties = {{"auto.offset.reset", v}};
    EXPECT_EQ(start_without_commit(effective_properties(c)), StartWithoutCommit::end) << v;
  }
  auto c = base();
  c.properties = {{"auto.offset.reset", "error"}};
  EXPECT_EQ(start_without_commit(effective_properties(c)), StartWithoutCommit::error);
  EXPECT_EQ(start_without_commit({}), StartWithoutCommit::end);  // librdkafka's default
}

TEST(ConsumerConfig, FixedPropertiesCannotBeChanged) {
  for (const char* name : {"enable.auto.commit", "enable.auto.offset.store"}) {
    auto c = base();
    c.properties[name] = "true";
    auto error = error_of(c);
    EXPECT_NE(error.find(name), std::string::npos) << error;
    EXPECT_NE(error.find("durable in S3"), std::string::npos) << error;
  }
}

TEST(ConsumerConfig, GroupAndBootstrapAreRequiredOnce) {
  auto c = base();
  c.group_id.clear();
  EXPECT_NE(error_of(c).find("group.id is not set"), std::string::npos);
  c.properties["group.id"] = "from-properties";
  EXPECT_EQ(error_of(c), "");
  EXPECT_EQ(applied(c)["group.id"], "from-properties");

  c = base();
  c.bootstrap_servers.clear();
  EXPECT_NE(error_of(c).find("bootstrap.servers"), std::string::npos);

  c = base();
  c.properties["group.id"] = "other";
  EXPECT_NE(error_of(c).find("given twice"), std::string::npos);
}

TEST(ConsumerConfig, SubscriptionFromTopicsAndRegex) {
  auto c = base();
  c.topics = {"a", "b.c"};
  c.topics_regex = "edfi\\..*";
  EXPECT_EQ(subscription(c), (std::vector<std::string>{"a", "b.c", "^edfi\\..*"}));
  c.topics_regex = "^x.*";
  EXPECT_EQ(subscription(c).back(), "^x.*");
  c.topics = {"^events-.*"};  // librdkafka's rule: a leading '^' makes a regex
  c.topics_regex.clear();
  EXPECT_EQ(subscription(c), (std::vector<std::string>{"^events-.*"}));
}

TEST(ConsumerConfig, SubscriptionRejectsBadOrMissingTopics) {
  auto c = base();
  c.topics.clear();
  EXPECT_NE(error_of(c).find("no topics"), std::string::npos);
  for (const char* bad : {"has space", "slash/topic", "", ".", "..", "ümlaut"}) {
    c.topics = {bad};
    EXPECT_NE(error_of(c).find("not a valid topic name"), std::string::npos) << bad;
  }
  c.topics = {std::string(250, 'a')};
  EXPECT_NE(error_of(c), "");
  c.topics = {std::string(249, 'a')};
  EXPECT_EQ(error_of(c), "");
}

TEST(ConsumerConfig, SecretPropertiesAreRecognisedAndHidden) {
  for (const char* name : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                           "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config",
                           "ssl.key.pem", "sasl.jaas.config", "SASL.PASSWORD"}) {
    EXPECT_TRUE(is_secret_property(name)) << name;
    EXPECT_EQ(shown_value(name, "hunter2"), "***") << name;
  }
  for (const char* name : {"sasl.username", "bootstrap.servers", "ssl.ca.location",
                           "security.protocol", "sasl.mechanism"}) {
    EXPECT_FALSE(is_secret_property(name)) << name;
    EXPECT_EQ(shown_value(name, "v"), "v") << name;
  }
}

TEST(ConsumerConfig, ErrorsNeverQuoteSecretValues) {
  auto c = base();
  c.properties["sasl.password"] = "hunter2";
  c.properties["enable.auto.commit"] = "true";
  EXPECT_EQ(error_of(c).find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace ks3::kafka

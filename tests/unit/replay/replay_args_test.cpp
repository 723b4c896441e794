// `replay` flags -> ReplayCommand (pure: no I/O happens while parsing).
#include <gtest/gtest.h>

#include <stdexcept>

#include "server/replay/replay.hpp"

namespace ks3::server::replay {
namespace {

ReplayCommand parse(std::vector<std::string> words) {
  ReplayCommand command;
  parse_replay_args(words, command);
  return command;
}

TEST(ReplayArgs, LocationTopicAndEncodings) {
  const ReplayCommand command = parse({"s3://lake/raw/orders/",
                                       "--topic",
                                       "orders-copy",
                                       "-b",
                                       "k1:9092,k2:9092",
                                       "-X",
                                       "linger.ms=50",
                                       "--s3-prefix",
                                       "raw/",
                                       "--key-template",
                                       "{{topic}}/{{partition}}/{{start_offset}}",
                                       "--key-encoding",
                                       "base64",
                                       "--value-encoding",
                                       "string",
                                       "--partitioning",
                                       "keep",
                                       "--source-topic",
                                       "orders",
                                       "--endpoint",
                                       "http://127.0.0.1:9000",
                                       "--region",
                                       "eu-west-1"});
  const ReplayOptions& r = command.replay;
  EXPECT_EQ(r.bucket, "lake");
  EXPECT_EQ(r.prefix, "raw/orders/");
  EXPECT_EQ(r.target_topic, "orders-copy");
  EXPECT_EQ(r.bootstrap_servers, "k1:9092,k2:9092");
  EXPECT_EQ(r.producer_properties.at("linger.ms"), "50");
  EXPECT_EQ(r.key_prefix, "raw/");
  EXPECT_EQ(r.key_template, "{{topic}}/{{partition}}/{{start_offset}}");
  EXPECT_EQ(r.encodings.key_encoding, BytesEncoding::base64);
  EXPECT_EQ(r.encodings.value_encoding, BytesEncoding::string);
  EXPECT_EQ(r.partitioning, Partitioning::keep);
  EXPECT_EQ(r.source_topic, "orders");
  EXPECT_EQ(command.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(command.client.region, "eu-west-1");
}

TEST(ReplayArgs, DefaultsMatchTheSinkDefaults) {
  const ReplayCommand command = parse({"s3://lake", "--topic", "t"});
  EXPECT_EQ(command.replay.bucket, "lake");
  EXPECT_EQ(command.replay.prefix, "");
  EXPECT_EQ(command.replay.encodings.key_encoding, BytesEncoding::string);
  EXPECT_EQ(command.replay.encodings.value_encoding, BytesEncoding::json);
  EXPECT_EQ(command.replay.partitioning, Partitioning::auto_);
  EXPECT_EQ(command.replay.key_template,
            "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}");
}

TEST(ReplayArgs, Mistakes) {
  EXPECT_THROW(parse({"--topic", "t"}), std::invalid_argument);  // no location
  EXPECT_THROW(parse({"s3://lake/x"}), std::invalid_argument);   // no target topic
  EXPECT_NO_THROW(parse({"s3://lake/x", "--dry-run"}));          // dry run needs none
  EXPECT_THROW(parse({"s3:///x", "--topic", "t"}), std::invalid_argument);
  EXPECT_THROW(parse({"s3://l", "--topic", "t", "--value-encoding", "hex"}), std::invalid_argument);
  EXPECT_THROW(parse({"s3://l", "--topic", "t", "--partitioning", "random"}),
               std::invalid_argument);
  EXPECT_THROW(parse({"s3://l", "--topic", "t", "-X", "novalue"}), std::invalid_argument);
  EXPECT_THROW(parse({"s3://l", "--topic"}), std::invalid_argument);
  EXPECT_THROW(parse({"s3://l", "--topic", "t", "--nope"}), std::invalid_argument);
}

}  // namespace
}  // namespace ks3::server::replay

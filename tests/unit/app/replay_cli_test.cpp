// `kafka-s3-sink replay` and `kafka-s3-sink connect-config` through parse_cli (pure: no I/O).
#include "server/app/replay_cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "server/app/cli_options.hpp"
#include "server/app/connect_cli.hpp"
#include "tests/unit/app/parse_cli_helpers.hpp"

namespace ks3::server {
namespace {

using testing::exit_of;
using ::testing::HasSubstr;
using testing::options_of;

replay::ReplayCommand replay_of(const std::vector<std::string>& args) {
  const CliOptions options = options_of(args);
  EXPECT_EQ(options.mode, CliOptions::Mode::replay);
  return replay_command(options.replay, replay::ReplayCommand{});
}

TEST(ReplayCli, LocationTopicAndEncodings) {
  const replay::ReplayCommand command = replay_of({"replay",
                                                   "s3://lake/raw/orders/",
                                                   "--topic",
                                                   "orders-copy",
                                                   "-b",
                                                   "k1:9092,k2:9092",
                                                   "-X",
                                                   "linger.ms=50",
                                                   "--property=acks=all",
                                                   "-X",
                                                   "client.id=a=b",
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
                                                   "--progress-interval",
                                                   "7",
                                                   "--endpoint",
                                                   "http://127.0.0.1:9000",
                                                   "--region",
                                                   "eu-west-1",
                                                   "--profile",
                                                   "ops",
                                                   "--max-attempts",
                                                   "9",
                                                   "--insecure-skip-tls-verify"});
  const replay::ReplayOptions& r = command.replay;
  EXPECT_EQ(r.bucket, "lake");
  EXPECT_EQ(r.prefix, "raw/orders/");
  EXPECT_EQ(r.target_topic, "orders-copy");
  EXPECT_EQ(r.bootstrap_servers, "k1:9092,k2:9092");
  EXPECT_EQ(r.producer_properties.at("linger.ms"), "50");
  EXPECT_EQ(r.producer_properties.at("acks"), "all");
  EXPECT_EQ(r.producer_properties.at("client.id"), "a=b");
  EXPECT_EQ(r.key_prefix, "raw/");
  EXPECT_EQ(r.key_template, "{{topic}}/{{partition}}/{{start_offset}}");
  EXPECT_EQ(r.encodings.key_encoding, BytesEncoding::base64);
  EXPECT_EQ(r.encodings.value_encoding, BytesEncoding::string);
  EXPECT_EQ(r.partitioning, replay::Partitioning::keep);
  EXPECT_EQ(r.source_topic, "orders");
  EXPECT_EQ(r.progress_interval, std::chrono::seconds(7));
  EXPECT_EQ(command.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(command.client.region, "eu-west-1");
  EXPECT_EQ(command.credentials.profile, "ops");
  EXPECT_EQ(command.client.retry.max_attempts, 9);
  EXPECT_FALSE(command.client.tls.verify);
  EXPECT_EQ(options_of({"replay", "s3://l", "-t", "t", "--partitioning", "key"})
                .replay.replay.partitioning,
            replay::Partitioning::key);
  EXPECT_EQ(options_of({"replay", "s3://l", "-t", "t", "--log-level", "debug"}).replay.log_level,
            "debug");
}

TEST(ReplayCli, DefaultsMatchTheSinkDefaultsAndTheEnvironmentStaysUnlessAFlagIsGiven) {
  replay::ReplayCommand environment;
  environment.client.endpoint = "http://env:9000";
  environment.client.region = "ap-south-1";
  const CliOptions options = options_of({"replay", "s3://lake", "--topic", "t"});
  const replay::ReplayCommand command = replay_command(options.replay, environment);
  EXPECT_EQ(command.replay.bucket, "lake");
  EXPECT_EQ(command.replay.prefix, "");
  EXPECT_EQ(command.replay.bootstrap_servers, "127.0.0.1:9092");
  EXPECT_EQ(command.replay.encodings.key_encoding, BytesEncoding::string);
  EXPECT_EQ(command.replay.encodings.value_encoding, BytesEncoding::json);
  EXPECT_EQ(command.replay.partitioning, replay::Partitioning::auto_);
  EXPECT_EQ(command.replay.progress_interval, std::chrono::seconds(5));
  EXPECT_FALSE(command.replay.dry_run);
  EXPECT_TRUE(command.replay.producer_properties.empty());
  EXPECT_EQ(command.replay.key_template,
            "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}");
  EXPECT_EQ(command.client.endpoint, "http://env:9000");
  EXPECT_EQ(command.client.region, "ap-south-1");
  EXPECT_FALSE(options.replay.log_level);
  // A dry run needs no target topic.
  EXPECT_TRUE(options_of({"replay", "s3://lake/x", "--dry-run"}).replay.replay.dry_run);
}

TEST(ReplayCli, HelpListsEveryOption) {
  const cli::Exit help = exit_of({"replay", "--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* option : {"LOCATION",
                             "--topic",
                             "-t",
                             "--bootstrap-servers",
                             "-b",
                             "--property",
                             "-X",
                             "--source-topic",
                             "--key-template",
                             "--s3-prefix",
                             "--key-encoding",
                             "--value-encoding",
                             "--partitioning",
                             "--dry-run",
                             "--progress-interval",
                             "--log-level",
                             "--endpoint",
                             "--region",
                             "--addressing",
                             "--ca-file",
                             "--insecure-skip-tls-verify",
                             "--profile",
                             "--max-attempts",
                             "kafka-s3-sink replay"}) {
    EXPECT_THAT(help.text, HasSubstr(option));
  }
  const cli::Exit top = exit_of({"--help"});
  EXPECT_THAT(top.text, HasSubstr("replay"));
  EXPECT_THAT(top.text, HasSubstr("connect-config"));
  const cli::Exit connect = exit_of({"connect-config", "--help"});
  EXPECT_EQ(connect.status, 0);
  EXPECT_THAT(connect.text, HasSubstr("FILE"));
}

TEST(ReplayCli, UsageErrorIsOneLineNamingIt) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"replay"}, "kafka-s3-sink replay: LOCATION is required"},
      {{"replay", "--topic", "t"}, "kafka-s3-sink replay: LOCATION is required"},
      {{"replay", "s3://lake/x"}, "kafka-s3-sink replay: --topic is required"},
      {{"replay", "s3:///x", "--topic", "t"}, "expects s3://BUCKET/PREFIX, not 's3:///x'"},
      {{"replay", "lake/x", "--topic", "t"}, "expects s3://BUCKET/PREFIX, not 'lake/x'"},
      {{"replay", "s3://l", "--topic", "t", "--value-encoding", "hex"},
       "--value-encoding: must be string, json or base64, not 'hex'"},
      {{"replay", "s3://l", "--topic", "t", "--partitioning", "random"},
       "--partitioning: must be auto, keep or key, not 'random'"},
      {{"replay", "s3://l", "--topic", "t", "-X", "novalue"},
       "--property: expects NAME=VALUE, not 'novalue'"},
      {{"replay", "s3://l", "--topic", "t", "-X", "=v"}, "expects NAME=VALUE, not '=v'"},
      {{"replay", "s3://l", "--topic"}, "kafka-s3-sink replay: --topic needs a value"},
      {{"replay", "s3://l", "--topic", "t", "--nope"},
       "kafka-s3-sink replay: unknown option '--nope'"},
      {{"replay", "s3://l", "s3://m", "--topic", "t"},
       "kafka-s3-sink replay: unexpected argument 's3://m'"},
      {{"replay", "s3://l", "-t", "t", "--progress-interval", "0"}, "--progress-interval: expects"},
      {{"replay", "s3://l", "-t", "t", "--log-level", "loud"}, "--log-level: must be debug"},
      {{"replay", "s3://l", "-t", "t", "--max-attempts", "0"}, "--max-attempts: expects"},
      {{"replay", "s3://l", "-t", "t", "--recursive"}, "unknown option '--recursive'"},
      {{"-c", "x.yaml", "replay", "s3://l", "-t", "t"},
       "kafka-s3-sink replay: --config is for running the sink, not for replay"},
      {{"connect-config"}, "kafka-s3-sink connect-config: FILE is required"},
      {{"connect-config", "a.json", "b.json"},
       "kafka-s3-sink connect-config: unexpected argument 'b.json'"},
      {{"connect-config", "a.json", "--out", "x"},
       "kafka-s3-sink connect-config: unknown option '--out'"},
      {{"--validate", "connect-config", "a.json"},
       "--validate is for running the sink, not for connect-config"},
  };
  for (const auto& [args, expected] : cases) {
    const cli::Exit exit = exit_of(args);
    EXPECT_EQ(exit.status, 2) << expected;
    EXPECT_THAT(exit.text, HasSubstr(expected));
    EXPECT_EQ(exit.text.find('\n'), exit.text.size() - 1) << exit.text;
    EXPECT_THAT(exit.text, HasSubstr(" --help)\n"));
  }
}

TEST(ConnectCli, ParsesTheFile) {
  const CliOptions file = options_of({"connect-config", "connector.json"});
  EXPECT_EQ(file.mode, CliOptions::Mode::connect_config);
  EXPECT_EQ(file.connect_file, "connector.json");
  EXPECT_EQ(options_of({"connect-config", "-"}).connect_file, "-");
}

TEST(ConnectCli, ConvertsStdinAndNamesErrorsInOneLine) {
  std::istringstream in(R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector",
      "topics": "orders", "s3.bucket.name": "lake", "aws.secret.access.key": "TOPSECRET",
      "s3.sse.kms.key.id": "k"})");
  std::ostringstream out, err;
  EXPECT_EQ(run_connect_config("-", in, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("lake"));
  EXPECT_EQ(out.str().find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(err.str().find("TOPSECRET"), std::string::npos);
  std::istringstream lines(err.str());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_THAT(line, ::testing::StartsWith("connect-config: "));
  }

  std::istringstream bad("{not json");
  std::ostringstream out2, err2;
  EXPECT_EQ(run_connect_config("-", bad, out2, err2), 2);
  EXPECT_TRUE(out2.str().empty());
  EXPECT_THAT(err2.str(), ::testing::StartsWith("kafka-s3-sink connect-config: "));
  EXPECT_EQ(err2.str().find('\n'), err2.str().size() - 1);

  std::istringstream none;
  std::ostringstream out3, err3;
  EXPECT_EQ(run_connect_config("/nonexistent/connector.json", none, out3, err3), 2);
  EXPECT_EQ(err3.str(),
            "kafka-s3-sink connect-config: cannot read '/nonexistent/connector.json'\n");
}

}  // namespace
}  // namespace ks3::server

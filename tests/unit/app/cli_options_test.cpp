#include "server/app/cli_options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace ks3::server {
namespace {

CliOptions parse(std::vector<std::string_view> args) {
  return parse_cli(args);
}

TEST(CliOptions, RunWithConfigAndOverrides) {
  CliOptions o = parse({"--config", "sink.yaml", "--set", "s3.bucket=lake", "--set=flush.size=5",
                        "--log-level", "debug", "--log-format=json"});
  EXPECT_EQ(o.mode, CliOptions::Mode::run);
  EXPECT_EQ(o.sources.file, "sink.yaml");
  EXPECT_EQ(o.sources.sets, (std::vector<std::string>{"s3.bucket=lake", "flush.size=5"}));
  EXPECT_EQ(o.sources.log_level, "debug");
  EXPECT_EQ(o.sources.log_format, "json");
}

TEST(CliOptions, Modes) {
  EXPECT_EQ(parse({"-c", "x.yaml", "--validate"}).mode, CliOptions::Mode::validate);
  EXPECT_EQ(parse({"--version"}).mode, CliOptions::Mode::version);
  EXPECT_EQ(parse({"--validate", "--help"}).mode, CliOptions::Mode::help);
  EXPECT_EQ(parse({}).mode, CliOptions::Mode::run);
}

TEST(CliOptions, Errors) {
  EXPECT_THROW(parse({"--config"}), std::invalid_argument);
  EXPECT_THROW(parse({"--nope"}), std::invalid_argument);
  EXPECT_THROW(parse({"stray"}), std::invalid_argument);
  EXPECT_THAT(usage_text(), ::testing::HasSubstr("KAFKA_S3_SINK_S3__BUCKET"));
}

}  // namespace
}  // namespace ks3::server

#include "server/app/cli_options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/app/parse_cli_helpers.hpp"

namespace ks3::server {
namespace {

using testing::exit_of;
using ::testing::HasSubstr;
using testing::options_of;
using ::testing::StartsWith;

TEST(CliOptions, RunWithConfigAndOverrides) {
  CliOptions o = options_of({"--config", "sink.yaml", "--set", "s3.bucket=lake",
                             "--set=flush.size=5", "--log-level", "debug", "--log-format=json"});
  EXPECT_EQ(o.mode, CliOptions::Mode::run);
  EXPECT_EQ(o.sources.file, "sink.yaml");
  EXPECT_EQ(o.sources.sets, (std::vector<std::string>{"s3.bucket=lake", "flush.size=5"}));
  EXPECT_EQ(o.sources.log_level, "debug");
  EXPECT_EQ(o.sources.log_format, "json");
  EXPECT_EQ(options_of({"-c", "a.yaml"}).sources.file, "a.yaml");
  EXPECT_EQ(options_of({"--config=a.yaml"}).sources.file, "a.yaml");
  // As before: a flag given twice keeps its last value; without flags, nothing is set.
  EXPECT_EQ(options_of({"-c", "a.yaml", "--config", "b.yaml"}).sources.file, "b.yaml");
  const CliOptions none = options_of({});
  EXPECT_EQ(none.mode, CliOptions::Mode::run);
  EXPECT_FALSE(none.sources.file);
  EXPECT_FALSE(none.sources.log_level);
  EXPECT_TRUE(none.sources.sets.empty());
}

TEST(CliOptions, Modes) {
  EXPECT_EQ(options_of({"-c", "x.yaml", "--validate"}).mode, CliOptions::Mode::validate);
  EXPECT_EQ(options_of({"--validate", "--config", "x.yaml"}).mode, CliOptions::Mode::validate);
  EXPECT_EQ(options_of({"s3", "ls", "s3://b"}).mode, CliOptions::Mode::s3);
  const cli::Exit version = exit_of({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.text, "kafka-s3-sink " + std::string(version_text()) + "\n");
  const cli::Exit help = exit_of({"--validate", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.text, HasSubstr("KAFKA_S3_SINK_S3__BUCKET"));
}

// --help of every (sub)command exits 0 and lists its options.
TEST(CliOptions, HelpOfEveryCommandListsItsOptions) {
  const std::vector<std::string> settings = {
      "--endpoint", "--region",          "--addressing",  "--ca-file", "--insecure-skip-tls-verify",
      "--profile",  "--payload-signing", "--max-attempts"};
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> lists;
  };
  std::vector<Case> cases = {
      {{"--help"},
       {"--config", "-c", "--set", "--log-level", "--log-format", "--validate", "--version", "s3"}},
      {{"-h"}, {"--config"}},
      {{"s3", "--help"}, {"ls", "put", "get", "rm", "head", "presign"}},
      {{"s3", "help"}, {"presign"}},
      {{"s3", "ls", "--help"}, {"URI", "--recursive", "-r"}},
      {{"s3", "put", "--help"}, {"FILE", "URI", "--content-type", "--part-size", "--concurrency"}},
      {{"s3", "get", "--help"}, {"URI", "FILE"}},
      {{"s3", "rm", "--help"}, {"URI"}},
      {{"s3", "head", "--help"}, {"URI"}},
      {{"s3", "presign", "--help"}, {"URI", "--expires", "--method"}},
  };
  for (Case& c : cases) {
    if (c.args[0] == "s3") c.lists.insert(c.lists.end(), settings.begin(), settings.end());
    const cli::Exit exit = exit_of(c.args);
    EXPECT_EQ(exit.status, 0) << c.args.back();
    for (const std::string& option : c.lists) {
      EXPECT_THAT(exit.text, HasSubstr(option)) << "help of " << ::testing::PrintToString(c.args);
    }
  }
  EXPECT_THAT(exit_of({"s3", "put", "--help"}).text, StartsWith("upload a file"));
  EXPECT_THAT(exit_of({"s3", "put", "--help"}).text, HasSubstr("kafka-s3-sink s3 put"));
}

// A usage error exits 2 with one line that names the problem and where to look.
TEST(CliOptions, UsageErrorIsOneLineNamingIt) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--nope"}, "kafka-s3-sink: unknown option '--nope' (see kafka-s3-sink --help)"},
      {{"--nope=1", "-c", "x"}, "kafka-s3-sink: unknown option '--nope=1'"},
      {{"--config"}, "kafka-s3-sink: --config needs a value"},
      {{"-c", "x.yaml", "--log-level"}, "kafka-s3-sink: --log-level needs a value"},
      {{"stray"}, "kafka-s3-sink: unexpected argument 'stray'"},
      {{"--set", "a=1", "b=2"}, "kafka-s3-sink: unexpected argument 'b=2'"},
      {{"s3"},
       "kafka-s3-sink s3: missing command (ls, put, get, rm, head or presign) "
       "(see kafka-s3-sink s3 --help)"},
      {{"s3", "cp", "a", "b"}, "kafka-s3-sink s3: unknown command 'cp' (ls, put"},
      {{"s3", "ls"}, "kafka-s3-sink s3 ls: URI is required (see kafka-s3-sink s3 ls --help)"},
      {{"s3", "ls", "s3://b", "extra"}, "kafka-s3-sink s3 ls: unexpected argument 'extra'"},
      {{"s3", "ls", "s3://b", "--secret-access-key", "x"},
       "kafka-s3-sink s3 ls: unknown option '--secret-access-key'"},
      {{"s3", "ls", "s3://b", "--region"}, "kafka-s3-sink s3 ls: --region needs a value"},
      {{"s3", "rm", "s3:///k"}, "URI: 's3:///k' has no bucket: write s3://bucket/key"},
      {{"s3", "put", "f", "s3://b/k", "--part-size", "4"},
       "kafka-s3-sink s3 put: --part-size: expects a whole number from 5 to 5120 (MiB), not '4'"},
      {{"s3", "put", "f", "s3://b/k", "--part-size", "x"}, "--part-size: expects a whole number"},
      {{"s3", "put", "f", "s3://b/k", "--concurrency", "0"},
       "--concurrency: expects a positive whole number, not '0'"},
      {{"s3", "presign", "s3://b/k", "--expires", "604801"}, "from 1 to 604800"},
      {{"s3", "presign", "s3://b/k", "--method", "POST"},
       "--method: must be GET or PUT, not 'POST'"},
      {{"s3", "ls", "s3://b", "--addressing", "dns"},
       "--addressing: must be auto, path or virtual, not 'dns'"},
      {{"s3", "ls", "s3://b", "--payload-signing", "x"}, "must be auto, signed or unsigned"},
      {{"s3", "ls", "s3://b", "--max-attempts", "-1"}, "--max-attempts: expects a positive"},
      {{"s3", "ls", "s3://b", "--max-attempts", "99999999999"},
       "--max-attempts: '99999999999' is out of range"},
      {{"s3", "ls", "s3://b", "--content-type", "x"}, "unknown option '--content-type'"},
      {{"s3", "ls", "s3://b", "--config"}, "--config needs a value"},
      {{"-c", "x", "s3", "ls", "s3://b"},
       "kafka-s3-sink s3: --config is for running the sink, not for s3"},
      {{"--validate", "s3", "ls", "s3://b"}, "--validate is for running the sink, not for s3"},
  };
  for (const auto& [args, expected] : cases) {
    const cli::Exit exit = exit_of(args);
    EXPECT_EQ(exit.status, 2) << expected;
    EXPECT_THAT(exit.text, HasSubstr(expected));
    EXPECT_EQ(exit.text.find('\n'), exit.text.size() - 1) << exit.text;
    EXPECT_THAT(exit.text, HasSubstr(" --help)\n"));
  }
}

}  // namespace
}  // namespace ks3::server

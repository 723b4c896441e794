#include "bench/lib/tool_args.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace ks3::bench {
namespace {

using ::testing::HasSubstr;
using Words = std::vector<std::string>;

template <class Options>
Options options_of(const cli::Parsed<Options>& parsed) {
  if (const auto* exit = std::get_if<cli::Exit>(&parsed)) {
    ADD_FAILURE() << "exit " << exit->status << ": " << exit->text;
    return {};
  }
  return std::get<Options>(parsed);
}

template <class Options>
cli::Exit exit_of(const cli::Parsed<Options>& parsed) {
  if (const auto* exit = std::get_if<cli::Exit>(&parsed)) return *exit;
  ADD_FAILURE() << "parsed without an exit";
  return {-1, ""};
}

// A usage error: status 2, one line naming `expected`, pointing at --help.
template <class Options>
void expect_usage_error(const cli::Parsed<Options>& parsed, const std::string& expected) {
  const cli::Exit exit = exit_of(parsed);
  EXPECT_EQ(exit.status, 2) << expected;
  EXPECT_THAT(exit.text, HasSubstr(expected));
  EXPECT_EQ(exit.text.find('\n'), exit.text.size() - 1) << exit.text;
  EXPECT_THAT(exit.text, HasSubstr(" --help)\n"));
}

// --help exits 0 and lists every option.
template <class Options>
void expect_help_lists(const cli::Parsed<Options>& parsed, const Words& options) {
  const cli::Exit exit = exit_of(parsed);
  EXPECT_EQ(exit.status, 0);
  for (const std::string& option : options) EXPECT_THAT(exit.text, HasSubstr(option));
}

TEST(LoadGenArgs, EveryFlag) {
  const LoadGenArgs a = options_of(parse_load_gen_args(Words{"--bootstrap",    "127.0.0.1:9092",
                                                             "--topic",        "t",
                                                             "--records",      "1000",
                                                             "--value-size",   "160",
                                                             "--shape",        "debezium",
                                                             "--keys",         "251",
                                                             "--seed",         "7",
                                                             "--delete-ratio", "0.25",
                                                             "--partitioner",  "round-robin",
                                                             "--rate",         "500.5",
                                                             "--first-index",  "1000",
                                                             "--allow-drop"}));
  EXPECT_EQ(a.bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(a.topic, "t");
  EXPECT_EQ(a.records, 1000u);
  EXPECT_EQ(a.gen.value_size, 160u);
  EXPECT_EQ(a.gen.shape, Shape::debezium);
  EXPECT_EQ(a.gen.key_cardinality, 251u);
  EXPECT_EQ(a.gen.seed, 7u);
  EXPECT_DOUBLE_EQ(a.gen.delete_ratio, 0.25);
  EXPECT_TRUE(a.round_robin);
  EXPECT_DOUBLE_EQ(a.rate, 500.5);
  EXPECT_EQ(a.first_index, 1000u);
  EXPECT_TRUE(a.allow_drop);

  const LoadGenArgs d =
      options_of(parse_load_gen_args(Words{"--bootstrap", "b", "--topic", "t", "--records", "1"}));
  const GenOptions defaults;
  EXPECT_EQ(d.gen.shape, defaults.shape);
  EXPECT_EQ(d.gen.value_size, defaults.value_size);
  EXPECT_EQ(d.gen.key_cardinality, defaults.key_cardinality);
  EXPECT_EQ(d.gen.seed, defaults.seed);
  EXPECT_DOUBLE_EQ(d.gen.delete_ratio, defaults.delete_ratio);
  EXPECT_FALSE(d.round_robin);
  EXPECT_EQ(d.rate, 0);
  EXPECT_EQ(d.first_index, 0u);
  EXPECT_FALSE(d.allow_drop);
}

TEST(LoadGenArgs, HelpAndUsageErrors) {
  expect_help_lists(
      parse_load_gen_args(Words{"--help"}),
      {"--bootstrap", "--topic", "--records", "--value-size", "--shape", "--keys", "--seed",
       "--delete-ratio", "--partitioner", "--rate", "--first-index", "--allow-drop"});
  const Words base = {"--bootstrap", "b", "--topic", "t"};
  auto with = [&](Words more) {
    more.insert(more.begin(), base.begin(), base.end());
    return parse_load_gen_args(more);
  };
  expect_usage_error(with({}), "ks3_load_gen: --records is required (see ks3_load_gen --help)");
  expect_usage_error(parse_load_gen_args(Words{"--records", "1"}), "--bootstrap is required");
  expect_usage_error(with({"--records", "0"}), "--records: expects a positive whole number");
  expect_usage_error(with({"--records", "-5"}), "--records: expects a positive whole number");
  expect_usage_error(with({"--records", "1", "--seed"}), "ks3_load_gen: --seed needs a value");
  expect_usage_error(with({"--records", "1", "--nope"}), "unknown option '--nope'");
  expect_usage_error(with({"--records", "1", "--shape", "csv"}),
                     "--shape: must be edfi, debezium or events, not 'csv'");
  expect_usage_error(with({"--records", "1", "--partitioner", "hash"}),
                     "--partitioner: must be key or round-robin, not 'hash'");
  expect_usage_error(with({"--records", "1", "--rate", "-1"}),
                     "--rate: expects a number >= 0, not '-1'");
}

TEST(NullS3Args, EveryFlag) {
  const NullS3Args a = options_of(parse_null_s3_args(
      Words{"--listen", "0.0.0.0:9000", "--bucket", "lake", "--bucket", "other", "--latency-ms",
            "20", "--min-part-size", "1024", "--verify-md5", "--verbose"}));
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_EQ(a.port, 9000);
  EXPECT_EQ(a.buckets, (std::set<std::string>{"lake", "other"}));
  EXPECT_EQ(a.latency, std::chrono::milliseconds(20));
  EXPECT_EQ(a.min_part_size, 1024u);
  EXPECT_TRUE(a.verify_md5);
  EXPECT_TRUE(a.verbose);
  const NullS3Args d = options_of(parse_null_s3_args(Words{}));
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.port, 0);
  EXPECT_TRUE(d.buckets.empty());
  EXPECT_EQ(d.min_part_size, 5u << 20);
  EXPECT_EQ(options_of(parse_null_s3_args(Words{"--listen", "::1:0"})).host, "::1");
}

TEST(NullS3Args, HelpAndUsageErrors) {
  expect_help_lists(
      parse_null_s3_args(Words{"--help"}),
      {"--listen", "--bucket", "--latency-ms", "--min-part-size", "--verify-md5", "--verbose"});
  expect_usage_error(parse_null_s3_args(Words{"--listen", "9000"}),
                     "ks3_null_s3: --listen: expects HOST:PORT, not '9000'");
  expect_usage_error(parse_null_s3_args(Words{"--listen", "127.0.0.1:70000"}),
                     "--listen: port must be 0..65535, not '70000'");
  expect_usage_error(parse_null_s3_args(Words{"--listen", "localhost:0"}),
                     "--listen: host must be an IP address, not 'localhost'");
  expect_usage_error(parse_null_s3_args(Words{"--bucket"}), "--bucket needs a value");
  expect_usage_error(parse_null_s3_args(Words{"--latency-ms", "1.5"}),
                     "--latency-ms: expects a whole number, not '1.5'");
  expect_usage_error(parse_null_s3_args(Words{"stray"}), "unexpected argument 'stray'");
}

TEST(WaitCommittedArgs, EveryFlagHelpAndUsageErrors) {
  const WaitCommittedArgs a = options_of(parse_wait_committed_args(
      Words{"--bootstrap", "b:1", "--group", "g", "--topic", "t", "--slack", "1", "--timeout-s",
            "300", "--interval-ms", "10"}));
  EXPECT_EQ(a.bootstrap, "b:1");
  EXPECT_EQ(a.group, "g");
  EXPECT_EQ(a.topic, "t");
  EXPECT_EQ(a.slack, 1);
  EXPECT_EQ(a.timeout_s, 300);
  EXPECT_EQ(a.interval_ms, 10);
  const WaitCommittedArgs d = options_of(
      parse_wait_committed_args(Words{"--bootstrap", "b", "--group", "g", "--topic", "t"}));
  EXPECT_EQ(d.slack, 0);
  EXPECT_EQ(d.timeout_s, 120);
  EXPECT_EQ(d.interval_ms, 50);
  expect_help_lists(
      parse_wait_committed_args(Words{"--help"}),
      {"--bootstrap", "--group", "--topic", "--slack", "--timeout-s", "--interval-ms"});
  expect_usage_error(parse_wait_committed_args(Words{"--bootstrap", "b", "--topic", "t"}),
                     "ks3_wait_committed: --group is required");
  expect_usage_error(parse_wait_committed_args(Words{"--bootstrap", "b", "--group", "g", "--topic",
                                                     "t", "--timeout-s", "soon"}),
                     "--timeout-s: expects a whole number, not 'soon'");
}

}  // namespace
}  // namespace ks3::bench

#include "server/app/cli_options.hpp"

#include <vector>

#include "server/app/connect_cli.hpp"
#include "server/cli/command_line.hpp"

#ifndef KS3_VERSION
#define KS3_VERSION "0.0.0"
#endif

namespace ks3::server {

std::string_view version_text() {
  return KS3_VERSION;
}

cli::Parsed<CliOptions> parse_cli(std::span<const std::string> args) {
  CliOptions options;
  CLI::App app(
      "kafka-s3-sink: lands Kafka topics in S3 as batched, compressed objects "
      "(exactly-once).\nWithout a command it runs the sink until SIGTERM/SIGINT.",
      "kafka-s3-sink");
  cli::configure(app);
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "kafka-s3-sink " + std::string(version_text()));
  app.add_option("-c,--config", options.sources.file,
                 "YAML configuration (or KAFKA_S3_SINK_CONFIG=FILE)")
      ->type_name("FILE");
  app.add_option("--set", options.sources.sets,
                 "override one setting, e.g. --set s3.bucket=lake (repeatable)")
      ->type_name("KEY=VALUE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  app.add_option("--log-level", options.sources.log_level, "debug | info | warn | error")
      ->type_name("LEVEL");
  app.add_option("--log-format", options.sources.log_format, "text | json")->type_name("FORMAT");
  bool validate = false;
  app.add_flag("--validate", validate,
               "print the effective configuration (secrets shown as ***) and exit; exit 2 "
               "naming every invalid setting");
  app.footer(
      "Every setting can also come from the environment: KAFKA_S3_SINK_<PATH> with \"__\" "
      "between\nlevels, e.g. KAFKA_S3_SINK_S3__BUCKET=lake. Precedence: defaults < file < "
      "environment < --set.\nSIGTERM/SIGINT stop gracefully (objects completed, offsets "
      "committed); a second signal exits\nat once. Exit codes: 0 stopped cleanly, 1 runtime "
      "failure, 2 invalid configuration or usage.");
  const CLI::App* s3 = add_s3_command(app, options.s3);
  const CLI::App* replay = add_replay_command(app, options.replay);
  const CLI::App* connect = add_connect_command(app, options.connect_file);
  // A new subcommand: add_*_command(app, options....) here, its Mode below.

  // `kafka-s3-sink s3 help` as `s3 --help` (the hand-written parser took it).
  std::vector<std::string> words(args.begin(), args.end());
  if (words.size() >= 2 && words[0] == "s3" && words[1] == "help") words[1] = "--help";
  if (auto exit = cli::parse(app, words)) return *exit;
  for (const CLI::App* sub : {s3, replay, connect}) {
    if (!sub->parsed()) continue;
    // The sink's options before a command would be ignored: say so rather than run without them.
    for (const char* name : {"--config", "--set", "--log-level", "--log-format", "--validate"}) {
      if (app.count(name) > 0) {
        const std::string command = "kafka-s3-sink " + sub->get_name();
        return cli::Exit{2, command + ": " + std::string(name) +
                                " is for running the sink, not for " + sub->get_name() + " (see " +
                                command + " --help)\n"};
      }
    }
  }
  if (s3->parsed()) {
    options.mode = CliOptions::Mode::s3;
  } else if (replay->parsed()) {
    if (std::string error = replay_usage_error(options.replay); !error.empty()) {
      return cli::Exit{2, error + "\n"};
    }
    options.mode = CliOptions::Mode::replay;
  } else if (connect->parsed()) {
    options.mode = CliOptions::Mode::connect_config;
  } else if (validate) {
    options.mode = CliOptions::Mode::validate;
  }
  return options;
}

}  // namespace ks3::server

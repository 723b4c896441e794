// `kafka-s3-sink replay s3://BUCKET/PREFIX --topic TARGET [options]`: the command line of the
// replay (server/replay/replay.hpp), parsed by parse_cli (cli_options.hpp) through
// add_replay_command. The S3 settings flags are the s3 CLI's (add_s3_settings).
#pragma once

#include <optional>
#include <string>

#include "server/app/s3_cli.hpp"
#include "server/replay/replay.hpp"

namespace CLI {
class App;
}

namespace ks3::server {

// What a parse of `replay` gives: the replay's options, and what goes over the environment.
struct ReplayCli {
  replay::ReplayOptions replay;          // everything but the S3 client settings
  S3SettingsFlags settings;              // applied over the AWS environment's defaults
  std::optional<std::string> log_level;  // debug | info | warn | error
};

// Adds the `replay` subcommand to `parent`; a parse fills `command`. Returns the subcommand.
// After the parse, replay_usage_error() says what CLI11 cannot (--topic unless --dry-run).
CLI::App* add_replay_command(CLI::App& parent, ReplayCli& command);

// The line for a usage error of a parsed `replay` (without "\n"), or "" when there is none.
std::string replay_usage_error(const ReplayCli& command);

// The ReplayCommand to run: `base` (replay::replay_command_from_environment()) with the replay's
// options and the S3 settings flags applied.
replay::ReplayCommand replay_command(const ReplayCli& command, replay::ReplayCommand base);

// main()'s entry: the environment's defaults, the flags, the log level; then the replay
// (0 done, 1 the replay failed, 2 usage or configuration error).
int run_replay_cli(const ReplayCli& command);

}  // namespace ks3::server

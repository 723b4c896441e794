// The command line of kafka-s3-sink (pure; main.cpp acts on it), on CLI11 (cli/):
//
//   kafka-s3-sink --config FILE [--set key=value]... [--log-level L] [--log-format F]   run
//   kafka-s3-sink --config FILE --validate
//   kafka-s3-sink s3 ls|put|get|rm|head|presign ...   the operator's S3 CLI (s3_cli.hpp)
//   kafka-s3-sink replay s3://BUCKET/PREFIX --topic T ...   S3 back into Kafka (replay_cli.hpp)
//   kafka-s3-sink connect-config FILE.json|-   a Kafka Connect config as YAML (connect_cli.hpp)
//   kafka-s3-sink --version | --help | s3 --help | s3 put --help ...
//
// Running the sink is the default (no subcommand). A new subcommand is one more Mode, its fields
// here, and its add_*_command called from parse_cli.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "server/app/replay_cli.hpp"
#include "server/app/s3_cli.hpp"
#include "server/cli/exit.hpp"
#include "server/config/config.hpp"

namespace ks3::server {

struct CliOptions {
  enum class Mode { run, validate, s3, replay, connect_config };
  Mode mode = Mode::run;
  ConfigSources sources;     // file, --set, --log-level, --log-format (not the environment)
  S3CliCommand s3;           // Mode::s3
  ReplayCli replay;          // Mode::replay
  std::string connect_file;  // Mode::connect_config: the connector's JSON, - for stdin
};

// `args` without the program name. --help and --version answer an Exit with status 0; a usage
// error an Exit with status 2 and one line naming it.
cli::Parsed<CliOptions> parse_cli(std::span<const std::string> args);

std::string_view version_text();

}  // namespace ks3::server

// Command-line options of the daemon (pure; main.cpp acts on them).
//
//   kafka-s3-sink --config FILE [--set key=value]... [--log-level L] [--log-format F] [--validate]
//   kafka-s3-sink s3 ...            the operator's S3 CLI (server/s3_cli.hpp)
//   kafka-s3-sink --version | --help
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "server/config/config.hpp"

namespace ks3::server {

struct CliOptions {
  enum class Mode { run, validate, version, help };
  Mode mode = Mode::run;
  ConfigSources sources;  // file, --set, --log-level, --log-format (not the environment)
};

// Throws std::invalid_argument with a message naming the bad argument.
CliOptions parse_cli(std::span<const std::string_view> args);

std::string usage_text();
std::string_view version_text();

}  // namespace ks3::server

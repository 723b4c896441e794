#include "server/app/cli_options.hpp"

#ifndef KS3_VERSION
#define KS3_VERSION "0.0.0"
#endif

namespace ks3::server {

std::string_view version_text() {
  return KS3_VERSION;
}

std::string usage_text() {
  return R"(kafka-s3-sink: lands Kafka topics in S3 as batched, compressed objects (exactly-once)

Usage:
  kafka-s3-sink --config FILE [options]    run the sink
  kafka-s3-sink --config FILE --validate   print the effective configuration (secrets shown as
                                           ***) and exit; non-zero naming every invalid setting
  kafka-s3-sink s3 COMMAND ...             operator's S3 commands (kafka-s3-sink s3 --help)
  kafka-s3-sink --version | --help

Options:
  --config FILE, -c FILE   YAML configuration (or KAFKA_S3_SINK_CONFIG=FILE)
  --set KEY=VALUE          override one setting, e.g. --set s3.bucket=lake (repeatable)
  --log-level LEVEL        debug | info | warn | error
  --log-format FORMAT      text | json
  --validate               check the configuration and exit

Every setting can also come from the environment: KAFKA_S3_SINK_<PATH> with "__" between
levels, e.g. KAFKA_S3_SINK_S3__BUCKET=lake. Precedence: defaults < file < environment < --set.
SIGTERM/SIGINT stop gracefully (objects completed, offsets committed); a second signal exits
at once. Exit codes: 0 stopped cleanly, 1 runtime failure, 2 invalid configuration or usage.
)";
}

CliOptions parse_cli(std::span<const std::string_view> args) {
  CliOptions options;
  auto value_of = [&](std::size_t& i, std::string_view flag) -> std::string {
    std::string_view arg = args[i];
    if (arg.size() > flag.size() && arg[flag.size()] == '=') {
      return std::string(arg.substr(flag.size() + 1));
    }
    if (i + 1 >= args.size()) throw std::invalid_argument(std::string(flag) + " needs a value");
    return std::string(args[++i]);
  };
  auto is = [](std::string_view arg, std::string_view flag) {
    return arg == flag ||
           (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '=');
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.mode = CliOptions::Mode::help;
    } else if (arg == "--version") {
      options.mode = CliOptions::Mode::version;
    } else if (arg == "--validate") {
      if (options.mode == CliOptions::Mode::run) options.mode = CliOptions::Mode::validate;
    } else if (is(arg, "--config")) {
      options.sources.file = value_of(i, "--config");
    } else if (arg == "-c") {
      options.sources.file = value_of(i, "-c");
    } else if (is(arg, "--set")) {
      options.sources.sets.push_back(value_of(i, "--set"));
    } else if (is(arg, "--log-level")) {
      options.sources.log_level = value_of(i, "--log-level");
    } else if (is(arg, "--log-format")) {
      options.sources.log_format = value_of(i, "--log-format");
    } else {
      throw std::invalid_argument("unknown argument '" + std::string(arg) + "'");
    }
  }
  return options;
}

}  // namespace ks3::server

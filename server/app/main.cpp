// kafka-s3-sink entry point: the sink (--config FILE), --validate, and the operator's `s3` CLI.
#include <iostream>
#include <string_view>
#include <vector>

#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "server/app/cli_options.hpp"
#include "server/config/config.hpp"
#include "server/app/s3_cli.hpp"
#include "server/app/sink_app.hpp"

namespace {

int validate(const ks3::server::SinkConfig& config) {
  std::cout << ks3::server::effective_config_yaml(config);
  std::cout << ks3::server::example_key_comment(config);
  try {
    auto source = ks3::s3::resolve_credential_source(config.s3.credentials, config.s3.client.region,
                                                     ks3::s3::process_environment(),
                                                     ks3::s3::local_file_reader());
    std::cout << "# s3 credentials from: " << source.description << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kafka-s3-sink: invalid configuration:\n  s3 credentials: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // `kafka-s3-sink s3 ...`: the operator's S3 CLI (server/s3_cli.hpp).
  if (argc >= 2 && std::string_view(argv[1]) == "s3") {
    return ks3::server::s3_cli_main(argc - 1, argv + 1);
  }
  std::vector<std::string_view> args(argv + 1, argv + argc);
  ks3::server::CliOptions options;
  try {
    options = ks3::server::parse_cli(args);
  } catch (const std::invalid_argument& e) {
    std::cerr << "kafka-s3-sink: " << e.what() << " (see kafka-s3-sink --help)\n";
    return 2;
  }
  if (options.mode == ks3::server::CliOptions::Mode::help) {
    std::cout << ks3::server::usage_text();
    return 0;
  }
  if (options.mode == ks3::server::CliOptions::Mode::version) {
    std::cout << "kafka-s3-sink " << ks3::server::version_text() << "\n";
    return 0;
  }
  options.sources.environment = ks3::server::process_environment_pairs();
  ks3::server::SinkConfig config;
  try {
    config = ks3::server::load_config(options.sources);
  } catch (const ks3::server::ConfigError& e) {
    std::cerr << "kafka-s3-sink: " << e.what() << "\n";
    return 2;
  }
  if (options.mode == ks3::server::CliOptions::Mode::validate) return validate(config);
  return ks3::server::run_sink(config);
}

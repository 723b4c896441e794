// kafka-s3-sink entry point: the sink (--config FILE), --validate, the operator's `s3` CLI,
// `replay` and `connect-config`.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "kafka/consumer.hpp"
#include "kafka/malloc_tuning.hpp"
#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "server/app/cli_options.hpp"
#include "server/app/connect_cli.hpp"
#include "server/app/replay_cli.hpp"
#include "server/app/s3_cli.hpp"
#include "server/app/sink_app.hpp"
#include "server/config/config.hpp"

namespace {

int validate(const ks3::server::SinkConfig& config) {
  std::cout << ks3::server::effective_config_yaml(config);
  std::cout << ks3::server::example_key_comment(config);
  std::cout << ks3::server::assignment_comment(config);
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
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = ks3::server::parse_cli(args);
  if (auto* exit = std::get_if<ks3::cli::Exit>(&parsed)) return ks3::cli::finish(*exit);
  auto& options = std::get<ks3::server::CliOptions>(parsed);
  using Mode = ks3::server::CliOptions::Mode;
  // The sink's first step: restart once under its glibc malloc tunables (transparent huge pages
  // for the fetch responses; kafka/malloc_tuning.hpp says why). Returns when none is needed.
  if (options.mode == Mode::run) {
    ks3::kafka::restart_with_glibc_tunables(argv, ks3::kafka::kSinkMalloc);
  }
  if (options.mode == Mode::s3) return ks3::server::run_s3_cli(options.s3);
  if (options.mode == Mode::replay) return ks3::server::run_replay_cli(options.replay);
  if (options.mode == Mode::connect_config) {
    return ks3::server::run_connect_config(options.connect_file, std::cin, std::cout, std::cerr);
  }
  options.sources.environment = ks3::server::process_environment_pairs();
  ks3::server::SinkConfig config;
  try {
    config = ks3::server::load_config(options.sources);
  } catch (const ks3::server::ConfigError& e) {
    std::cerr << "kafka-s3-sink: " << e.what() << "\n";
    return 2;
  }
  if (options.mode == Mode::validate) return validate(config);
  const int status = ks3::server::run_sink(config);
  if (ks3::kafka::threads_left_behind()) {
    // A librdkafka handle is still being destroyed on its own thread (kafka/consumer_close.cpp):
    // exit without static destructors and atexit handlers (OpenSSL's, the logger's), which that
    // thread could still be using. The output is flushed first.
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

// The `connect-config` subcommand: its command line and the conversion's I/O.
#include "server/app/connect_cli.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "server/cli/command_line.hpp"
#include "server/connect/connect_config.hpp"

namespace ks3::server {
namespace {

// One line: line breaks become spaces.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

CLI::App* add_connect_command(CLI::App& parent, std::string& file) {
  CLI::App* app = parent.add_subcommand(
      "connect-config",
      "convert a Kafka Connect S3 sink connector's JSON config (Confluent's or Aiven's) into\n"
      "this sink's YAML");
  app->footer(
      "The YAML goes to stdout; settings that could not be mapped and behaviour that differs go\n"
      "to stderr, one line each. Secrets are never printed. Exit status: 0 done, 2 an "
      "unreadable\nfile, invalid JSON or a connector that is not an S3 sink.");
  app->add_option("FILE", file,
                  "the connector's config: the bare config or the Connect REST shape; - for "
                  "stdin")
      ->type_name("")
      ->required();
  return app;
}

int run_connect_config(const std::string& file, std::istream& in, std::ostream& out,
                       std::ostream& err) {
  constexpr const char* kPrefix = "connect-config: ";
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    std::ifstream stream(file, std::ios::binary);
    std::ostringstream buffer;
    if (stream) buffer << stream.rdbuf();
    if (!stream || stream.bad()) {
      err << "kafka-s3-sink connect-config: cannot read '" << file << "'\n";
      return 2;
    }
    text = std::move(buffer).str();
  }
  ConnectConversion conversion;
  try {
    conversion = convert_connect_config(text);
  } catch (const ConnectConfigError& e) {
    err << "kafka-s3-sink connect-config: " << one_line(e.what()) << "\n";
    return 2;
  }
  out << conversion.yaml << std::flush;
  for (const UnmappedSetting& u : conversion.unmapped) {
    err << kPrefix
        << one_line("not mapped: " + u.connect_setting + "=" + u.value + ": " + u.why_not_mapped)
        << "\n";
  }
  for (const std::string& warning : conversion.warnings)
    err << kPrefix << one_line(warning) << "\n";
  return 0;
}

}  // namespace ks3::server

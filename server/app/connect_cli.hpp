// `kafka-s3-sink connect-config FILE.json`: a Kafka Connect S3 sink connector's configuration
// converted into this sink's YAML (server/connect/connect_config.hpp). Parsed by parse_cli
// (cli_options.hpp) through add_connect_command.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace ks3::server {

// Adds the `connect-config` subcommand to `parent`; a parse sets `file` (- for stdin).
CLI::App* add_connect_command(CLI::App& parent, std::string& file);

// Reads `file` (or `in` for -), converts it: the YAML on `out`; every unmapped setting and
// warning on `err`, one line each, prefixed "connect-config: ". 0 done; 2 an unreadable file or
// a ConnectConfigError (one line on `err`).
int run_connect_config(const std::string& file, std::istream& in, std::ostream& out,
                       std::ostream& err);

}  // namespace ks3::server

// The CLI11 side of every parser: an App with this project's conventions, the parse that turns
// CLI11's outcomes into an Exit, and validators whose messages name the option and the value.
//
// A usage error is one line naming the problem and the (sub)command it is in, e.g.
//   kafka-s3-sink s3 ls: unknown option '--nope' (see kafka-s3-sink s3 ls --help)
// and exit status 2; --help prints the generated help of the (sub)command it follows.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/cli/exit.hpp"

namespace ks3::cli {

// A top-level App: -h/--help; an option given twice keeps its last value (as the hand-written
// parsers did); subcommands inherit both.
void configure(CLI::App& app);

// Parses `args` (without the program name). nullopt: the options are set, run. Otherwise the
// help or version text (status 0) or one line naming the usage error (status 2).
std::optional<Exit> parse(CLI::App& app, std::span<const std::string> args);

// The one line (without "\n") for a usage error `e` raised while parsing `app`.
std::string usage_error_line(const CLI::App& app, const CLI::ParseError& e);

// Digits only, from `min` to `max`: "--keys: expects a whole number, not '-1'".
CLI::Validator whole_number(std::uint64_t min = 0,
                            std::uint64_t max = std::numeric_limits<std::uint64_t>::max(),
                            std::string_view unit = "");

// A decimal number >= 0 (e.g. 0.5, 1e3): "--rate: expects a number >= 0, not 'x'".
CLI::Validator non_negative_number();

// Only these words; the option's type name becomes "a|b|c" for --help.
CLI::Option* one_of(CLI::Option* option, std::vector<std::string> words);

}  // namespace ks3::cli

// parse_cli from a list of words: the options, or the Exit it answered.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "server/app/cli_options.hpp"

namespace ks3::server::testing {

inline CliOptions options_of(const std::vector<std::string>& args) {
  auto parsed = parse_cli(args);
  if (auto* exit = std::get_if<cli::Exit>(&parsed)) {
    ADD_FAILURE() << "exit " << exit->status << ": " << exit->text;
    return {};
  }
  return std::get<CliOptions>(parsed);
}

inline cli::Exit exit_of(const std::vector<std::string>& args) {
  auto parsed = parse_cli(args);
  if (auto* exit = std::get_if<cli::Exit>(&parsed)) return *exit;
  ADD_FAILURE() << "parsed without an exit";
  return {-1, ""};
}

}  // namespace ks3::server::testing

#pragma once
// What loading a configuration reports, shared by the configuration unit tests.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config/config.hpp"

namespace ks3::server::config_test {

// Sources that hold only --set overrides.
inline ConfigSources with_sets(std::vector<std::string> sets) {
  ConfigSources sources;
  sources.sets = std::move(sets);
  return sources;
}

// The issues of the ConfigError that loading YAML throws (none: it loaded).
inline std::vector<ConfigIssue> issues_of(std::string_view yaml,
                                          const ConfigSources& sources = {}) {
  try {
    load_config_from_yaml(yaml, sources);
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

// The message of that ConfigError, or "no error".
inline std::string error_of(std::string_view yaml, const ConfigSources& sources = {}) {
  try {
    load_config_from_yaml(yaml, sources);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace ks3::server::config_test

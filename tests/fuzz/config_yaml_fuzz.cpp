// libFuzzer target: the configuration loader (server/config) from YAML text: yaml-cpp, the
// schema's value parsers, aliases, validation. Any text must load or throw ConfigError (never
// another exception, never a crash); a loaded configuration prints as YAML that loads again,
// and its example object key renders.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ks3::server;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  SinkConfig config;
  try {
    config = load_config_from_yaml(yaml);
  } catch (const ConfigError&) {
    return 0;
  }
  (void)example_object_key(config);
  const std::string printed = effective_config_yaml(config);
  try {
    // Secrets print as "***"; an empty access key pair keeps the check of the pair quiet.
    ConfigSources sources;
    sources.sets = {"s3.access_key_id=", "s3.secret_access_key=", "s3.session_token="};
    SinkConfig again = load_config_from_yaml(printed, sources);
    if (again.key_template != config.key_template || again.s3.prefix != config.s3.prefix) {
      std::fprintf(stderr, "config_yaml_fuzz: the printed configuration loads differently\n");
      std::abort();
    }
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "config_yaml_fuzz: the printed configuration does not load: %s\n%s\n",
                 e.what(), printed.c_str());
    std::abort();
  }
  return 0;
}

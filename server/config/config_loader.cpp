// Layering of configuration sources (defaults, YAML file, environment, --set) onto SinkConfig.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "s3/aws_profile.hpp"
#include "server/config/avro_reader_schema.hpp"
#include "server/config/config.hpp"
#include "server/config/config_schema.hpp"
#include "server/config/config_values.hpp"

extern char** environ;

namespace ks3::server {
namespace {

constexpr std::string_view kEnvPrefix = "KAFKA_S3_SINK_";
constexpr std::string_view kPropertiesPrefix = "kafka.properties.";

class Loader {
 public:
  explicit Loader(SinkConfig& config) : config_(config) {}

  // Applies one value; `written` is the key as the user wrote it (for messages).
  void apply(const std::string& path, RawValue value, const std::string& written) {
    std::string canonical = path;
    if (const KeyAlias* alias = find_alias(path)) {
      canonical = std::string(alias->to);
      if (alias->convert && value.kind == RawValue::Kind::scalar) {
        value.scalar = alias->convert(value.scalar);
      }
    }
    if (canonical.starts_with(kPropertiesPrefix) && canonical.size() > kPropertiesPrefix.size()) {
      if (value.kind != RawValue::Kind::scalar) {
        issue(written, "a librdkafka property takes a single value");
        return;
      }
      config_.kafka.properties[canonical.substr(kPropertiesPrefix.size())] = value.scalar;
      return;
    }
    if (const KeySpec* map = find_map_entry_key(canonical); map && !find_key(canonical)) {
      if (value.kind != RawValue::Kind::scalar) {
        issue(written, "one entry of " + map->path + " takes a single value");
        return;
      }
      RawValue entry;
      entry.kind = RawValue::Kind::map;
      entry.map.emplace_back(canonical.substr(map->path.size() + 1), value.scalar);
      map->set(config_, entry);
      return;
    }
    const KeySpec* key = find_key(canonical);
    if (!key) {
      std::string hint = suggest_key(canonical);
      issue(written, "unknown configuration key" + (hint.empty() ? "" : "; " + hint));
      return;
    }
    try {
      key->set(config_, value);
    } catch (const ConfigValueError& e) {
      issue(written, e.what());
    }
  }

  void apply_yaml(const YAML::Node& node, const std::string& prefix) {
    for (const auto& item : node) {
      std::string name = item.first.Scalar();
      std::string path = prefix.empty() ? name : prefix + "." + name;
      std::string canonical = path;
      if (const KeyAlias* alias = find_alias(path)) canonical = std::string(alias->to);
      const YAML::Node& value = item.second;
      bool known = find_key(canonical) != nullptr || canonical.starts_with(kPropertiesPrefix);
      if (!known && value.IsMap()) {
        apply_yaml(value, path);
        continue;
      }
      RawValue raw;
      const KeySpec* spec = find_key(canonical);
      if (!to_raw(value, path, raw, spec && spec->list_entries)) continue;
      apply(path, std::move(raw), path);
    }
  }

  void issue(std::string key, std::string message) {
    issues_.push_back(ConfigIssue{std::move(key), std::move(message)});
  }
  std::vector<ConfigIssue>& issues() { return issues_; }

 private:
  bool to_raw(const YAML::Node& node, const std::string& path, RawValue& raw, bool list_entries) {
    if (node.IsNull()) return true;  // "key:" with nothing: an empty value
    if (node.IsScalar()) {
      raw.scalar = node.Scalar();
      return true;
    }
    if (node.IsSequence()) {
      raw.kind = RawValue::Kind::list;
      for (const auto& element : node) {
        if (!element.IsScalar()) {
          issue(path, "list items must be plain values");
          return false;
        }
        raw.list.push_back(element.Scalar());
      }
      return true;
    }
    raw.kind = RawValue::Kind::map;
    for (const auto& item : node) {
      if (list_entries && item.second.IsSequence()) {
        std::string joined;
        for (const auto& element : item.second) {
          if (!element.IsScalar()) {
            issue(path + "." + item.first.Scalar(), "list items must be plain values");
            return false;
          }
          joined += (joined.empty() ? "" : ",") + element.Scalar();
        }
        raw.map.emplace_back(item.first.Scalar(), joined);
        continue;
      }
      if (!item.second.IsScalar() && !item.second.IsNull()) {
        issue(path + "." + item.first.Scalar(), "expects a plain value");
        return false;
      }
      raw.map.emplace_back(item.first.Scalar(), item.second.IsNull() ? "" : item.second.Scalar());
    }
    return true;
  }

  SinkConfig& config_;
  std::vector<ConfigIssue> issues_;
};

void apply_yaml_text(Loader& loader, std::string_view text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    loader.issue(origin, "is not valid YAML: " + e.msg + " (line " +
                             std::to_string(e.mark.line + 1) + ", column " +
                             std::to_string(e.mark.column + 1) + ")");
    return;
  }
  if (root.IsNull()) return;  // an empty file
  if (!root.IsMap()) {
    loader.issue(origin, "must be a YAML map of settings (key: value)");
    return;
  }
  loader.apply_yaml(root, "");
}

// KAFKA_S3_SINK_S3__BUCKET -> s3.bucket; KAFKA_S3_SINK_KAFKA__PROPERTIES__FETCH_WAIT_MAX_MS ->
// kafka.properties.fetch.wait.max.ms.
std::string env_name_to_path(std::string_view rest) {
  std::string path;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '_' && i + 1 < rest.size() && rest[i + 1] == '_') {
      path += '.';
      ++i;
    } else {
      path += static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
    }
  }
  if (path.starts_with(kPropertiesPrefix)) {
    std::string name = path.substr(kPropertiesPrefix.size());
    for (char& c : name) {
      if (c == '_') c = '.';
    }
    path = std::string(kPropertiesPrefix) + name;
  }
  return path;
}

void apply_sources(Loader& loader, const ConfigSources& sources) {
  for (const auto& [name, value] : sources.environment) {
    if (!name.starts_with(kEnvPrefix) || name == "KAFKA_S3_SINK_CONFIG") continue;
    std::string path = env_name_to_path(std::string_view(name).substr(kEnvPrefix.size()));
    loader.apply(path, RawValue::of(value), name + " (" + path + ")");
  }
  for (const std::string& set : sources.sets) {
    std::size_t equals = set.find('=');
    if (equals == std::string::npos || equals == 0) {
      loader.issue("--set " + set, "write --set key=value, e.g. --set s3.bucket=lake");
      continue;
    }
    std::string key(trim(std::string_view(set).substr(0, equals)));
    loader.apply(key, RawValue::of(set.substr(equals + 1)), key);
  }
  if (sources.log_level) loader.apply("log.level", RawValue::of(*sources.log_level), "--log-level");
  if (sources.log_format) {
    loader.apply("log.format", RawValue::of(*sources.log_format), "--log-format");
  }
}

std::string local_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

SinkConfig finish(SinkConfig config, Loader& loader, const ConfigSources& sources) {
  // Prefixes are folders, as Kafka Connect's topics.dir: "raw" means "raw/" (README, "Formats
  // and object keys"); the effective configuration shows what is used.
  config.s3.prefix = folder_prefix(config.s3.prefix);
  config.bad_records.dead_letter_prefix = folder_prefix(config.bad_records.dead_letter_prefix);
  if (config.compression.level < 0) {
    config.compression.level = default_compression_level(config.compression.type);
  }
  if (loader.issues().empty()) {
    if (config.kafka.assign.given()) {
      const std::string host = sources.host_name ? *sources.host_name : local_host_name();
      for (ConfigIssue& issue : resolve_assignment(config, host)) {
        loader.issues().push_back(std::move(issue));
      }
    }
    for (ConfigIssue& issue : validate_config(config)) loader.issues().push_back(std::move(issue));
  }
  if (loader.issues().empty()) {
    if (auto issue = load_avro_reader_schema(config, read_schema_file)) {
      loader.issues().push_back(std::move(*issue));
    }
  }
  if (!loader.issues().empty()) throw ConfigError(std::move(loader.issues()));
  return config;
}

std::optional<std::string> config_file_path(const ConfigSources& sources) {
  if (sources.file) return sources.file;
  for (const auto& [name, value] : sources.environment) {
    if (name == "KAFKA_S3_SINK_CONFIG" && !value.empty()) return value;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> process_environment_pairs() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    out.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return out;
}

SinkConfig load_config(const ConfigSources& sources) {
  SinkConfig config;
  // AWS's own settings (AWS_REGION, AWS_ENDPOINT_URL[_S3], the profile's region and
  // endpoint_url) apply before the file, so the sink's settings override them.
  const s3::EnvLookup env = [&sources](std::string_view name) -> std::optional<std::string> {
    for (const auto& [key, value] : sources.environment) {
      if (key == name) return value;
    }
    return std::nullopt;
  };
  const s3::AwsDefaults aws = s3::aws_defaults("", env, s3::local_file_reader());
  if (!aws.region.empty()) config.s3.client.region = aws.region;
  if (!aws.endpoint_url.empty()) config.s3.client.endpoint = aws.endpoint_url;
  Loader loader(config);
  if (auto path = config_file_path(sources)) {
    std::ifstream file(*path, std::ios::binary);
    if (!file) {
      loader.issue("--config " + *path, "cannot read the file; check the path and permissions");
    } else {
      std::stringstream text;
      text << file.rdbuf();
      apply_yaml_text(loader, text.str(), "--config " + *path);
    }
  }
  apply_sources(loader, sources);
  return finish(std::move(config), loader, sources);
}

SinkConfig load_config_from_yaml(std::string_view yaml, const ConfigSources& overrides) {
  SinkConfig config;
  Loader loader(config);
  apply_yaml_text(loader, yaml, "configuration");
  apply_sources(loader, overrides);
  return finish(std::move(config), loader, overrides);
}

}  // namespace ks3::server

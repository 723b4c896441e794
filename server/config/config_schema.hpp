// The table of configuration keys (internal to the config_* files): for each canonical key
// path, how to set it from text and how to show it. Aliases map Kafka Connect S3 sink names
// onto canonical keys.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config/config.hpp"

namespace ks3::server {

// A value as written by the user: a scalar, a list, or a map (kafka.properties).
struct RawValue {
  enum class Kind { scalar, list, map };
  Kind kind = Kind::scalar;
  std::string scalar;
  std::vector<std::string> list;
  std::vector<std::pair<std::string, std::string>> map;

  static RawValue of(std::string text) {
    RawValue value;
    value.scalar = std::move(text);
    return value;
  }
};

// Thrown by a key's setter: the message says what a good value looks like.
class ConfigValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class KeyKind { scalar, list, map };

// What a key's value is (for documentation and the table-driven tests over every key).
enum class ValueType { text, size, duration, boolean, count, choice, list, map };

struct KeySpec {
  using Setter = std::function<void(SinkConfig&, const RawValue&)>;
  using Getter = std::function<RawValue(const SinkConfig&)>;
  KeySpec(std::string path_, KeyKind kind_, bool secret_, Setter set_, Getter get_)
      : path(std::move(path_)),
        kind(kind_),
        secret(secret_),
        set(std::move(set_)),
        get(std::move(get_)) {}

  std::string path;
  KeyKind kind = KeyKind::scalar;
  bool secret = false;
  std::function<void(SinkConfig&, const RawValue&)> set;
  std::function<RawValue(const SinkConfig&)> get;
  ValueType type = ValueType::text;
  std::uint64_t min = 0, max = 0;    // count: the accepted range
  std::vector<std::string> choices;  // choice: the canonical names, from the enum's own table
  // map: an entry's value may be a YAML list of plain values, joined with commas
  // (kafka.assign.topics: {events: [0, 1, 2]}).
  bool list_entries = false;
};

struct KeyAlias {
  std::string_view from;  // the Kafka Connect (Confluent or Aiven) name
  std::string_view to;    // the canonical key
  // Maps the value onto the canonical key's values (nullptr: unchanged).
  std::string (*convert)(std::string_view value) = nullptr;
};

const std::vector<KeySpec>& config_keys();
const std::vector<KeyAlias>& config_aliases();
const KeySpec* find_key(std::string_view path);
const KeyAlias* find_alias(std::string_view path);
// The map key (other than kafka.properties) that `path` names one entry of: "s3.tags.team" ->
// s3.tags. Null for anything else.
const KeySpec* find_map_entry_key(std::string_view path);

// "did you mean 's3.bucket'?" or "" when nothing is close.
std::string suggest_key(std::string_view unknown);

// Cross-field checks after all layers were applied.
std::vector<ConfigIssue> validate_config(const SinkConfig& config);

// kafka.assign (config_assign.cpp): checks the settings and resolves the rule into
// config.kafka.assign.rule (ordinal: auto from `host_name`); with the listed form and no
// kafka.topics, kafka.topics becomes the listed topics. Runs before validate_config.
std::vector<ConfigIssue> resolve_assignment(SinkConfig& config, std::string_view host_name);

// librdkafka properties whose values are secrets (shown as "***").
bool is_secret_kafka_property(std::string_view name);

}  // namespace ks3::server

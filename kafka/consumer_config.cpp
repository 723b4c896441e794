#include "kafka/consumer_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace ks3::kafka {
namespace {

void set_dedicated(std::vector<std::pair<std::string, std::string>>& out, const ConsumerConfig& c,
                   const std::string& name, const std::string& value) {
  auto given = c.properties.find(name);
  if (value.empty()) {
    if (given == c.properties.end() || given->second.empty()) {
      throw ConfigError("kafka: " + name + " is not set; give the " +
                        (name == "group.id"
                             ? std::string("consumer group id")
                             : std::string("Kafka bootstrap servers (host:port,...)")));
    }
    return;
  }
  if (given != c.properties.end() && given->second != value) {
    throw ConfigError("kafka: " + name + " is given twice with different values ('" + value +
                      "' and '" + given->second + "' in the librdkafka properties); keep one");
  }
  out.emplace_back(name, value);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& default_properties() {
  static const std::vector<std::pair<std::string, std::string>> defaults = {
      {"client.id", "kafka-s3-sink"},
      // A new group starts at the beginning of the topics: a sink should not skip data.
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      // Bounded prefetch, reserved in the sink's memory budget: up to 16 MiB of fetched records
      // queued for the whole consumer, fetched 4 MiB at a time. Small on purpose: every byte
      // librdkafka holds is memory the process must first fault in, and records keep their
      // fetch response alive until they are encoded; with the fetch wake-up (fetch_wakeup.hpp)
      // a small queue does not idle. Side by side against 64 MiB queued in 16 MiB fetches:
      // 1.17-1.21x the throughput of 1 KiB documents, 1.01x for 160-byte events, about half the
      // peak RSS (README, Benchmarks, "A 16 MiB prefetch in 4 MiB fetches").
      {"queued.max.messages.kbytes", std::to_string(kDefaultQueuedMaxMessagesKiB)},
      {"fetch.max.bytes", std::to_string(kDefaultFetchMaxBytes)},
  };
  return defaults;
}

const std::vector<std::pair<std::string, std::string>>& fixed_properties() {
  static const std::vector<std::pair<std::string, std::string>> fixed = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // librdkafka's logs are served on the event loop with the other events.
      {"log.queue", "true"},
  };
  return fixed;
}

StartWithoutCommit start_without_commit(
    const std::vector<std::pair<std::string, std::string>>& effective) {
  StartWithoutCommit start = StartWithoutCommit::end;  // librdkafka's own default: latest
  for (const auto& [name, value] : effective) {
    if (name != "auto.offset.reset") continue;
    if (value == "smallest" || value == "earliest" || value == "beginning") {
      start = StartWithoutCommit::beginning;
    } else if (value == "largest" || value == "latest" || value == "end") {
      start = StartWithoutCommit::end;
    } else {
      start = StartWithoutCommit::error;  // "error", or a value librdkafka itself rejects
    }
  }
  return start;
}

std::vector<std::pair<std::string, std::string>> effective_properties(const ConsumerConfig& c) {
  for (const auto& [name, value] : fixed_properties()) {
    auto given = c.properties.find(name);
    if (given != c.properties.end() && given->second != value) {
      throw ConfigError("kafka: librdkafka property " + name + " must be '" + value +
                        "' (it was '" + given->second +
                        "'): kafka-s3-sink commits offsets itself, only for records that are "
                        "durable in S3; remove it from the kafka properties");
    }
  }
  std::vector<std::pair<std::string, std::string>> out = default_properties();
  for (const auto& [name, value] : c.properties) {
    if (name.empty()) throw ConfigError("kafka: a librdkafka property has an empty name");
    out.emplace_back(name, value);
  }
  // librdkafka refuses a fetch.max.bytes below message.max.bytes: a message.max.bytes raised
  // above the sink's default fetch size (and no fetch.max.bytes given) raises the fetch size.
  if (!c.properties.contains("fetch.max.bytes")) {
    if (auto message_max = c.properties.find("message.max.bytes");
        message_max != c.properties.end()) {
      std::uint64_t bytes = 0;
      const std::string& text = message_max->second;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
      if (error == std::errc{} && end == text.data() + text.size() &&
          bytes > kDefaultFetchMaxBytes) {
        out.emplace_back("fetch.max.bytes", text);
      }
    }
  }
  set_dedicated(out, c, "bootstrap.servers", c.bootstrap_servers);
  set_dedicated(out, c, "group.id", c.group_id);
  for (const auto& fixed : fixed_properties()) out.push_back(fixed);
  return out;
}

std::vector<std::string> subscription(const ConsumerConfig& c) {
  std::vector<std::string> out;
  for (const auto& topic : c.topics) {
    if (topic.starts_with('^')) {
      if (topic.size() == 1) throw ConfigError("kafka: topic regex '^' is empty");
    } else if (!valid_topic_name(topic)) {
      throw ConfigError("kafka: '" + topic +
                        "' is not a valid topic name (ASCII letters, digits, '.', '_', '-'; at "
                        "most 249); for a pattern use topics_regex or start it with '^'");
    }
    out.push_back(topic);
  }
  if (!c.topics_regex.empty()) {
    out.push_back(c.topics_regex.starts_with('^') ? c.topics_regex : "^" + c.topics_regex);
  }
  if (out.empty()) throw ConfigError("kafka: no topics to consume; set topics or topics_regex");
  return out;
}

bool is_secret_property(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kSecretParts = {
      "password", "secret", "jaas", "sasl.oauthbearer.config", "ssl.key.pem", "token", "ssl_key"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return std::any_of(kSecretParts.begin(), kSecretParts.end(),
                     [&](std::string_view part) { return lower.find(part) != std::string::npos; });
}

std::string shown_value(std::string_view name, std::string_view value) {
  return is_secret_property(name) ? "***" : std::string(value);
}

// Kafka's topic name rule: "Valid characters for topic names are the ASCII alphanumerics, '.',
// '_', and '-'", at most 249 characters, and not "." or "..".
bool valid_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace ks3::kafka

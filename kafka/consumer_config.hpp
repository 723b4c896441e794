// Configuration of the Kafka consumer (pure: no librdkafka handle is created here).
//
// Every librdkafka consumer property passes through `properties` (the names of librdkafka's
// CONFIGURATION.md, e.g. "security.protocol", "sasl.password", "fetch.wait.max.ms"). The
// defaults below apply first, `properties` override them, and the dedicated fields override
// both. A few properties are fixed because the exactly-once object set depends on them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/static_assignment.hpp"

namespace ks3::kafka {

// A configuration mistake found at start-up; the message names the property and what to do.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConsumerConfig {
  std::string bootstrap_servers;    // "host:port,host:port" (bootstrap.servers)
  std::string group_id;             // consumer group (group.id)
  std::vector<std::string> topics;  // topic names; a name starting with '^' is a regex
  std::string topics_regex;         // e.g. "edfi\\.dms\\..*" ('^' is added if missing)
  std::map<std::string, std::string> properties;  // librdkafka properties, passed through

  // How long one attempt to read the committed offsets (and their metadata) of newly assigned
  // partitions may take; attempts repeat until they succeed or the consumer closes.
  std::chrono::milliseconds committed_timeout{10000};
  // Period of the maintenance poll: serves the queues even when no wake-up came (keeps
  // max.poll.interval.ms satisfied on an idle consumer, and notices the end of a close).
  std::chrono::milliseconds maintenance_interval{500};
  // Records delivered in one turn of the event loop before other work gets its turn.
  std::size_t max_records_per_turn = 2000;
  // Wake librdkafka's broker threads after draining records so a partition stopped at the queue
  // thresholds fetches again at once, not up to 1 s later (librdkafka < 2.2; fetch_wakeup.hpp).
  bool fetch_wakeup = true;
  // How long destroying a consumer that did not close (Consumer::close gave up, or was not
  // called) waits for librdkafka before leaving its teardown behind (consumer_close.cpp).
  std::chrono::milliseconds destroy_wait{1000};

  // Static assignment (kafka.assign): the consumer assigns these partitions itself
  // (rd_kafka_assign) instead of subscribing, and never rebalances; it still commits to
  // group_id. nullopt: consumer-group mode (subscribe, rebalance callbacks).
  std::optional<StaticAssignment> static_assignment;
  // Static assignment: the host name in the owner tag of every commit (partition_owner.hpp),
  // how often the committed owner tags of the assigned partitions are read back, and after how
  // long without a commit a foreign owner's partition may be taken over at start-up.
  std::string host_name;
  std::chrono::milliseconds owner_check_interval{10000};
  std::chrono::milliseconds takeover_after{60000};
};

// The defaults, before `properties` (documented in README "Kafka settings").
const std::vector<std::pair<std::string, std::string>>& default_properties();

// librdkafka's prefetch bound the sink sets by default (queued.max.messages.kbytes, in KiB): the
// memory budget reserves it (server/config: kafka_prefetch_bytes).
inline constexpr std::uint64_t kDefaultQueuedMaxMessagesKiB = 16384;
// The largest fetch response the sink asks for by default (fetch.max.bytes; librdkafka's own
// default is 50 MiB). Raised to message.max.bytes when that is set higher.
inline constexpr std::uint64_t kDefaultFetchMaxBytes = 4u << 20;

// Properties that must keep the value given here: offsets are committed only by the sink,
// only for records that are durable in S3, and only at cut boundaries.
const std::vector<std::pair<std::string, std::string>>& fixed_properties();

// The properties to apply, in order (defaults, then `properties`, then the dedicated fields,
// then the fixed ones). Throws ConfigError when bootstrap servers or group id are missing, when
// a fixed property is set to another value, or when a dedicated field and a property disagree.
// A message.max.bytes above kDefaultFetchMaxBytes without a fetch.max.bytes of its own raises
// fetch.max.bytes to it (librdkafka refuses a fetch size below the message size).
std::vector<std::pair<std::string, std::string>> effective_properties(const ConsumerConfig& c);

// Where a partition without a committed offset starts, from the effective `auto.offset.reset`
// (librdkafka's names: smallest/earliest/beginning, largest/latest/end, error).
enum class StartWithoutCommit { beginning, end, error };
StartWithoutCommit start_without_commit(
    const std::vector<std::pair<std::string, std::string>>& effective);

// The subscription list for rd_kafka_subscribe: the topic names, then the regex with a leading
// '^' (librdkafka's rule for a regex subscription). Throws ConfigError when it is empty or a
// topic name is not a valid Kafka topic name.
std::vector<std::string> subscription(const ConsumerConfig& c);

// Kafka's topic name rule: ASCII letters, digits, '.', '_', '-'; 1 to 249 characters; not "."
// or "..".
bool valid_topic_name(std::string_view name);

// True for a property whose value is a secret (passwords, keys, tokens, JAAS/OAuth config);
// its value never appears in logs, errors or --validate output.
bool is_secret_property(std::string_view name);
// The value as it may be shown: "***" for a secret property.
std::string shown_value(std::string_view name, std::string_view value);

}  // namespace ks3::kafka

// An idempotent librdkafka producer for records that already have a partition, a timestamp and
// headers (replay), or for dead letters (bad_records.dead_letter_topic). Non-blocking by design:
// produce() only queues (QUEUE_FULL when librdkafka's queue is full), poll() serves delivery
// reports with a zero timeout; the caller waits between polls on its own event loop. Only
// partition_count() blocks (a metadata request): call it off the event loop.
//
// enable.idempotence is always true (no duplicates and no reordering within a partition on
// retries); acks=all and max.in.flight <= 5 follow from it. Not thread-safe except as noted.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/consumer_config.hpp"
#include "kafka/record.hpp"

namespace ks3::kafka {

struct ProducerConfig {
  std::string bootstrap_servers;
  // librdkafka producer properties, passed through (security.protocol, sasl.*, linger.ms, ...).
  // enable.idempotence=false is refused (ConfigError).
  std::map<std::string, std::string> properties;
};

struct ProducerRecord {
  std::string_view topic;
  std::int32_t partition = -1;     // -1: the partitioner decides (by key)
  std::int64_t timestamp_ms = -1;  // -1: none (the producer's clock)
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt: a tombstone
  std::span<const Header> headers;
  // Non-zero: the outcome of this record is reported by take_deliveries() under this id (the
  // dead-letter path waits for each one); 0: only counted (delivered(), failure()).
  std::uint64_t delivery_id = 0;
};

// The outcome of one record produced with a delivery_id.
struct Delivery {
  std::uint64_t id = 0;
  boost::system::error_code code;  // empty: acknowledged by the broker (acks=all)
  std::string message;             // librdkafka's text for a failure
};

// The first delivery that failed for good.
struct DeliveryFailure {
  boost::system::error_code code;
  std::string message;
  std::string topic;
  std::int32_t partition = -1;
};

class Producer {
 public:
  // Throws ConfigError for a bad property (the message names it; secrets are not echoed).
  explicit Producer(const ProducerConfig& config);
  ~Producer();  // does not wait: flush first (see in_flight())
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record (copied). An error code with value RD_KAFKA_RESP_ERR__QUEUE_FULL means
  // "poll and try again"; other errors are final.
  boost::system::error_code produce(const ProducerRecord& record);
  static bool is_queue_full(const boost::system::error_code& ec);

  // Serves delivery reports and errors without blocking.
  void poll();
  // Records queued or in flight (not yet acknowledged or failed).
  std::size_t in_flight() const;
  std::uint64_t delivered() const;
  // The first delivery failure, or a fatal producer error (idempotence broken), if any.
  std::optional<DeliveryFailure> failure() const;
  // The outcomes of records with a delivery_id that poll() served since the last call, in the
  // order librdkafka reported them.
  std::vector<Delivery> take_deliveries();

  // Partitions of `topic` per the cluster's metadata; 0 when the topic does not exist. Blocks
  // up to `timeout` (call it off the event loop). Safe to call from another thread while no
  // other call runs.
  boost::system::error_code partition_count(const std::string& topic,
                                            std::chrono::milliseconds timeout, int& out);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace ks3::kafka

// Test support for component tests that need Kafka: an in-process librdkafka mock cluster (real
// Kafka protocol on 127.0.0.1), a synchronous producer, a reader of committed offsets that does
// not join the group, consumer settings suited to the mock (docs/DESIGN.md "Local infrastructure"),
// and bounded waits on an io_context.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/consumer_config.hpp"
#include "kafka/consumer_listener.hpp"

namespace ks3::kafka::testing {

// The Kafka protocol's ApiKey of Produce (rd_kafka_mock_push_request_errors; librdkafka's
// RD_KAFKAP_* names are not in its public headers).
inline constexpr std::int16_t kProduceApiKey = 0;

class MockKafkaCluster {
 public:
  explicit MockKafkaCluster(int brokers = 1);
  ~MockKafkaCluster();
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  void create_topic(const std::string& topic, int partitions);
  const std::string& bootstrap() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* mock() { return cluster_; }

  // Produces one record and waits for the broker's ack. A null value is a tombstone.
  void produce(const std::string& topic, std::int32_t partition, std::string_view key,
               std::optional<std::string_view> value,
               const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Produces `count` records "key-<i>" / "value-<i>" (i from `first`) to one partition.
  void produce_many(const std::string& topic, std::int32_t partition, int count, int first = 0);

 private:
  void flush();
  rd_kafka_t* owner_ = nullptr;  // the handle the mock cluster lives on
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstrap_;
};

// Consumer settings for the mock: session.timeout.ms 6000 (the mock hangs with less), short
// fetch waits (an empty fetch waits the full fetch.wait.max.ms), fast heartbeats.
ConsumerConfig test_consumer_config(const std::string& bootstrap, const std::string& group,
                                    std::vector<std::string> topics);

// Committed offsets and metadata of `group` for the partitions, read without joining the group.
std::vector<AssignedPartition> read_committed(const std::string& bootstrap,
                                              const std::string& group,
                                              const std::vector<TopicPartition>& partitions);

// Runs the io_context until `done()` holds or `timeout` passes; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

// Runs `task` on the io_context to completion (bounded by `timeout`); returns its result, or
// nullopt on timeout. Rethrows an exception of the task.
template <class T>
std::optional<T> run_task(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                          std::chrono::milliseconds timeout) {
  std::optional<T> result;
  std::exception_ptr error;
  bool finished = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
    finished = true;
  });
  run_until(
      io, [&] { return finished; }, timeout);
  if (error) std::rethrow_exception(error);
  return result;
}

bool run_task(boost::asio::io_context& io, boost::asio::awaitable<void> task,
              std::chrono::milliseconds timeout);

}  // namespace ks3::kafka::testing

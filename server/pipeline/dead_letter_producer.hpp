// Dead letters produced to a Kafka topic (bad_records.dead_letter_topic): a thin shell around an
// idempotent kafka::Producer on the event loop. send() queues the message (never blocks); a
// timer polls the producer while anything is outstanding and hands each delivery report to the
// callback given with its message, on the executor. A message librdkafka's queue cannot take
// (QUEUE_FULL) waits here, in order, and is queued again at the next poll.
// See docs/DESIGN.md, "Dead letters in a Kafka topic".
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "kafka/producer.hpp"
#include "server/config/config.hpp"
#include "server/pipeline/dead_letter_topic_check.hpp"
#include "server/record/dead_letter_message.hpp"

namespace ks3::server {

// The producer's settings: the consumer's bootstrap servers and the connection and security
// properties of kafka.properties (security.*, sasl.*, ssl.*, socket.*, ...); consumer-only
// properties are left out. Pure.
kafka::ProducerConfig dead_letter_producer_config(const SinkConfig& config);

class DeadLetterProducer {
 public:
  // The outcome of one dead letter: empty code when the broker acknowledged it (acks=all).
  using Done = std::function<void(const boost::system::error_code& code, const std::string& why)>;

  // What the polling coroutine threw (a callback, or the producer): the pipeline fails the sink
  // with it, since outcomes would no longer be reported and commits would wait forever.
  using OnException = std::function<void(std::exception_ptr)>;

  // Throws kafka::ConfigError for a property librdkafka refuses.
  DeadLetterProducer(boost::asio::any_io_executor executor, const kafka::ProducerConfig& config,
                     std::string topic, OnException on_exception);
  ~DeadLetterProducer();
  DeadLetterProducer(const DeadLetterProducer&) = delete;
  DeadLetterProducer& operator=(const DeadLetterProducer&) = delete;

  // Start-up: looks the topic up in the cluster's metadata, waiting up to `timeout` on a thread
  // of its own (the request blocks), and judges the answer (dead_letter_topic_check.hpp). Call
  // it before the first send().
  boost::asio::awaitable<DeadLetterTopicCheck> look_up_topic(std::chrono::milliseconds timeout);

  void send(DeadLetterMessage message, Done done);
  // Messages sent whose outcome has not been reported yet.
  std::size_t outstanding() const { return callbacks_.size(); }
  const std::string& topic() const { return topic_; }
  // Stops polling; outcomes not reported yet are dropped (the destructor does not wait).
  void stop();

 private:
  boost::asio::awaitable<void> serve(std::weak_ptr<bool> alive);
  void produce_waiting();
  void report(std::uint64_t id, const boost::system::error_code& code, const std::string& why);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<kafka::Producer> producer_;
  std::string topic_;
  OnException on_exception_;
  boost::asio::steady_timer timer_;
  std::map<std::uint64_t, Done> callbacks_;                          // by delivery id
  std::deque<std::pair<std::uint64_t, DeadLetterMessage>> waiting_;  // QUEUE_FULL, in order
  std::uint64_t next_id_ = 0;
  bool serving_ = false;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ks3::server

#include "server/pipeline/dead_letter_producer.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string_view>

namespace ks3::server {
namespace asio = boost::asio;

namespace {

// How often outstanding dead letters are polled for their delivery reports. A report that
// waits this long only delays a commit.
constexpr std::chrono::milliseconds kPollInterval{5};

// kafka.properties the dead-letter producer takes over: how to reach and authenticate to the
// cluster. The rest are the consumer's (group, fetch, offsets) and mean nothing to a producer.
bool connection_property(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kPrefixes = {
      "security.",
      "sasl.",
      "ssl.",
      "ssl_",
      "enable.ssl.",
      "socket.",
      "broker.",
      "client.dns.lookup",
      "api.version.",
      "reconnect.backoff",
      "connections.max.idle.ms",
      "enable.sasl.oauthbearer.unsecure.jwt"};
  for (std::string_view prefix : kPrefixes) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

kafka::ProducerConfig dead_letter_producer_config(const SinkConfig& config) {
  kafka::ProducerConfig out;
  out.bootstrap_servers = config.kafka.bootstrap_servers;
  out.properties["client.id"] = "kafka-s3-sink-dlq";
  // Dead letters are rare and small: deliver promptly and hold little. The queue's bound is
  // reserved in the memory budget (config reserved_memory_bytes).
  out.properties["linger.ms"] = "5";
  out.properties["queue.buffering.max.kbytes"] = std::to_string(kDeadLetterQueueKiB);
  // The topic must exist: neither the start-up lookup nor a produce makes the broker create it
  // with its defaults (dead_letter_topic_check.hpp). librdkafka's producer default is true.
  out.properties["allow.auto.create.topics"] = "false";
  for (const auto& [name, value] : config.kafka.properties) {
    if (connection_property(name)) out.properties[name] = value;
  }
  return out;
}

DeadLetterProducer::DeadLetterProducer(asio::any_io_executor executor,
                                       const kafka::ProducerConfig& config, std::string topic,
                                       OnException on_exception)
    : executor_(executor),
      producer_(std::make_unique<kafka::Producer>(config)),
      topic_(std::move(topic)),
      on_exception_(std::move(on_exception)),
      timer_(executor) {}

DeadLetterProducer::~DeadLetterProducer() {
  stop();
}

void DeadLetterProducer::stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<DeadLetterTopicCheck> DeadLetterProducer::look_up_topic(
    std::chrono::milliseconds timeout) {
  // rd_kafka_metadata blocks until a broker answers: never on the event loop. Nothing else
  // calls the producer before the first send(), as partition_count() requires.
  asio::thread_pool thread(1);
  auto lookup = [producer = producer_.get(), &topic = topic_,
                 timeout]() -> asio::awaitable<std::pair<boost::system::error_code, int>> {
    int partitions = 0;
    const boost::system::error_code ec = producer->partition_count(topic, timeout, partitions);
    co_return std::pair{ec, partitions};
  };
  const auto [ec, partitions] = co_await asio::co_spawn(thread, lookup(), asio::use_awaitable);
  co_return judge_dead_letter_topic(topic_, ec, partitions);
}

void DeadLetterProducer::send(DeadLetterMessage message, Done done) {
  const std::uint64_t id = ++next_id_;
  callbacks_.emplace(id, std::move(done));
  waiting_.emplace_back(id, std::move(message));
  produce_waiting();
  if (!serving_ && !stopped_) {
    serving_ = true;
    asio::co_spawn(executor_, serve(alive_),
                   [this, alive = std::weak_ptr<bool>(alive_)](std::exception_ptr error) {
                     if (!error || alive.expired()) return;
                     serving_ = false;
                     if (on_exception_) on_exception_(error);
                   });
  }
}

void DeadLetterProducer::produce_waiting() {
  while (!waiting_.empty()) {
    auto& [id, message] = waiting_.front();
    const std::vector<kafka::Header> headers = message.header_views();
    kafka::ProducerRecord record;
    record.topic = topic_;
    record.timestamp_ms = message.timestamp_ms;
    if (message.key) record.key = *message.key;
    if (message.value) record.value = *message.value;
    record.headers = headers;
    record.delivery_id = id;
    const boost::system::error_code ec = producer_->produce(record);
    if (kafka::Producer::is_queue_full(ec)) return;  // polled, then tried again
    const std::uint64_t sent = id;
    waiting_.pop_front();
    if (ec) {
      // Refused for good before it was queued (e.g. larger than message.max.bytes): reported
      // like a failed delivery, from a fresh handler.
      asio::post(executor_, [this, alive = std::weak_ptr<bool>(alive_), sent, ec] {
        if (!alive.expired()) report(sent, ec, ec.message());
      });
    }
  }
}

void DeadLetterProducer::report(std::uint64_t id, const boost::system::error_code& code,
                                const std::string& why) {
  auto it = callbacks_.find(id);
  if (it == callbacks_.end()) return;
  Done done = std::move(it->second);
  callbacks_.erase(it);
  done(code, why);
}

asio::awaitable<void> DeadLetterProducer::serve(std::weak_ptr<bool> alive) {
  // Runs while anything is outstanding; send() starts it again.
  while (!alive.expired() && !stopped_ && !callbacks_.empty()) {
    producer_->poll();
    for (const kafka::Delivery& delivery : producer_->take_deliveries()) {
      report(delivery.id, delivery.code, delivery.message);
      if (alive.expired()) co_return;  // a callback may end the pipeline
    }
    produce_waiting();
    if (callbacks_.empty()) break;
    timer_.expires_after(kPollInterval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (alive.expired()) co_return;
  }
  if (!alive.expired()) serving_ = false;
}

}  // namespace ks3::server

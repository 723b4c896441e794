// The pipeline's view of the real Kafka consumer.
#pragma once

#include "kafka/consumer.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {

class KafkaConsumerControl final : public ConsumerControl {
 public:
  explicit KafkaConsumerControl(kafka::Consumer& consumer) : consumer_(consumer) {}

  boost::asio::awaitable<boost::system::error_code> commit(kafka::TopicPartition tp,
                                                           std::int64_t next_offset,
                                                           std::string metadata) override {
    return consumer_.commit(std::move(tp), next_offset, std::move(metadata));
  }
  void pause_all() override { consumer_.pause_all(); }
  void resume_all() override { consumer_.resume_all(); }
  void pause(const kafka::TopicPartition& tp) override { consumer_.pause({&tp, 1}); }
  void resume(const kafka::TopicPartition& tp) override { consumer_.resume({&tp, 1}); }

 private:
  kafka::Consumer& consumer_;
};

// The consumer settings from the sink's configuration.
inline kafka::ConsumerConfig consumer_config(const SinkConfig& config) {
  kafka::ConsumerConfig c;
  c.bootstrap_servers = config.kafka.bootstrap_servers;
  c.group_id = config.kafka.group_id;
  c.topics = config.kafka.topics;
  c.topics_regex = config.kafka.topics_regex;
  c.properties = config.kafka.properties;
  c.fetch_wakeup = config.kafka.fetch_wakeup;
  c.static_assignment = config.kafka.assign.rule;
  c.host_name = config.kafka.assign.host_name;
  c.owner_check_interval = config.kafka.assign.check_interval;
  c.takeover_after = config.kafka.assign.takeover_after;
  return c;
}

}  // namespace ks3::server

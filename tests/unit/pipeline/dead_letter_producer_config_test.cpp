#include <gtest/gtest.h>

#include "server/pipeline/dead_letter_producer.hpp"

namespace ks3::server {
namespace {

// The dead-letter producer reaches the consumer's cluster the same way (bootstrap, security,
// connection settings) and takes none of the consumer-only properties.
TEST(DeadLetterProducerConfig, TakesTheConsumersConnectionSettingsOnly) {
  SinkConfig config;
  config.kafka.bootstrap_servers = "b1:9093,b2:9093";
  config.kafka.properties = {{"security.protocol", "SASL_SSL"},
                             {"sasl.mechanism", "SCRAM-SHA-512"},
                             {"sasl.username", "sink"},
                             {"sasl.password", "secret"},
                             {"ssl.ca.location", "/etc/ca.pem"},
                             {"socket.keepalive.enable", "true"},
                             {"client.dns.lookup", "use_all_dns_ips"},
                             {"fetch.wait.max.ms", "50"},
                             {"session.timeout.ms", "6000"},
                             {"auto.offset.reset", "earliest"},
                             {"queued.max.messages.kbytes", "1024"},
                             {"enable.idempotence", "false"}};
  const kafka::ProducerConfig out = dead_letter_producer_config(config);
  EXPECT_EQ(out.bootstrap_servers, "b1:9093,b2:9093");
  for (const char* name : {"security.protocol", "sasl.mechanism", "sasl.username", "sasl.password",
                           "ssl.ca.location", "socket.keepalive.enable", "client.dns.lookup"}) {
    ASSERT_TRUE(out.properties.contains(name)) << name;
    EXPECT_EQ(out.properties.at(name), config.kafka.properties.at(name));
  }
  for (const char* name : {"fetch.wait.max.ms", "session.timeout.ms", "auto.offset.reset",
                           "queued.max.messages.kbytes", "enable.idempotence"}) {
    EXPECT_FALSE(out.properties.contains(name)) << name;
  }
  EXPECT_EQ(out.properties.at("client.id"), "kafka-s3-sink-dlq");
  // The topic must exist: the broker is asked not to create it (librdkafka's producer default
  // is to ask for it).
  EXPECT_EQ(out.properties.at("allow.auto.create.topics"), "false");
  EXPECT_EQ(out.properties.at("queue.buffering.max.kbytes"), "16384");
}

}  // namespace
}  // namespace ks3::server

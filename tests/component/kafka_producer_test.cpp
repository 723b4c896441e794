// kafka::Producer against librdkafka's mock cluster: per-record delivery ids come back through
// take_deliveries() with the broker's outcome (the dead-letter path waits on them).
#include <gtest/gtest.h>

#include <thread>

#include "kafka/producer.hpp"
#include "tests/component/kafka_test_cluster.hpp"

namespace ks3::kafka {
namespace {

// Polls until `count` tracked outcomes arrived or 15 s passed.
std::vector<Delivery> await_deliveries(Producer& producer, std::size_t count) {
  std::vector<Delivery> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    producer.poll();
    for (Delivery& d : producer.take_deliveries()) out.push_back(std::move(d));
    if (out.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return out;
}

TEST(KafkaProducer, DeliveryIdsReportEachRecordsOutcome) {
  testing::MockKafkaCluster cluster;
  cluster.create_topic("out", 1);
  Producer producer({cluster.bootstrap(), {{"log_level", "3"}}});
  for (std::uint64_t id : {7u, 0u, 8u}) {  // 0: not tracked
    ProducerRecord record;
    record.topic = "out";
    record.key = "k";
    record.value = "v";
    record.delivery_id = id;
    ASSERT_FALSE(producer.produce(record));
  }
  std::vector<Delivery> done = await_deliveries(producer, 2);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].id, 7u);
  EXPECT_EQ(done[1].id, 8u);
  EXPECT_FALSE(done[0].code);
  EXPECT_FALSE(done[1].code);
  producer.poll();
  EXPECT_TRUE(producer.take_deliveries().empty());
  EXPECT_EQ(producer.delivered(), 3u);

  // A Produce the broker refuses for good: the record's id comes back with the error.
  std::vector<rd_kafka_resp_err_t> errors(10, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(cluster.mock(), testing::kProduceApiKey, errors.size(),
                                          errors.data());
  ProducerRecord refused;
  refused.topic = "out";
  refused.value = "v";
  refused.delivery_id = 9;
  ASSERT_FALSE(producer.produce(refused));
  done = await_deliveries(producer, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 9u);
  EXPECT_TRUE(done[0].code);
  EXPECT_FALSE(done[0].message.empty());
}

}  // namespace
}  // namespace ks3::kafka

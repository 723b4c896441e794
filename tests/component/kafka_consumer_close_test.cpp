// The bounded close (kafka/consumer_close.cpp) against librdkafka's in-process mock cluster:
// a final revoke that never returns, and a cluster that is gone at close, both give the close up
// at its limit, and destroying the consumer afterwards is bounded too. Every wait here is
// bounded; a failure says which step took too long.
#include <gtest/gtest.h>
// clang-format off: rdkafka_mock.h needs rdkafka.h first
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
// clang-format on

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "kafka/consumer.hpp"
#include "kafka_test_cluster.hpp"

namespace ks3::kafka {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::MockKafkaCluster;
using testing::run_task;
using testing::run_until;
using testing::test_consumer_config;
using Clock = std::chrono::steady_clock;

// Counts records; the final revoke runs `revoke` (which may never return).
class CloseListener : public ConsumerListener {
 public:
  std::function<asio::awaitable<void>(std::vector<TopicPartition>)> revoke;
  std::size_t records = 0;
  int revokes_started = 0;
  int revokes_returned = 0;

  void on_assigned(std::span<const AssignedPartition>) override {}
  asio::awaitable<void> on_revoked(std::span<const TopicPartition> partitions) override {
    ++revokes_started;
    if (revoke) co_await revoke({partitions.begin(), partitions.end()});
    ++revokes_returned;
  }
  void on_record(const Record&) override { ++records; }
  void on_error(const ConsumerError&) override {}
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A revoke that never returns (its commit unanswered) must not hold the close: close(limit)
// completes after the limit with the close abandoned, and destroying the consumer is bounded.
TEST(KafkaConsumerBoundedClose, GivesUpAtItsLimitWhenTheFinalRevokeNeverReturns) {
  MockKafkaCluster cluster;
  cluster.create_topic("stuck", 1);
  cluster.produce_many("stuck", 0, 3);
  asio::io_context io;
  CloseListener listener;
  listener.revoke = [](std::vector<TopicPartition>) -> asio::awaitable<void> {
    co_await sleep_for(1h);  // a commit that never answers
  };
  Clock::time_point close_started;
  {
    ConsumerConfig config = test_consumer_config(cluster.bootstrap(), "g-stuck", {"stuck"});
    Consumer consumer(io.get_executor(), config, listener);
    consumer.start();
    ASSERT_TRUE(run_until(
        io, [&] { return listener.records == 3; }, 90s))
        << "the consumer did not receive the 3 records (got " << listener.records << ")";
    close_started = Clock::now();
    ASSERT_TRUE(run_task(io, consumer.close(500ms), 20s)) << "close ignored its limit";
    const auto took = Clock::now() - close_started;
    EXPECT_GE(took, 450ms);
    EXPECT_LT(took, 5s) << "close took " << seconds(took) << " s with a 0.5 s limit";
    EXPECT_TRUE(consumer.close_abandoned());
    EXPECT_EQ(listener.revokes_started, 1);
    // The assignment was dropped for the abandoned revoke: librdkafka leaves the group now.
    EXPECT_TRUE(run_until(
        io, [&] { return consumer.closed(); }, 5s))
        << "librdkafka did not close after the revoke was abandoned";
  }
  const auto total = Clock::now() - close_started;
  EXPECT_LT(total, 7s) << "closing and destroying the consumer took " << seconds(total) << " s";
  EXPECT_EQ(listener.revokes_returned, 0);
}

// Kafka gone at close (every broker down): the final revoke's commit cannot be answered; the
// close and the destruction are bounded all the same.
TEST(KafkaConsumerBoundedClose, IsBoundedWhenEveryBrokerIsDown) {
  MockKafkaCluster cluster;
  cluster.create_topic("gone", 1);
  cluster.produce_many("gone", 0, 3);
  asio::io_context io;
  CloseListener listener;
  Consumer* handle = nullptr;
  std::optional<boost::system::error_code> revoke_commit;
  listener.revoke = [&](std::vector<TopicPartition> partitions) -> asio::awaitable<void> {
    for (const auto& tp : partitions) revoke_commit = co_await handle->commit(tp, 3);
  };
  Clock::time_point close_started;
  {
    Consumer consumer(io.get_executor(),
                      test_consumer_config(cluster.bootstrap(), "g-gone", {"gone"}), listener);
    handle = &consumer;
    consumer.start();
    ASSERT_TRUE(run_until(
        io, [&] { return listener.records == 3; }, 90s))
        << "the consumer did not receive the 3 records (got " << listener.records << ")";
    ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster.mock(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    close_started = Clock::now();
    ASSERT_TRUE(run_task(io, consumer.close(1s), 20s)) << "close ignored its limit";
    const auto took = Clock::now() - close_started;
    EXPECT_LT(took, 5s) << "close took " << seconds(took) << " s with a 1 s limit";
    EXPECT_TRUE(consumer.closed() || consumer.close_abandoned());
    EXPECT_EQ(listener.revokes_started, 1);
  }
  const auto total = Clock::now() - close_started;
  EXPECT_LT(total, 7s) << "closing and destroying the consumer took " << seconds(total) << " s";
  // Whatever the commit's fate, it was not acknowledged by a cluster that is down.
  if (revoke_commit) {
    EXPECT_TRUE(*revoke_commit);
  }
}

}  // namespace
}  // namespace ks3::kafka

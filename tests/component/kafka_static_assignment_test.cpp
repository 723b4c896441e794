// The consumer with a static assignment (kafka.assign) against librdkafka's mock cluster: only
// the rule's partitions are assigned, through on_assigned, with no rebalance; commits carry the
// owner tag (stripped again for the listener); close revokes through the listener and releases
// the partitions; a missing listed partition and a live foreign owner are refused.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>

#include "kafka/consumer.hpp"
#include "kafka/errors.hpp"
#include "kafka/partition_owner.hpp"
#include "kafka_test_cluster.hpp"

namespace ks3::kafka {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::MockKafkaCluster;
using testing::read_committed;
using testing::run_task;
using testing::run_until;
using testing::test_consumer_config;

class Listener : public ConsumerListener {
 public:
  void on_assigned(std::span<const AssignedPartition> partitions) override {
    assignments.emplace_back(partitions.begin(), partitions.end());
  }
  asio::awaitable<void> on_revoked(std::span<const TopicPartition> partitions) override {
    std::vector<TopicPartition> copy(partitions.begin(), partitions.end());
    if (revoke_hook) co_await revoke_hook(copy);
    revocations.push_back(std::move(copy));
  }
  void on_record(const Record& record) override {
    records.insert({std::string(record.topic), record.partition});
    ++record_count;
  }
  void on_error(const ConsumerError& error) override { errors.push_back(error); }

  std::function<asio::awaitable<void>(std::vector<TopicPartition>)> revoke_hook;
  std::vector<std::vector<AssignedPartition>> assignments;
  std::vector<std::vector<TopicPartition>> revocations;
  std::set<TopicPartition> records;  // partitions that delivered records
  std::size_t record_count = 0;
  std::vector<ConsumerError> errors;
};

ConsumerConfig static_config(const std::string& bootstrap, const std::string& group,
                             StaticAssignment rule, std::string host) {
  ConsumerConfig config = test_consumer_config(bootstrap, group, {"fixed"});
  config.static_assignment = std::move(rule);
  config.host_name = std::move(host);
  config.owner_check_interval = 200ms;
  return config;
}

StaticAssignment ordinal_rule(std::uint32_t ordinal, std::uint32_t replicas) {
  StaticAssignment rule;
  rule.form = StaticAssignment::Form::ordinal;
  rule.ordinal = ordinal;
  rule.replicas = replicas;
  return rule;
}

bool fatal_conflict(const Listener& listener) {
  for (const auto& e : listener.errors) {
    if (e.fatal && e.code == make_error_code(Errc::partition_owner_conflict)) return true;
  }
  return false;
}

TEST(KafkaStaticAssignment, AssignsTheRulesPartitionsAndReleasesThemOnClose) {
  MockKafkaCluster cluster;
  cluster.create_topic("fixed", 4);
  for (int p = 0; p < 4; ++p) cluster.produce_many("fixed", p, 3);
  asio::io_context io;
  const auto config = static_config(cluster.bootstrap(), "static-1", ordinal_rule(1, 2), "pod-1");
  {
    Listener listener;
    Consumer consumer(io.get_executor(), config, listener);
    listener.revoke_hook = [&](std::vector<TopicPartition> partitions) -> asio::awaitable<void> {
      std::vector<CommitOffset> offsets;
      for (auto& tp : partitions) offsets.push_back({tp, 3, "ks3j1:2"});
      auto ec = co_await consumer.commit(std::move(offsets));
      EXPECT_FALSE(ec) << ec.message();
    };
    auto error = run_task(io, consumer.resolve_static_assignment(), 30s);
    ASSERT_TRUE(error.has_value());
    ASSERT_FALSE(*error) << **error;
    consumer.start();
    ASSERT_TRUE(run_until(
        io, [&] { return listener.record_count == 6; }, 60s));
    EXPECT_EQ(listener.records, (std::set<TopicPartition>{{"fixed", 1}, {"fixed", 3}}));
    ASSERT_EQ(listener.assignments.size(), 1u);
    EXPECT_EQ(listener.assignments[0].size(), 2u);
    EXPECT_TRUE(consumer.joined());
    EXPECT_EQ(consumer.counters().revocations, 0u);
    // A live commit carries the live owner tag; the listener never sees it.
    auto ec = run_task(io, consumer.commit({"fixed", 1}, 2, "ks3j1:1"), 10s);
    ASSERT_TRUE(ec.has_value());
    ASSERT_FALSE(*ec) << ec->message();
    auto live = split_owner(
        read_committed(cluster.bootstrap(), "static-1", {{"fixed", 1}})[0].committed_metadata);
    ASSERT_TRUE(live.owner);
    EXPECT_FALSE(live.owner->released);
    EXPECT_EQ(live.owner->rule, "1/2");
    EXPECT_EQ(live.owner->host, "pod-1");
    EXPECT_EQ(live.rest, "ks3j1:1");
    // Its own tag read back: no conflict.
    run_until(
        io, [] { return false; }, 600ms);
    EXPECT_FALSE(fatal_conflict(listener));

    ASSERT_TRUE(run_task(io, consumer.close(), 60s));
    EXPECT_TRUE(consumer.closed());
    ASSERT_EQ(listener.revocations.size(), 1u);
    EXPECT_EQ(listener.revocations[0].size(), 2u);
  }
  for (const auto& p :
       read_committed(cluster.bootstrap(), "static-1", {{"fixed", 1}, {"fixed", 3}})) {
    EXPECT_EQ(p.committed_offset, 3) << to_string(p.tp);
    auto split = split_owner(p.committed_metadata);
    ASSERT_TRUE(split.owner) << p.committed_metadata;
    EXPECT_TRUE(split.owner->released) << p.committed_metadata;
    EXPECT_EQ(split.rest, "ks3j1:2");
  }
  // Another instance (another host) takes the released partitions at once, from the commit,
  // and gets the journal without the tag.
  Listener listener;
  Consumer consumer(io.get_executor(),
                    static_config(cluster.bootstrap(), "static-1", ordinal_rule(1, 2), "pod-9"),
                    listener);
  consumer.start();  // resolves by itself
  cluster.produce_many("fixed", 3, 1, 3);
  ASSERT_TRUE(run_until(
      io, [&] { return listener.record_count == 1; }, 60s));
  ASSERT_EQ(listener.assignments.size(), 1u);
  for (const auto& p : listener.assignments[0]) {
    EXPECT_EQ(p.committed_offset, 3);
    EXPECT_EQ(p.committed_metadata, "ks3j1:2");
  }
  EXPECT_FALSE(fatal_conflict(listener));
  ASSERT_TRUE(run_task(io, consumer.close(), 60s));
}

TEST(KafkaStaticAssignment, AListedPartitionThatDoesNotExistIsNamed) {
  MockKafkaCluster cluster;
  cluster.create_topic("fixed", 2);
  asio::io_context io;
  StaticAssignment rule;
  rule.partitions = {{"fixed", {0, 5}}};
  Listener listener;
  Consumer consumer(io.get_executor(),
                    static_config(cluster.bootstrap(), "static-2", rule, "pod-0"), listener);
  auto error = run_task(io, consumer.resolve_static_assignment(), 30s);
  ASSERT_TRUE(error.has_value());
  ASSERT_TRUE(*error);
  EXPECT_NE((*error)->find("partition 5 of topic fixed does not exist"), std::string::npos)
      << **error;
}

TEST(KafkaStaticAssignment, ALiveForeignOwnerIsRefusedAtStartAndAnOverwriteIsDetected) {
  MockKafkaCluster cluster;
  cluster.create_topic("fixed", 2);
  cluster.produce_many("fixed", 1, 2);
  asio::io_context io;
  Listener first_listener;
  Consumer first(io.get_executor(),
                 static_config(cluster.bootstrap(), "static-3", ordinal_rule(1, 2), "pod-1"),
                 first_listener);
  first.start();
  ASSERT_TRUE(run_until(
      io, [&] { return first_listener.record_count == 2; }, 60s));
  auto ec = run_task(io, first.commit({"fixed", 1}, 2), 10s);
  ASSERT_TRUE(ec.has_value());
  ASSERT_FALSE(*ec);

  // Listed partition 1 on another host, while pod-1 committed a moment ago: refused.
  StaticAssignment listed;
  listed.partitions = {{"fixed", {1}}};
  Listener second_listener;
  Consumer second(io.get_executor(),
                  static_config(cluster.bootstrap(), "static-3", listed, "elsewhere"),
                  second_listener);
  second.start();
  ASSERT_TRUE(run_until(
      io, [&] { return fatal_conflict(second_listener); }, 30s));
  EXPECT_TRUE(second_listener.assignments.empty());
  const std::string& message = second_listener.errors.back().message;
  EXPECT_NE(message.find("partition fixed[1] is owned by another live instance"), std::string::npos)
      << message;
  EXPECT_NE(message.find("rule 1/2 on host pod-1"), std::string::npos) << message;
  ASSERT_TRUE(run_task(io, second.close(), 30s));

  // A third instance with the same rule and host (taken for pod-1's previous run) is not refused
  // at start; once it commits over pod-1's commit, pod-1's periodic check stops it.
  Listener third_listener;
  Consumer third(io.get_executor(),
                 static_config(cluster.bootstrap(), "static-3", ordinal_rule(1, 2), "pod-1"),
                 third_listener);
  third.start();
  // It starts at pod-1's committed offset 2: the next record is the first it gets.
  cluster.produce_many("fixed", 1, 1, 2);
  ASSERT_TRUE(run_until(
      io, [&] { return third_listener.record_count == 1; }, 60s));
  ASSERT_EQ(third_listener.assignments.size(), 1u);
  EXPECT_EQ(third_listener.assignments[0][0].committed_offset, 2);
  EXPECT_FALSE(fatal_conflict(third_listener));
  ec = run_task(io, third.commit({"fixed", 1}, 3), 10s);
  ASSERT_TRUE(ec.has_value());
  ASSERT_FALSE(*ec);
  ASSERT_TRUE(run_until(
      io, [&] { return fatal_conflict(first_listener); }, 10s));
  EXPECT_NE(first_listener.errors.back().message.find(
                "partition fixed[1] was committed by another instance after this one"),
            std::string::npos)
      << first_listener.errors.back().message;
  ASSERT_TRUE(run_task(io, third.close(), 30s));
  ASSERT_TRUE(run_task(io, first.close(), 30s));
}

}  // namespace
}  // namespace ks3::kafka

// Internal to kafka/: the consumer's state, shared by consumer.cpp (handle, queue serving,
// commits) and consumer_rebalance.cpp (assign/revoke). Not part of the public API.
#pragma once

#include <librdkafka/rdkafka.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kafka/consumer.hpp"
#include "kafka/fetch_wakeup.hpp"

namespace ks3::kafka {

namespace asio = boost::asio;

using PartitionSet = std::unordered_set<TopicPartition, TopicPartitionHash, TopicPartitionEqual>;

// Owns an rd_kafka_topic_partition_list_t.
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

PartitionList make_partition_list(std::span<const TopicPartition> partitions);
std::vector<TopicPartition> to_partitions(const rd_kafka_topic_partition_list_t* list);
std::string describe(std::span<const TopicPartition> partitions);

struct RebalanceEvent {
  bool assign = false;       // else revoke
  bool cooperative = false;  // incremental (COOPERATIVE protocol) or eager
  bool lost = false;         // the assignment was lost (session timeout, fencing)
  std::vector<TopicPartition> partitions;
};

class ConsumerImpl : public std::enable_shared_from_this<ConsumerImpl> {
 public:
  ConsumerImpl(asio::any_io_executor executor, const ConsumerConfig& config,
               ConsumerListener& listener);
  ~ConsumerImpl();

  void start();
  void shutdown();  // stops everything and destroys the librdkafka handle (see ~Consumer)
  asio::awaitable<boost::system::error_code> commit(std::vector<CommitOffset> offsets);
  void pause(std::span<const TopicPartition> partitions);
  void resume(std::span<const TopicPartition> partitions);
  // Wakes librdkafka's broker threads so they re-decide fetching now (fetch_wakeup.hpp).
  void wake_fetchers();
  asio::awaitable<void> close();

  // Queue serving (consumer.cpp).
  asio::awaitable<void> serve(std::shared_ptr<ConsumerImpl> self);
  asio::awaitable<void> drain();
  void deliver(const rd_kafka_message_t* message);
  bool is_active(const rd_kafka_message_t* message);
  void complete_commit(std::uint64_t id, boost::system::error_code ec);
  void maybe_finish_close();
  void report_error(ConsumerError error);
  // The completion handler of the consumer's coroutines: an exception (from librdkafka glue or
  // from the listener, e.g. the record path) is logged and reported as a fatal error, so the
  // sink stops (exit 1, /healthz 503) instead of consumption ending silently.
  std::function<void(std::exception_ptr)> fatal_on_exception(std::string what);

  // Rebalances (consumer_rebalance.cpp).
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  asio::awaitable<void> run_rebalances(std::shared_ptr<ConsumerImpl> self);
  asio::awaitable<void> handle_assign(RebalanceEvent event);
  asio::awaitable<void> handle_revoke(RebalanceEvent event);
  asio::awaitable<std::optional<std::vector<AssignedPartition>>> read_committed(
      const std::vector<TopicPartition>& partitions);
  void apply_assignment(const RebalanceEvent& event, const rd_kafka_topic_partition_list_t* list);
  void changed_assignment() { ++assignment_version_; }

  asio::any_io_executor executor_;
  ConsumerConfig config_;
  ConsumerListener& listener_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;  // the consumer queue (main queue forwarded to it)
  int wake_write_fd_ = -1;
  asio::posix::stream_descriptor wake_;  // read end of the io-event pipe
  asio::steady_timer tick_;
  asio::thread_pool blocking_{1};  // rd_kafka_committed only

  bool started_ = false;
  bool stopped_ = false;  // shutdown(): nothing may touch rk_ any more
  bool closing_ = false;
  bool closed_ = false;
  bool joined_ = false;
  bool rebalancing_ = false;
  std::deque<RebalanceEvent> rebalances_;

  std::set<TopicPartition> assignment_;  // assigned and not being revoked
  PartitionSet active_;                  // the same, for the per-record lookup
  PartitionSet paused_;                  // paused on request (kept for partitions assigned later)
  std::uint64_t assignment_version_ = 0;
  // One-entry cache of the per-record lookup: records come in runs of one partition.
  const rd_kafka_topic_t* cached_topic_ = nullptr;
  std::int32_t cached_partition_ = -1;
  std::uint64_t cached_version_ = ~std::uint64_t{0};
  bool cached_active_ = false;

  std::uint64_t next_commit_id_ = 1;
  std::unordered_map<std::uint64_t, asio::any_completion_handler<void(boost::system::error_code)>>
      pending_commits_;
  std::vector<asio::any_completion_handler<void()>> close_waiters_;
  std::vector<Header> header_scratch_;
  FetchWakeupMode wakeup_mode_;
  StartWithoutCommit start_without_commit_ = StartWithoutCommit::beginning;
  ConsumerCounters counters_;
};

}  // namespace ks3::kafka

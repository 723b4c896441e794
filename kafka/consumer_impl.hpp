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
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kafka/consumer.hpp"
#include "kafka/fetch_wakeup.hpp"
#include "kafka/partition_owner.hpp"

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
  // Static assignment's final revoke (close): the partitions are the assignment at the moment
  // the event runs (an assign queued before it is applied first).
  bool revoke_all = false;
  std::vector<TopicPartition> partitions;
};

// Committed offsets as read from the group coordinator: the metadata without the owner tag
// (partition_owner.hpp), and the tag of each partition (same order).
struct CommittedOffsets {
  boost::system::error_code error;
  std::string what;
  std::vector<AssignedPartition> partitions;
  std::vector<std::optional<OwnerTag>> owners;
};
// This process's owner tag for a static assignment: a fresh random instance id.
OwnerTag initial_owner_tag(const ConsumerConfig& config);

// Blocks until the group coordinator answers (run it on the worker thread).
CommittedOffsets read_committed_blocking(rd_kafka_t* rk, const std::vector<TopicPartition>& tps,
                                         int timeout_ms);

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
  asio::awaitable<void> close(std::chrono::milliseconds limit);
  // The steps of close() (the static final revoke, then librdkafka's close), awaited by nobody:
  // close() waits for close_waiters_, which give_up_close() may complete first.
  asio::awaitable<void> run_close(std::shared_ptr<ConsumerImpl> self);
  // close()'s limit passed: gives the close up (consumer_close.cpp).
  void give_up_close(std::chrono::milliseconds limit);
  // Unassigns whatever librdkafka still holds, as the application's answer to a revoke in
  // progress: without it librdkafka's group handler waits for that answer for ever.
  void drop_assignment();
  // Destroys rk_ (shutdown()); a handle that was not closed is destroyed on a thread of its own
  // and left behind after kDestroyWait (consumer_close.cpp).
  void destroy_handle();

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
  asio::awaitable<std::optional<CommittedOffsets>> read_committed(
      const std::vector<TopicPartition>& partitions);
  // The absolute offsets where the partitions of `committed` that have no commit start (what
  // auto.offset.reset names, resolved now): consumer_rebalance.cpp says why. Partitions it could
  // not resolve are left out (they start at the logical offset).
  asio::awaitable<std::map<TopicPartition, std::int64_t>> resolve_start_without_commit(
      const CommittedOffsets& committed);
  void apply_assignment(const RebalanceEvent& event, const rd_kafka_topic_partition_list_t* list);
  void changed_assignment() { ++assignment_version_; }
  // Queues an event for run_rebalances (started if idle).
  void queue_rebalance(RebalanceEvent event);
  // A revoke starts: the partitions stop delivering records and fetching at once.
  void begin_revoke(const std::vector<TopicPartition>& partitions);
  // Completes when no rebalance event is queued or running.
  asio::awaitable<void> settle_rebalances();

  // Static assignment (consumer_static.cpp).
  asio::awaitable<std::optional<std::string>> resolve_static_assignment();
  void start_static();
  asio::awaitable<void> assign_static(std::shared_ptr<ConsumerImpl> self);
  // The start-up ownership check of the committed owner tags; false (after reporting a fatal
  // error) when another live instance owns one of the partitions.
  bool check_owners_at_start(const CommittedOffsets& committed);
  asio::awaitable<void> watch_owners(std::shared_ptr<ConsumerImpl> self);
  // After the final revoke: commits again, tagged released, what this instance committed last
  // where the revoke committed nothing new, so a successor may take the partitions at once.
  asio::awaitable<void> release_partitions();
  std::string owner_prefix();  // the owner tag for a commit made now
  bool is_static() const { return config_.static_assignment.has_value(); }

  asio::any_io_executor executor_;
  ConsumerConfig config_;
  ConsumerListener& listener_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;  // the consumer queue (main queue forwarded to it)
  int wake_write_fd_ = -1;
  asio::posix::stream_descriptor wake_;  // read end of the io-event pipe
  asio::steady_timer tick_;
  asio::steady_timer close_limit_;  // bounds close()
  asio::thread_pool blocking_{1};   // rd_kafka_committed only

  bool started_ = false;
  // shutdown(): the handle is destroyed, nothing may touch rk_ any more. Independent of
  // close_state_: a consumer stops whether or not it closed (the destroy path depends on which).
  bool stopped_ = false;
  // Leaving the group (consumer_close.cpp):
  //   open -> closing            close() called
  //   closing -> left            librdkafka left the group (rd_kafka_consumer_closed)
  //   closing -> abandoned       close() gave up at its limit; the assignment was dropped
  //   abandoned -> abandoned_left  librdkafka finished leaving after all (the give-up stands:
  //                              the final revoke's commit was abandoned)
  enum class CloseState { open, closing, left, abandoned, abandoned_left };
  CloseState close_state_ = CloseState::open;
  // close() was called: no new work starts (owner checks, assignment retries).
  bool close_begun() const { return close_state_ != CloseState::open; }
  // librdkafka left the group: the handle serves nothing more and destroys normally.
  bool has_left() const {
    return close_state_ == CloseState::left || close_state_ == CloseState::abandoned_left;
  }
  // close() gave up at its limit (Consumer::close_abandoned: the stop exits 1).
  bool gave_up_close() const {
    return close_state_ == CloseState::abandoned || close_state_ == CloseState::abandoned_left;
  }
  // close() has returned, either way: nothing more to wait for.
  bool close_over() const { return has_left() || gave_up_close(); }
  bool joined_ = false;
  bool rebalancing_ = false;
  std::deque<RebalanceEvent> rebalances_;
  std::vector<asio::any_completion_handler<void()>> rebalance_waiters_;

  // Static assignment: the partitions resolved from the metadata, this process's owner tag, and
  // the partitions whose commit by this process was acknowledged (their owner tags are read back
  // every owner_check_interval).
  std::optional<std::vector<TopicPartition>> static_partitions_;
  OwnerTag owner_;
  struct OwnCommit {
    std::int64_t next_offset = 0;
    std::string metadata;  // without the owner tag
    bool released = false;
  };
  std::unordered_map<TopicPartition, OwnCommit, TopicPartitionHash, TopicPartitionEqual>
      owner_acked_;
  asio::steady_timer owner_timer_;

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

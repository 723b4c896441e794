// The Kafka consumer on the event loop: librdkafka's high-level (group) consumer, driven by the
// io_context with no thread blocked in a poll.
//
// How it is driven (librdkafka tests/0040-io_event.c): the consumer queue (the main queue, logs
// and commit results are forwarded to it) writes a byte to a non-blocking pipe whenever it goes
// from empty to non-empty (rd_kafka_queue_io_event_enable); an asio::posix::stream_descriptor
// waits on the pipe; each wake-up reads the pipe and then drains the queue with zero timeouts
// (rd_kafka_consumer_poll(rk, 0)), yielding to other work every max_records_per_turn records.
// A maintenance tick drains as well, so an idle consumer still polls within
// max.poll.interval.ms. rd_kafka_poll is never called.
//
// Static assignment (kafka.assign, static_assignment.hpp): no subscription and no rebalancing;
// the resolved partitions go through the same assign steps as a group assignment, and close()
// revokes them the same way (consumer_static.cpp).
//
// Rebalances (eager and cooperative-sticky, rd_kafka_rebalance_protocol()) are handled one at a
// time in a coroutine, see ConsumerListener for the order guarantees. The committed offsets and
// metadata of newly assigned partitions come from rd_kafka_committed, which blocks: it runs on a
// private worker thread (one attempt at most committed_timeout) and the result is posted back,
// so the event loop never waits for the group coordinator.
//
// Every member function must be called on the executor given at construction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/consumer_config.hpp"
#include "kafka/consumer_listener.hpp"
#include "kafka/topic_partition.hpp"

namespace ks3::kafka {

class ConsumerImpl;

// One partition's commit: `next_offset` is the offset of the next record to consume (Kafka's
// rule: "the last processed offset + 1"); `metadata` is the commit metadata (the cut journal).
struct CommitOffset {
  TopicPartition tp;
  std::int64_t next_offset = 0;
  std::string metadata;
};

struct PartitionProgress {
  std::int64_t position = -1;        // next offset this consumer will deliver; -1 unknown
  std::int64_t high_watermark = -1;  // end offset as last seen by a fetch; -1 unknown
  std::int64_t lag = -1;             // high_watermark - position; -1 unknown
};

struct ConsumerCounters {
  std::uint64_t assignments = 0;      // assign events handled
  std::uint64_t revocations = 0;      // revoke events handled (lost ones included)
  std::uint64_t lost = 0;             // revocations where the assignment was lost
  std::uint64_t commits = 0;          // commit requests acknowledged by the broker
  std::uint64_t commit_failures = 0;  // commit requests that failed
  std::uint64_t records = 0;          // records delivered to the listener
  std::uint64_t dropped_records = 0;  // records of partitions no longer assigned, not delivered
  std::uint64_t fetch_wakeups = 0;    // broker threads woken after draining (fetch_wakeup.hpp)
  // Partitions without a commit assigned at the absolute offset auto.offset.reset stood for
  // (resolved before the assignment; consumer_rebalance.cpp says why).
  std::uint64_t start_offsets_resolved = 0;
};

class Consumer {
 public:
  // Creates the librdkafka consumer. Throws ConfigError naming the property for an invalid
  // configuration (unknown librdkafka property, bad value, missing group id...). The values of
  // secret properties never appear in the error.
  Consumer(boost::asio::any_io_executor executor, const ConsumerConfig& config,
           ConsumerListener& listener);
  // Without a completed close(), leaves the group without the final revoke (no commit; the
  // group coordinator notices after session.timeout.ms), waiting at most
  // ConsumerConfig::destroy_wait for librdkafka's teardown. May block up to committed_timeout
  // while a read of committed offsets finishes on the worker thread.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Subscribes to the configured topics and starts serving the queue. With a static assignment
  // (ConsumerConfig::static_assignment): assigns the resolved partitions instead, through the
  // same steps as a group assignment (committed offsets and metadata, on_assigned, the start
  // offsets), checks their owner tags, and reads them back periodically (partition_owner.hpp).
  void start();
  // Static assignment only, before start(): reads the cluster's metadata (off the event loop,
  // retried until it answers or the consumer closes) and fixes the partitions to assign.
  // Returns the error when a topic or a listed partition does not exist (naming both).
  boost::asio::awaitable<std::optional<std::string>> resolve_static_assignment();

  // Commits exactly these partitions' offsets (with metadata) and completes when the broker
  // acknowledged the commit: an empty error_code, or the first failure (rdkafka_category).
  // Used during the run (not awaited by the caller's hot path), and awaited on revoke and at
  // shutdown.
  boost::asio::awaitable<boost::system::error_code> commit(std::vector<CommitOffset> offsets);
  boost::asio::awaitable<boost::system::error_code> commit(TopicPartition tp,
                                                           std::int64_t next_offset,
                                                           std::string metadata = {});

  // Backpressure: stop and restart fetching these partitions. A partition paused while it is
  // being assigned (e.g. from on_assigned) starts paused. Records already queued for a paused
  // partition may still be delivered.
  void pause(std::span<const TopicPartition> partitions);
  void resume(std::span<const TopicPartition> partitions);
  void pause_all();
  void resume_all();

  // The current assignment (partitions being revoked excluded), sorted.
  std::vector<TopicPartition> assignment() const;
  // Position and lag from librdkafka's cached state (no broker round trip); nullopt when the
  // partition is not assigned.
  std::optional<PartitionProgress> progress(const TopicPartition& tp) const;
  // True once the group gave this member an assignment (possibly empty), until it is lost.
  bool joined() const;
  // "EAGER", "COOPERATIVE", or "NONE" before the first join.
  std::string rebalance_protocol() const;
  const ConsumerCounters& counters() const;

  // Graceful close: leaves the group; the final revoke goes through ConsumerListener::on_revoked
  // (which commits what is durable). Completes when librdkafka reports the consumer closed, or
  // once `limit` has passed (Kafka unreachable: the revoke's commit never answers): then a
  // warning names what it gave up on, the assignment is dropped, closed() stays false and
  // close_abandoned() is true; nothing uncommitted is lost, the next owner consumes it again
  // (consumer_close.cpp). A static assignment is revoked the same way before librdkafka closes.
  boost::asio::awaitable<void> close(
      std::chrono::milliseconds limit = std::chrono::milliseconds::max());
  bool closed() const;
  bool close_abandoned() const;

 private:
  std::shared_ptr<ConsumerImpl> impl_;
};

// True once a consumer's librdkafka handle was left destroying on a thread of its own (its close
// gave up and the destroy outlived ConsumerConfig::destroy_wait). The process must then end
// without running static destructors: they would tear down what that thread still uses.
bool threads_left_behind();

}  // namespace ks3::kafka

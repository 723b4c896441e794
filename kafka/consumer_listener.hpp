// What the consumer tells the pipeline. Every call comes on the consumer's executor (the event
// loop), one at a time; none may block.
//
// Order guarantees:
//  - on_assigned(P) comes before any on_record of a partition in P, with the committed offset and
//    commit metadata of each partition (read from the group coordinator just before); consumption
//    of each partition starts at its committed offset (or per auto.offset.reset when none).
//  - on_revoked(P) is awaited before the partitions are unassigned (eager: rd_kafka_assign(NULL);
//    cooperative: rd_kafka_incremental_unassign). Once it is called no on_record of P follows
//    (records still queued for P are dropped: they are not committed, so they are consumed again
//    by the next owner). Commits made while on_revoked runs are acknowledged before it returns if
//    the listener awaits them. On close, the final revoke goes through the same path.
//  - Nothing is committed unless the listener asks (Consumer::commit).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kafka/record.hpp"
#include "kafka/topic_partition.hpp"

namespace ks3::kafka {

struct AssignedPartition {
  TopicPartition tp;
  std::int64_t committed_offset = -1;  // -1: the group has no commit for this partition
  std::string committed_metadata;      // the metadata string of that commit ("" if none)
};

struct ConsumerError {
  boost::system::error_code code;  // rdkafka_category() or kafka_category()
  bool fatal = false;  // the consumer cannot continue (e.g. fencing): shut down and restart
  std::string message;
  std::optional<TopicPartition> partition;  // set when the error is about one partition
};

class ConsumerListener {
 public:
  virtual ~ConsumerListener() = default;

  virtual void on_assigned(std::span<const AssignedPartition> partitions) = 0;
  // Abort the partitions' open objects, wait for their in-flight Completes, commit the final
  // durable offsets (Consumer::commit, awaited), then return.
  virtual boost::asio::awaitable<void> on_revoked(std::span<const TopicPartition> partitions) = 0;
  virtual void on_record(const Record& record) = 0;
  // librdkafka reports most errors as informational (it retries by itself); `fatal` ones end
  // the consumer.
  virtual void on_error(const ConsumerError& error) = 0;
  // A run of on_record calls ended (the queue is empty, or the consumer yields to the loop):
  // the place for per-batch work such as adding up counters.
  virtual void on_records_delivered() {}
  // librdkafka's statistics JSON (only when statistics.interval.ms is set).
  virtual void on_statistics(std::string_view json) { (void)json; }
};

}  // namespace ks3::kafka

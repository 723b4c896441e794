// Static assignment in the consumer (kafka.assign): the partitions come from the cluster's
// metadata and the rule (static_assignment.hpp), not from a group's rebalancing. They are
// assigned through the same handle_assign as a group assignment (committed offsets and metadata,
// on_assigned, logical start offsets), after the start-up check of their owner tags; the owner
// tags are read back every owner_check_interval (partition_owner.hpp). Blocking librdkafka calls
// (rd_kafka_metadata, rd_kafka_committed) run on the worker thread, never on the event loop.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "kafka/consumer_impl.hpp"
#include "kafka/errors.hpp"
#include "metrics/log.hpp"

namespace ks3::kafka {
namespace {

struct MetadataResult {
  boost::system::error_code error;
  std::map<std::string, std::int32_t> partition_counts;  // existing topics only
};

// Runs on the worker thread: rd_kafka_metadata blocks until a broker answers.
MetadataResult read_metadata_blocking(rd_kafka_t* rk, int timeout_ms) {
  MetadataResult result;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (auto err = rd_kafka_metadata(rk, 1, nullptr, &metadata, timeout_ms)) {
    result.error = make_rdkafka_error(err);
    return result;
  }
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    // UNKNOWN_TOPIC_OR_PART and the like: the topic does not exist (for us).
    if (topic.err) continue;
    result.partition_counts[topic.topic] = topic.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return result;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_instance_id() {
  std::random_device device;
  const std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

OwnerTag initial_owner_tag(const ConsumerConfig& config) {
  OwnerTag tag;
  tag.instance = random_instance_id();
  tag.rule = config.static_assignment ? config.static_assignment->rule_tag() : "";
  tag.host = config.host_name;
  return tag;
}

std::string ConsumerImpl::owner_prefix() {
  OwnerTag tag = owner_;
  tag.committed_ms = now_ms();
  // The commits of close() are the final revoke's: the partitions are free for a successor.
  tag.released = close_begun();
  return encode_owner(tag);
}

asio::awaitable<std::optional<std::string>> ConsumerImpl::resolve_static_assignment() {
  if (!is_static() || static_partitions_) co_return std::nullopt;
  const auto timeout_ms = static_cast<int>(config_.committed_timeout.count());
  for (int attempt = 1; !stopped_ && !close_begun(); ++attempt) {
    auto task = [rk = rk_, timeout_ms]() -> asio::awaitable<MetadataResult> {
      co_return read_metadata_blocking(rk, timeout_ms);
    };
    MetadataResult result = co_await asio::co_spawn(blocking_, task, asio::use_awaitable);
    if (stopped_ || close_begun()) break;
    if (!result.error) {
      AssignmentPlan plan =
          plan_assignment(*config_.static_assignment, config_.topics, result.partition_counts);
      if (!plan.error.empty()) co_return "kafka.assign: " + plan.error;
      log::info("kafka static assignment", {{"rule", config_.static_assignment->describe()},
                                            {"partitions", describe(plan.partitions)},
                                            {"group", config_.group_id},
                                            {"instance", owner_.instance}});
      if (plan.partitions.empty()) {
        log::warn("kafka static assignment: no partition matches the rule; this instance idles",
                  {{"rule", config_.static_assignment->describe()}});
      }
      static_partitions_ = std::move(plan.partitions);
      co_return std::nullopt;
    }
    log::warn("kafka metadata unavailable, retrying",
              {{"error", result.error.message()}, {"attempt", attempt}});
    asio::steady_timer backoff(executor_, std::min(attempt * std::chrono::milliseconds(500),
                                                   std::chrono::milliseconds(5000)));
    co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return std::nullopt;
}

void ConsumerImpl::start_static() {
  log::info("kafka consumer started",
            {{"group", config_.group_id},
             {"assignment", "static: " + config_.static_assignment->describe()}});
  asio::co_spawn(executor_, serve(shared_from_this()), fatal_on_exception("serving the queue"));
  asio::co_spawn(executor_, assign_static(shared_from_this()),
                 fatal_on_exception("the static assignment"));
}

asio::awaitable<void> ConsumerImpl::assign_static(
    [[maybe_unused]] std::shared_ptr<ConsumerImpl> self) {
  if (!static_partitions_) {
    // start() without resolve_static_assignment(): resolve now (a missing partition is fatal).
    if (auto error = co_await resolve_static_assignment()) {
      report_error({make_error_code(Errc::static_assignment_failed), true, *error, std::nullopt});
      co_return;
    }
    if (!static_partitions_ || stopped_ || close_begun()) co_return;
  }
  RebalanceEvent event;
  event.assign = true;
  event.partitions = *static_partitions_;
  queue_rebalance(std::move(event));
  asio::co_spawn(executor_, watch_owners(shared_from_this()),
                 fatal_on_exception("the owner check"));
}

bool ConsumerImpl::check_owners_at_start(const CommittedOffsets& committed) {
  const std::int64_t now = now_ms();
  for (std::size_t i = 0; i < committed.partitions.size(); ++i) {
    const TopicPartition& tp = committed.partitions[i].tp;
    const std::optional<OwnerTag>& owner = committed.owners[i];
    const StartOwnership ownership = check_at_start(owner_, owner, now, config_.takeover_after);
    switch (ownership) {
      case StartOwnership::free:
      case StartOwnership::released:
      case StartOwnership::predecessor:
        break;
      case StartOwnership::stale:
        log::warn(
            "kafka static assignment: taking over a partition from an owner that stopped "
            "committing",
            {{"partition", to_string(tp)}, {"previous_owner", describe_owner(owner)}});
        break;
      case StartOwnership::conflict:
        report_error({make_error_code(Errc::partition_owner_conflict), true,
                      "partition " + to_string(tp) + " is owned by another live instance: " +
                          describe_owner(owner) + "; this instance is " + describe_owner(owner_) +
                          " with kafka.assign " + config_.static_assignment->describe() +
                          ". Static assignments must not overlap; if that instance is gone, "
                          "start again after kafka.assign.takeover_after",
                      tp});
        return false;
    }
  }
  return true;
}

asio::awaitable<void> ConsumerImpl::watch_owners(
    [[maybe_unused]] std::shared_ptr<ConsumerImpl> self) {
  const auto timeout_ms = static_cast<int>(config_.committed_timeout.count());
  while (!stopped_ && !close_begun()) {
    owner_timer_.expires_after(config_.owner_check_interval);
    co_await owner_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_ || close_begun()) break;
    // Only partitions whose own commit was acknowledged before the read starts: the committed
    // tag must then be ours (or a later commit of ours) unless someone else committed since.
    std::vector<TopicPartition> checked;
    for (const TopicPartition& tp : assignment_) {
      if (owner_acked_.contains(tp)) checked.push_back(tp);
    }
    if (checked.empty()) continue;
    auto task = [rk = rk_, checked, timeout_ms]() -> asio::awaitable<CommittedOffsets> {
      co_return read_committed_blocking(rk, checked, timeout_ms);
    };
    CommittedOffsets result = co_await asio::co_spawn(blocking_, task, asio::use_awaitable);
    if (stopped_ || close_begun()) break;
    if (result.error) {
      log::debug("kafka owner check: committed offsets unavailable",
                 {{"what", result.what}, {"error", result.error.message()}});
      continue;
    }
    for (std::size_t i = 0; i < result.partitions.size(); ++i) {
      if (!overwritten_by_another(owner_, result.owners[i])) continue;
      const TopicPartition& tp = result.partitions[i].tp;
      report_error({make_error_code(Errc::partition_owner_conflict), true,
                    "partition " + to_string(tp) +
                        " was committed by another instance after "
                        "this one: " +
                        describe_owner(result.owners[i]) + "; this instance is " +
                        describe_owner(owner_) + " with kafka.assign " +
                        config_.static_assignment->describe() +
                        ". Two instances consume the partition: static assignments must not "
                        "overlap (nor a consumer group use the same group id)",
                    tp});
      co_return;
    }
  }
}

asio::awaitable<void> ConsumerImpl::release_partitions() {
  std::vector<CommitOffset> release;
  for (const auto& [tp, last] : owner_acked_) {
    if (!last.released) release.push_back(CommitOffset{tp, last.next_offset, last.metadata});
  }
  if (release.empty()) co_return;
  std::sort(release.begin(), release.end(),
            [](const CommitOffset& a, const CommitOffset& b) { return a.tp < b.tp; });
  std::vector<TopicPartition> partitions;
  for (const auto& offset : release) partitions.push_back(offset.tp);
  // The same offsets and journals this instance committed last: only the tag changes.
  const boost::system::error_code ec = co_await commit(std::move(release));
  if (ec) {
    log::warn(
        "kafka static assignment: releasing the partitions failed; another instance may "
        "take them over only after kafka.assign.takeover_after",
        {{"partitions", describe(partitions)}, {"error", ec.message()}});
  }
}

}  // namespace ks3::kafka

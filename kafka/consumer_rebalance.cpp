// Rebalance handling of the consumer: assign (read committed offsets + metadata, tell the
// listener, assign at those offsets) and revoke (await the listener, then unassign), for the
// eager and the cooperative protocol, one event at a time.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <exception>

#include "kafka/consumer_impl.hpp"
#include "kafka/errors.hpp"
#include "metrics/log.hpp"

namespace ks3::kafka {
namespace {

std::int64_t start_offset_without_commit(StartWithoutCommit start) {
  switch (start) {
    case StartWithoutCommit::beginning:
      return RD_KAFKA_OFFSET_BEGINNING;
    case StartWithoutCommit::end:
      return RD_KAFKA_OFFSET_END;
    case StartWithoutCommit::error:
      break;
  }
  return RD_KAFKA_OFFSET_INVALID;  // librdkafka reports the missing offset as an error
}

// Blocks until the partitions' leaders answer (run it on the worker thread): the offsets that
// `logical` (RD_KAFKA_OFFSET_BEGINNING or _END) stands for now; none for a partition that failed.
// ListOffsets reads earliest and latest as the timestamps -2 and -1, which are those two values:
// one request per leader for all the partitions.
std::map<TopicPartition, std::int64_t> resolve_logical_offsets_blocking(
    rd_kafka_t* rk, const std::vector<TopicPartition>& tps, std::int64_t logical, int timeout_ms) {
  std::map<TopicPartition, std::int64_t> resolved;
  auto list = make_partition_list(tps);
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = logical;
  if (rd_kafka_offsets_for_times(rk, list.get(), timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return resolved;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& element = list->elems[i];
    if (element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0) {
      resolved.emplace(TopicPartition{element.topic, element.partition}, element.offset);
    }
  }
  return resolved;
}

}  // namespace

// Runs on the worker thread: rd_kafka_committed blocks until the group coordinator answers.
CommittedOffsets read_committed_blocking(rd_kafka_t* rk, const std::vector<TopicPartition>& tps,
                                         int timeout_ms) {
  CommittedOffsets result;
  auto list = make_partition_list(tps);
  if (auto err = rd_kafka_committed(rk, list.get(), timeout_ms)) {
    result.error = make_rdkafka_error(err);
    result.what = "reading the committed offsets of " + describe(tps);
    return result;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& element = list->elems[i];
    TopicPartition tp{element.topic, element.partition};
    if (element.err) {
      result.error = make_rdkafka_error(element.err);
      result.what = "reading the committed offset of " + to_string(tp);
      return result;
    }
    AssignedPartition assigned{tp, element.offset >= 0 ? element.offset : -1, {}};
    std::string_view metadata;
    if (element.metadata && element.metadata_size > 0) {
      metadata = {static_cast<const char*>(element.metadata), element.metadata_size};
    }
    // The owner tag of a static instance's commit is not the listener's (it gets the journal),
    // in either mode: a group that was consumed statically before keeps its cut journal.
    SplitMetadata split = split_owner(metadata);
    assigned.committed_metadata = std::move(split.rest);
    result.partitions.push_back(std::move(assigned));
    result.owners.push_back(std::move(split.owner));
  }
  return result;
}

// Called by librdkafka inside rd_kafka_consumer_poll (on the event loop). The partitions being
// revoked stop delivering records at once; the rest happens in run_rebalances.
void ConsumerImpl::on_rebalance(rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions) {
  RebalanceEvent event;
  const char* protocol = rd_kafka_rebalance_protocol(rk_);
  event.cooperative = protocol && std::strcmp(protocol, "COOPERATIVE") == 0;
  event.partitions = to_partitions(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    event.assign = true;
  } else {
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      // A rebalance error: give up the whole assignment (librdkafka's example does
      // rd_kafka_assign(rk, NULL)); the group assigns again.
      report_error({make_rdkafka_error(err), false, "rebalance failed", std::nullopt});
      event.partitions.assign(assignment_.begin(), assignment_.end());
      event.cooperative = false;
      event.lost = true;
    } else {
      event.lost = rd_kafka_assignment_lost(rk_) != 0;
    }
    begin_revoke(event.partitions);
  }
  queue_rebalance(std::move(event));
}

void ConsumerImpl::begin_revoke(const std::vector<TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    assignment_.erase(tp);
    active_.erase(tp);
  }
  changed_assignment();
  // No more fetching for them while the listener settles their objects.
  if (!partitions.empty()) {
    auto list = make_partition_list(partitions);
    rd_kafka_pause_partitions(rk_, list.get());
  }
}

void ConsumerImpl::queue_rebalance(RebalanceEvent event) {
  rebalances_.push_back(std::move(event));
  if (!rebalancing_) {
    rebalancing_ = true;
    // Posted, not run inline: we are inside a librdkafka callback.
    asio::post(executor_, [self = shared_from_this()] {
      asio::co_spawn(self->executor_, self->run_rebalances(self),
                     self->fatal_on_exception("a rebalance"));
    });
  }
}

asio::awaitable<void> ConsumerImpl::run_rebalances(
    [[maybe_unused]] std::shared_ptr<ConsumerImpl> self) {
  while (!rebalances_.empty() && !stopped_) {
    RebalanceEvent event = std::move(rebalances_.front());
    rebalances_.pop_front();
    if (event.revoke_all) {
      event.partitions.assign(assignment_.begin(), assignment_.end());
      begin_revoke(event.partitions);
    }
    if (event.assign) {
      co_await handle_assign(std::move(event));
    } else {
      co_await handle_revoke(std::move(event));
    }
  }
  rebalancing_ = false;
  for (auto& waiter : rebalance_waiters_) {
    asio::post(executor_, [waiter = std::move(waiter)]() mutable { std::move(waiter)(); });
  }
  rebalance_waiters_.clear();
  maybe_finish_close();
}

asio::awaitable<void> ConsumerImpl::settle_rebalances() {
  if (!rebalancing_ || stopped_) co_return;
  auto self = shared_from_this();
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&](auto handler) { rebalance_waiters_.push_back(std::move(handler)); }, asio::use_awaitable);
}

asio::awaitable<void> ConsumerImpl::handle_assign(RebalanceEvent event) {
  ++counters_.assignments;
  joined_ = true;
  std::optional<CommittedOffsets> committed;
  if (!event.partitions.empty()) {
    committed = co_await read_committed(event.partitions);
    if (stopped_) co_return;
  } else {
    committed.emplace();
  }
  if (!committed) {
    // Closing before the committed offsets could be read: take nothing (eager) or give the
    // partitions straight back (cooperative), without telling the listener.
    log::warn("kafka assignment skipped while closing",
              {{"partitions", describe(event.partitions)}});
    auto list = make_partition_list(event.partitions);
    if (event.cooperative) {
      if (auto* e = rd_kafka_incremental_assign(rk_, list.get())) rd_kafka_error_destroy(e);
      if (auto* e = rd_kafka_incremental_unassign(rk_, list.get())) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk_, nullptr);
    }
    co_return;
  }
  if (is_static() && !check_owners_at_start(*committed)) {
    // Another live instance owns a partition (reported as fatal): take nothing.
    rd_kafka_assign(rk_, nullptr);
    co_return;
  }
  const std::map<TopicPartition, std::int64_t> start_offsets =
      co_await resolve_start_without_commit(*committed);
  if (stopped_) co_return;
  const std::vector<AssignedPartition>& assigned_partitions = committed->partitions;
  if (!assigned_partitions.empty()) listener_.on_assigned(assigned_partitions);
  PartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(assigned_partitions.size())));
  for (const auto& assigned : assigned_partitions) {
    auto* element = rd_kafka_topic_partition_list_add(list.get(), assigned.tp.topic.c_str(),
                                                      assigned.tp.partition);
    // Start exactly at the committed offset the listener was given. With no commit, at the
    // logical offset auto.offset.reset names, not RD_KAFKA_OFFSET_INVALID: INVALID makes
    // librdkafka 2.0 read the committed offset again and start the fetcher only when that
    // answer arrives, a few hundred milliseconds later, with a new op version. A pause or resume
    // of ours whose version was taken just before (the manifest loading resumes partitions at
    // about that time) is then discarded as outdated, and a partition that missed its resume
    // never fetches (the race of librdkafka issue 5591; the likely cause of a CI run where one
    // partition of 16 stayed idle for 120 s). A logical offset starts the fetcher when the
    // assignment is applied.
    // Better still, the offset that logical offset stands for, resolved above.
    if (assigned.committed_offset >= 0) {
      element->offset = assigned.committed_offset;
    } else if (auto it = start_offsets.find(assigned.tp); it != start_offsets.end()) {
      element->offset = it->second;
      ++counters_.start_offsets_resolved;
    } else {
      element->offset = start_offset_without_commit(start_without_commit_);
    }
  }
  apply_assignment(event, list.get());
}

void ConsumerImpl::apply_assignment(const RebalanceEvent& event,
                                    const rd_kafka_topic_partition_list_t* list) {
  boost::system::error_code ec;
  std::string why;
  if (event.cooperative) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_, list)) {
      ec = make_rdkafka_error(rd_kafka_error_code(error));
      why = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
    }
  } else {
    assignment_.clear();
    active_.clear();
    if (auto err = rd_kafka_assign(rk_, list)) ec = make_rdkafka_error(err);
  }
  if (ec) {
    report_error({ec, false, "assigning partitions failed: " + (why.empty() ? ec.message() : why),
                  std::nullopt});
    return;
  }
  std::vector<TopicPartition> to_pause;
  for (const auto& tp : event.partitions) {
    assignment_.insert(tp);
    active_.insert(tp);
    if (paused_.contains(tp)) to_pause.push_back(tp);
  }
  changed_assignment();
  if (!to_pause.empty()) {
    auto pause_list = make_partition_list(to_pause);
    rd_kafka_pause_partitions(rk_, pause_list.get());
  }
  log::info("kafka partitions assigned",
            {{"partitions", describe(event.partitions)},
             {"protocol", is_static()         ? "static"
                          : event.cooperative ? "cooperative"
                                              : "eager"},
             {"assigned_total", static_cast<std::uint64_t>(assignment_.size())}});
}

asio::awaitable<void> ConsumerImpl::handle_revoke(RebalanceEvent event) {
  ++counters_.revocations;
  if (event.lost) ++counters_.lost;
  if (event.lost) {
    log::warn("kafka partitions lost (their commits will fail)",
              {{"partitions", describe(event.partitions)}});
  } else {
    log::info("kafka partitions revoked", {{"partitions", describe(event.partitions)}});
  }
  if (!event.partitions.empty()) {
    try {
      co_await listener_.on_revoked(event.partitions);
    } catch (const std::exception& e) {
      log::error("revoke handler failed",
                 {{"partitions", describe(event.partitions)}, {"error", e.what()}});
    }
  }
  // A close that gave up dropped the assignment already (consumer_close.cpp).
  if (stopped_ || gave_up_close()) co_return;
  for (const auto& tp : event.partitions) paused_.erase(tp);
  if (event.lost) joined_ = false;
  auto list = make_partition_list(event.partitions);
  // librdkafka keeps a partition's pause flag across assignments: clear the pause of the revoke
  // (or of backpressure) so that a later assignment of the same partition fetches again.
  rd_kafka_resume_partitions(rk_, list.get());
  if (event.cooperative) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, list.get())) {
      report_error({make_rdkafka_error(rd_kafka_error_code(error)), false,
                    std::string("unassigning partitions failed: ") + rd_kafka_error_string(error),
                    std::nullopt});
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
}

// A partition without a commit would start at a logical offset (auto.offset.reset), which
// librdkafka resolves with a ListOffsets request of its own once the fetcher starts. The listener
// pauses a new partition right after the assignment (the pipeline reads its cut manifests
// first): that pause makes the answer outdated, and librdkafka 2.0 asks again only 500 ms later
// (rd_kafka_toppar_handle_Offset, "outdated offset response"), so every first start of a group
// idled half a second. Resolved here, before the assignment, the fetcher starts at an absolute
// offset, which a pause and resume do not disturb. On failure the logical offset stays (the
// slower start, nothing else).
asio::awaitable<std::map<TopicPartition, std::int64_t>> ConsumerImpl::resolve_start_without_commit(
    const CommittedOffsets& committed) {
  std::vector<TopicPartition> without_commit;
  for (const AssignedPartition& assigned : committed.partitions) {
    if (assigned.committed_offset < 0) without_commit.push_back(assigned.tp);
  }
  const std::int64_t logical = start_offset_without_commit(start_without_commit_);
  if (without_commit.empty() || logical == RD_KAFKA_OFFSET_INVALID) {
    co_return std::map<TopicPartition, std::int64_t>();
  }
  const auto timeout_ms = static_cast<int>(config_.committed_timeout.count());
  auto task = [rk = rk_, without_commit, logical,
               timeout_ms]() -> asio::awaitable<std::map<TopicPartition, std::int64_t>> {
    co_return resolve_logical_offsets_blocking(rk, without_commit, logical, timeout_ms);
  };
  co_return co_await asio::co_spawn(blocking_, task, asio::use_awaitable);
}

asio::awaitable<std::optional<CommittedOffsets>> ConsumerImpl::read_committed(
    const std::vector<TopicPartition>& partitions) {
  auto timeout_ms = static_cast<int>(config_.committed_timeout.count());
  for (int attempt = 1; !stopped_; ++attempt) {
    // A named task, not a temporary in the co_await expression (g++ 12 destroys such
    // temporaries twice).
    auto task = [rk = rk_, partitions, timeout_ms]() -> asio::awaitable<CommittedOffsets> {
      co_return read_committed_blocking(rk, partitions, timeout_ms);
    };
    CommittedOffsets result = co_await asio::co_spawn(blocking_, task, asio::use_awaitable);
    if (stopped_) break;
    if (!result.error) co_return std::move(result);
    log::warn("kafka committed offsets unavailable, retrying",
              {{"what", result.what}, {"error", result.error.message()}, {"attempt", attempt}});
    report_error({result.error, false, result.what + ": " + result.error.message(), std::nullopt});
    if (close_begun()) break;
    asio::steady_timer backoff(executor_, std::min(attempt * std::chrono::milliseconds(500),
                                                   std::chrono::milliseconds(5000)));
    co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return std::nullopt;
}

}  // namespace ks3::kafka

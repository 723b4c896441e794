// The pipeline's commits, revocations and graceful drain.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "metrics/log.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {

// Waits until `predicate` holds or `deadline` passes; true when the predicate holds.
template <typename Predicate>
asio::awaitable<bool> wait_with_deadline(asio::any_io_executor executor, AsyncCondition& condition,
                                         Predicate predicate, SteadyTime deadline) {
  auto timer = std::make_shared<asio::steady_timer>(executor, deadline);
  timer->async_wait([&condition](boost::system::error_code ec) {
    if (!ec) condition.notify_all();
  });
  co_await condition.wait_until(
      [&] { return predicate() || std::chrono::steady_clock::now() >= deadline; });
  timer->cancel();
  co_return predicate();
}

}  // namespace

void Pipeline::schedule_commit(const std::shared_ptr<PartitionRuntime>& handle) {
  if (!consumer_ || handle->state.commit_in_flight() || !handle->state.commit_due()) return;
  // After a failure, the next attempt waits for its backoff (the tick tries again then).
  if (!handle->commit_retry.may_attempt(std::chrono::steady_clock::now())) return;
  asio::co_spawn(
      executor_,
      [this, handle, alive = std::weak_ptr<bool>(alive_)]() -> asio::awaitable<void> {
        if (alive.expired()) co_return;
        co_await commit_now(handle);
      },
      on_exception("an offset commit"));
}

asio::awaitable<bool> Pipeline::commit_now(std::shared_ptr<PartitionRuntime> handle) {
  auto alive = std::weak_ptr<bool>(alive_);
  std::optional<CommitPlan> plan = handle->state.plan_commit();
  if (!plan) co_return !handle->state.commit_due();
  const kafka::TopicPartition tp = handle->state.tp();
  boost::system::error_code ec = co_await consumer_->commit(tp, plan->offset, plan->metadata);
  if (alive.expired()) co_return false;
  handle->state.commit_finished(*plan, !ec);
  handle->changed.notify_all();  // the journal gate may be open now
  settled_.notify_all();
  if (ec) {
    ++stats_.commit_failures;
    metrics_.commit_failures.inc();  // every failed attempt
    const CommitRetry::Failure failure =
        handle->commit_retry.failed(std::chrono::steady_clock::now());
    // One line per failure streak (a broker away would otherwise log every retry).
    if (failure.log) {
      log::warn("offset commit failed; retrying with backoff until it succeeds",
                {{"topic", tp.topic},
                 {"partition", tp.partition},
                 {"offset", plan->offset},
                 {"error", ec.message()},
                 {"retry_in_ms", static_cast<std::int64_t>(failure.delay.count())}});
    } else {
      log::debug("offset commit failed again",
                 {{"topic", tp.topic},
                  {"partition", tp.partition},
                  {"failures", failure.streak},
                  {"error", ec.message()},
                  {"retry_in_ms", static_cast<std::int64_t>(failure.delay.count())}});
    }
    co_return false;
  }
  if (std::uint64_t streak = handle->commit_retry.succeeded(); streak > 0) {
    log::info("offset commit recovered", {{"topic", tp.topic},
                                          {"partition", tp.partition},
                                          {"offset", plan->offset},
                                          {"failed_attempts", streak}});
  }
  ++stats_.commits;
  metrics_.commits.inc();
  metrics_.partition(tp.topic, tp.partition).last_commit_timestamp.set_to_current_time();
  log::debug("offsets committed", {{"topic", tp.topic},
                                   {"partition", tp.partition},
                                   {"offset", plan->offset},
                                   {"journal", plan->metadata}});
  // Progress made while this commit was in flight goes out next.
  schedule_commit(handle);
  co_return true;
}

asio::awaitable<void> Pipeline::on_revoked(std::span<const kafka::TopicPartition> partitions) {
  std::vector<std::shared_ptr<PartitionRuntime>> handles;
  for (const kafka::TopicPartition& tp : partitions) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    it->second->phase = PartitionPhase::revoking;
    abort_open(*it->second);  // first, for every partition: records of the open segment replay
    it->second->changed.notify_all();
    handles.push_back(it->second);
  }
  for (auto& handle : handles) co_await revoke_one(handle);
  metrics_.rebalances.with({"revoked"}).inc();
  metrics_.assigned_partitions.set(static_cast<double>(partitions_.size()));
}

asio::awaitable<void> Pipeline::revoke_one(std::shared_ptr<PartitionRuntime> handle) {
  const kafka::TopicPartition tp = handle->state.tp();
  const SteadyTime deadline = std::chrono::steady_clock::now() + config_.shutdown_deadline;
  // Closed segments' objects may wait for the journal: get it acknowledged, or abort them.
  co_await handle->changed.wait_until([&] { return !handle->state.commit_in_flight(); });
  if (handle->state.commit_due() && consumer_ && !co_await commit_now(handle)) {
    handle->phase = PartitionPhase::journal_lost;
    handle->changed.notify_all();
  }
  // "incremental_unassign waits until that partition's in-flight Complete requests have
  // settled, so two instances never race on one key" (docs/DESIGN.md).
  bool settled = co_await wait_with_deadline(
      executor_, handle->changed,
      [&] {
        return handle->live.empty() && handle->state.dead_letters_in_flight() == 0 &&
               (handle->phase == PartitionPhase::journal_lost ||
                handle->state.manifests_pending() == 0);
      },
      deadline);
  if (!settled) {
    // Dead letters still in flight cannot be recalled: their segments stay uncommitted, and
    // the next owner consumes (and dead-letters) those records again.
    log::warn(
        "objects still uploading or dead letters unacknowledged at the revoke deadline: "
        "aborting the objects",
        {{"topic", tp.topic},
         {"partition", tp.partition},
         {"dead_letters_in_flight", handle->state.dead_letters_in_flight()}});
    abort_live(*handle);
    co_await handle->changed.wait_until([&] { return handle->live.empty(); });
  }
  co_await handle->changed.wait_until([&] { return !handle->state.commit_in_flight(); });
  if (handle->state.commit_due() && consumer_) co_await commit_now(handle);
  log::info("partition revoked", {{"topic", tp.topic},
                                  {"partition", tp.partition},
                                  {"committed_offset", handle->state.committed_position()}});
  auto it = partitions_.find(tp);
  if (it != partitions_.end() && it->second == handle) partitions_.erase(it);
  metrics_.forget_partition(tp.topic, tp.partition);
}

bool Pipeline::all_settled() const {
  for (const auto& [tp, handle] : partitions_) {
    if (!handle->live.empty() || handle->state.commit_in_flight()) return false;
    if (handle->state.commit_due() && consumer_) return false;
    if (handle->state.dead_letters_in_flight() > 0) return false;  // awaited like uploads
    // A segment without objects is committed past only once its manifest is written.
    if (handle->phase != PartitionPhase::journal_lost && handle->state.manifests_pending() > 0)
      return false;
  }
  return true;
}

asio::awaitable<bool> Pipeline::drain(std::chrono::milliseconds deadline_after) {
  const SteadyTime deadline = std::chrono::steady_clock::now() + deadline_after;
  const bool cut = !failure_ || failure_->cut_on_drain;
  phase_ = Phase::draining;
  if (consumer_) consumer_->pause_all();
  for (auto& [tp, handle] : partitions_) {
    if (!handle->active()) continue;
    // Cut before the first record not consumed (after a bad record under the fail policy, that
    // record: it is consumed again at the next start). After an S3 failure nothing new is cut.
    if (!cut || !moment_cut(handle, CutReason::shutdown)) abort_open(*handle);
    schedule_commit(handle);
  }
  bool settled = co_await wait_with_deadline(
      executor_, settled_, [this] { return all_settled(); }, deadline);
  if (!settled) {
    log::error("shutdown deadline reached: aborting objects still uploading",
               {{"deadline_ms", deadline_after.count()}});
    for (auto& [tp, handle] : partitions_) abort_live(*handle);
    // Only the aborts (S3 requests) are awaited, briefly: a commit still in flight is typically
    // one Kafka does not answer (unreachable), and the final revoke waits for it within its own
    // limit (server/app/stop_budget.hpp).
    co_await wait_with_deadline(
        executor_, settled_,
        [this] {
          for (const auto& [tp, handle] : partitions_) {
            if (!handle->live.empty()) return false;
          }
          return true;
        },
        std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }
  co_return settled;
}

}  // namespace ks3::server

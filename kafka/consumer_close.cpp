// Leaving the group (Consumer::close) and destroying the librdkafka handle, both bounded.
//
// close(limit) runs librdkafka's close on the consumer queue (rd_kafka_consumer_close_queue; the
// queue keeps being served until rd_kafka_consumer_closed()): the final revoke goes through the
// listener (which commits what is durable), then librdkafka commits nothing itself and sends
// LeaveGroup. With Kafka unreachable the revoke's commit never answers, so close() gives up at
// its limit: a warning names what it was waiting for, the assignment is dropped (the
// application's answer to the revoke, which librdkafka's group handler otherwise waits for for
// ever, also in rd_kafka_destroy), and close() completes with closed() false. The listener's
// revoke is abandoned: when it returns (its commit fails once the handle is destroyed) nothing is
// unassigned again. What was durable but not committed is consumed again by the next owner and
// lands on the same keys (the cut journal and the manifests, docs/DESIGN.md).
//
// Destroying a handle that did not close (close gave up, or was never called) still waits in
// librdkafka for the group handler to terminate: unanswered commits and the LeaveGroup request
// (bounded only by socket.timeout.ms and session.timeout.ms). That wait runs on a thread of its
// own; after ConsumerConfig::destroy_wait it is left behind with a warning (the process exits
// without it), so a stop never waits on it longer than that.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <future>
#include <thread>

#include "kafka/consumer_impl.hpp"
#include "metrics/log.hpp"

namespace ks3::kafka {

namespace {
std::atomic<bool> left_behind{false};
}  // namespace

bool threads_left_behind() {
  return left_behind.load();
}

asio::awaitable<void> ConsumerImpl::close(std::chrono::milliseconds limit) {
  if (stopped_ || close_over()) co_return;
  if (close_state_ == CloseState::open) {
    close_state_ = CloseState::closing;
    log::info("kafka consumer closing", {{"group", config_.group_id}});
    owner_timer_.cancel();
    if (limit != std::chrono::milliseconds::max()) {
      close_limit_.expires_after(limit);
      close_limit_.async_wait([weak = weak_from_this(), limit](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->give_up_close(limit);
      });
    }
    asio::co_spawn(executor_, run_close(shared_from_this()), fatal_on_exception("closing"));
  }
  // run_close may have run to its end inline (nothing to revoke, librdkafka closed at once).
  if (stopped_ || close_over()) co_return;
  auto self = shared_from_this();
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&](auto handler) {
        close_waiters_.push_back(std::move(handler));
        maybe_finish_close();
      },
      asio::use_awaitable);
}

// `self` keeps the state alive while the coroutine runs.
asio::awaitable<void> ConsumerImpl::run_close([[maybe_unused]] std::shared_ptr<ConsumerImpl> self) {
  if (is_static() && started_) {
    // No group: librdkafka's close would drop the assignment without a revoke callback.
    // Revoke first, as a rebalance does: the listener commits what is durable (the owner tag
    // says "released", so a successor may take the partitions over at once).
    RebalanceEvent revoke;
    revoke.revoke_all = true;
    queue_rebalance(std::move(revoke));
    co_await settle_rebalances();
    if (stopped_ || gave_up_close()) co_return;
    co_await release_partitions();
    if (stopped_ || gave_up_close()) co_return;
  }
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk_, queue_)) {
    log::error("kafka consumer close failed", {{"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }
  if (!started_) {
    started_ = true;
    asio::co_spawn(executor_, serve(shared_from_this()), fatal_on_exception("serving the queue"));
  }
  maybe_finish_close();
}

void ConsumerImpl::give_up_close(std::chrono::milliseconds limit) {
  if (stopped_ || close_state_ != CloseState::closing) return;
  close_state_ = CloseState::abandoned;
  // What the close was still waiting for: the listener's final revoke (typically its commit of
  // what is durable, unanswered while Kafka is unreachable), a commit, or librdkafka's leave.
  const char* waiting_for = rebalancing_                ? "the final revoke (its commit)"
                            : !pending_commits_.empty() ? "a commit"
                                                        : "librdkafka leaving the group";
  log::warn(
      "kafka: leaving the group did not finish in time: giving up (what is durable but not "
      "committed is consumed again at the next start, onto the same keys)",
      {{"group", config_.group_id},
       {"limit_ms", static_cast<std::int64_t>(limit.count())},
       {"waiting_for", waiting_for},
       {"commits_unanswered", static_cast<std::uint64_t>(pending_commits_.size())}});
  drop_assignment();
  for (auto& waiter : close_waiters_) {
    asio::post(executor_, [waiter = std::move(waiter)]() mutable { std::move(waiter)(); });
  }
  close_waiters_.clear();
}

void ConsumerImpl::drop_assignment() {
  rd_kafka_topic_partition_list_t* current = nullptr;
  if (rd_kafka_assignment(rk_, &current) != RD_KAFKA_RESP_ERR_NO_ERROR) current = nullptr;
  PartitionList held(current);
  const char* protocol = rd_kafka_rebalance_protocol(rk_);
  if (protocol && std::strcmp(protocol, "COOPERATIVE") == 0) {
    if (held && held->cnt > 0) {
      if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, held.get())) {
        rd_kafka_error_destroy(error);
      }
    }
  } else {
    // Eager and static (no protocol): also answers a revoke whose partitions are gone already.
    rd_kafka_assign(rk_, nullptr);
  }
  assignment_.clear();
  active_.clear();
  changed_assignment();
}

void ConsumerImpl::maybe_finish_close() {
  if (stopped_ || has_left() || !close_begun() || !rd_kafka_consumer_closed(rk_)) return;
  // An abandoned revoke no longer holds the close (its partitions were dropped).
  if (rebalancing_ && !gave_up_close()) return;
  close_state_ = gave_up_close() ? CloseState::abandoned_left : CloseState::left;
  joined_ = false;
  log::info("kafka consumer closed", {{"group", config_.group_id}});
  for (auto& waiter : close_waiters_) {
    asio::post(executor_, [waiter = std::move(waiter)]() mutable { std::move(waiter)(); });
  }
  close_waiters_.clear();
  tick_.cancel();
  close_limit_.cancel();
}

void ConsumerImpl::destroy_handle() {
  if (has_left()) {
    rd_kafka_destroy(rk_);
    return;
  }
  drop_assignment();
  rd_kafka_t* rk = rk_;
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  // Only the handle crosses over: with RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE librdkafka calls no
  // callback of ours while destroying (logs, errors and stats are queued, not delivered).
  std::thread destroyer([rk, done] {
    rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    done->set_value();
  });
  if (finished.wait_for(config_.destroy_wait) == std::future_status::ready) {
    destroyer.join();
    return;
  }
  destroyer.detach();
  left_behind.store(true);
  log::warn(
      "kafka: librdkafka did not finish destroying the consumer in time: leaving it behind "
      "(it waits for unanswered requests to the group coordinator)",
      {{"group", config_.group_id},
       {"waited_ms", static_cast<std::int64_t>(config_.destroy_wait.count())}});
}

}  // namespace ks3::kafka

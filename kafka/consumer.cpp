#include "kafka/consumer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "kafka/consumer_impl.hpp"
#include "kafka/errors.hpp"
#include "kafka/librdkafka_log.hpp"
#include "metrics/exception_message.hpp"
#include "metrics/log.hpp"

namespace ks3::kafka {
namespace {

using namespace boost::asio::experimental::awaitable_operators;

ConsumerImpl* impl_of(rd_kafka_t* rk) {
  return static_cast<ConsumerImpl*>(rd_kafka_opaque(rk));
}

// librdkafka's errors (connection refused, ...), reported to the listener, which decides what they
// mean (its log lines go through forward_librdkafka_log as diagnostics).
void consumer_error_cb(rd_kafka_t* rk, int err, const char* reason, void*) {
  ConsumerError error{make_rdkafka_error(err), false, reason, std::nullopt};
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // "The application should use rd_kafka_fatal_error() to extract the actual underlying error
    // code and description, propagate it to the user (for troubleshooting), and then
    // terminate the client instance."
    char text[512];
    error.code = make_rdkafka_error(rd_kafka_fatal_error(rk, text, sizeof text));
    error.fatal = true;
    error.message = text;
  }
  impl_of(rk)->report_error(std::move(error));
}

int stats_cb(rd_kafka_t* rk, char* json, size_t json_len, void*) {
  auto* self = impl_of(rk);
  asio::post(self->executor_, [weak = self->weak_from_this(), text = std::string(json, json_len)] {
    if (auto self = weak.lock(); self && !self->stopped_) self->listener_.on_statistics(text);
  });
  return 0;  // librdkafka frees the JSON
}

void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                  rd_kafka_topic_partition_list_t* partitions, void*) {
  impl_of(rk)->on_rebalance(err, partitions);
}

void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
               void* opaque) {
  // The request-level error, else the first partition-level one.
  for (int i = 0; !err && offsets && i < offsets->cnt; ++i) err = offsets->elems[i].err;
  impl_of(rk)->complete_commit(reinterpret_cast<std::uintptr_t>(opaque), make_rdkafka_error(err));
}

rd_kafka_conf_t* make_conf(const ConsumerConfig& config) {
  auto properties = effective_properties(config);  // may throw: before anything is allocated
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) ==
        RD_KAFKA_CONF_OK) {
      continue;
    }
    rd_kafka_conf_destroy(conf);
    // librdkafka's message may quote the value: not for a secret.
    std::string why = is_secret_property(name) ? "invalid value (not shown: secret)" : errstr;
    throw ConfigError("kafka: librdkafka property " + name + ": " + why +
                      " (see librdkafka's CONFIGURATION.md for the valid properties)");
  }
  rd_kafka_conf_set_log_cb(conf, forward_librdkafka_log);
  rd_kafka_conf_set_error_cb(conf, consumer_error_cb);
  rd_kafka_conf_set_stats_cb(conf, stats_cb);
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
  return conf;
}

}  // namespace

PartitionList make_partition_list(std::span<const TopicPartition> partitions) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

std::vector<TopicPartition> to_partitions(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; list && i < list->cnt; ++i) {
    out.push_back(TopicPartition{list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

std::string describe(std::span<const TopicPartition> partitions) {
  std::string out;
  for (const auto& tp : partitions) out += (out.empty() ? "" : ",") + to_string(tp);
  return out.empty() ? "(none)" : out;
}

ConsumerImpl::ConsumerImpl(asio::any_io_executor executor, const ConsumerConfig& config,
                           ConsumerListener& listener)
    : executor_(executor),
      config_(config),
      listener_(listener),
      wake_(executor),
      tick_(executor),
      close_limit_(executor),
      owner_timer_(executor) {
  subscription(config_);  // validates the topics before anything is created
  if (is_static()) owner_ = initial_owner_tag(config_);
  rd_kafka_conf_t* conf = make_conf(config_);
  {
    auto effective = effective_properties(config_);
    start_without_commit_ = start_without_commit(effective);
    wakeup_mode_ = config_.fetch_wakeup
                       ? fetch_wakeup_mode(rd_kafka_version(), {effective.begin(), effective.end()})
                       : FetchWakeupMode{FetchWakeupMode::Kind::not_needed, {}, "turned off"};
  }
  rd_kafka_conf_set_opaque(conf, this);
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw ConfigError(std::string("kafka: cannot create the consumer: ") + errstr);
  }
  // Serve the main queue (errors, stats), the logs and the consumer's events from one queue.
  rd_kafka_poll_set_consumer(rk_);
  rd_kafka_set_log_queue(rk_, nullptr);
  queue_ = rd_kafka_queue_get_consumer(rk_);

  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    std::string why = std::strerror(errno);
    rd_kafka_queue_destroy(queue_);
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    throw ConfigError("kafka: cannot create the consumer's wake-up pipe: " + why);
  }
  wake_.assign(fds[0]);
  wake_write_fd_ = fds[1];
  // "librdkafka will write payload to fd whenever a new element is enqueued on a previously
  // empty queue" (rdkafka.h): one byte is enough to wake the loop.
  rd_kafka_queue_io_event_enable(queue_, wake_write_fd_, "1", 1);
}

ConsumerImpl::~ConsumerImpl() {
  shutdown();
}

void ConsumerImpl::start() {
  if (started_ || stopped_) return;
  started_ = true;
  if (is_static()) {
    start_static();
    return;
  }
  auto topics = subscription(config_);
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(rk_, list.get())) {
    report_error({make_rdkafka_error(err), true, "cannot subscribe to the topics", std::nullopt});
  }
  std::string names;
  for (const auto& topic : topics) names += (names.empty() ? "" : ",") + topic;
  log::info("kafka consumer started", {{"group", config_.group_id}, {"subscription", names}});
  if (wakeup_mode_.kind == FetchWakeupMode::Kind::unavailable) {
    log::warn("kafka: no fetch wake-up; librdkafka " + std::string(rd_kafka_version_str()) +
                  " may idle up to 1 s each time its queue fills (raise "
                  "queued.max.messages.kbytes/queued.min.messages to compensate)",
              {{"why", wakeup_mode_.why}});
  }
  asio::co_spawn(executor_, serve(shared_from_this()), fatal_on_exception("serving the queue"));
}

// `self` keeps the state alive while the coroutine runs.
asio::awaitable<void> ConsumerImpl::serve([[maybe_unused]] std::shared_ptr<ConsumerImpl> self) {
  while (!stopped_ && !has_left()) {
    tick_.expires_after(config_.maintenance_interval);
    co_await (wake_.async_wait(asio::posix::stream_descriptor::wait_read,
                               asio::as_tuple(asio::use_awaitable)) ||
              tick_.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (stopped_) break;
    // Empty the pipe before draining: a byte written after this read means "non-empty again".
    char buffer[256];
    while (::read(wake_.native_handle(), buffer, sizeof buffer) > 0) {
    }
    co_await drain();
    // The queue is empty now: a broker thread that stopped at the thresholds may fetch again.
    // After every pass, even one that found only logs or events: they count against
    // queued.min.messages as well.
    wake_fetchers();
    maybe_finish_close();
  }
}

asio::awaitable<void> ConsumerImpl::drain() {
  std::size_t this_turn = 0;
  while (!stopped_) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk_, 0);
    if (!message) break;
    deliver(message);
    rd_kafka_message_destroy(message);
    if (++this_turn >= config_.max_records_per_turn) {
      this_turn = 0;
      listener_.on_records_delivered();
      // The queue just shrank by a turn's records: let a broker thread that stopped at the
      // queue thresholds fetch again now, while the rest is delivered.
      wake_fetchers();
      co_await asio::post(executor_, asio::use_awaitable);  // let timers, HTTP, S3 run
    }
  }
  if (this_turn > 0) listener_.on_records_delivered();
}

void ConsumerImpl::deliver(const rd_kafka_message_t* message) {
  if (message->err) {
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    ConsumerError error{make_rdkafka_error(message->err), false, rd_kafka_message_errstr(message),
                        std::nullopt};
    if (message->rkt)
      error.partition = TopicPartition{rd_kafka_topic_name(message->rkt), message->partition};
    listener_.on_error(error);
    return;
  }
  if (!is_active(message)) {
    ++counters_.dropped_records;
    return;
  }
  ++counters_.records;
  listener_.on_record(
      Record::from_message(message, rd_kafka_topic_name(message->rkt), &header_scratch_));
}

bool ConsumerImpl::is_active(const rd_kafka_message_t* message) {
  if (message->rkt != cached_topic_ || message->partition != cached_partition_ ||
      assignment_version_ != cached_version_) {
    cached_topic_ = message->rkt;
    cached_partition_ = message->partition;
    cached_version_ = assignment_version_;
    cached_active_ =
        active_.contains(TopicPartitionRef{rd_kafka_topic_name(message->rkt), message->partition});
  }
  return cached_active_;
}

std::function<void(std::exception_ptr)> ConsumerImpl::fatal_on_exception(std::string what) {
  return [weak = weak_from_this(), what = std::move(what)](std::exception_ptr error) {
    if (!error) return;
    const std::string message = log::exception_message(error);
    log::error("kafka consumer: unexpected exception", {{"in", what}, {"error", message}});
    if (auto self = weak.lock()) {
      self->report_error({make_error_code(Errc::unexpected_exception), true,
                          what + " threw: " + message, std::nullopt});
    }
  };
}

void ConsumerImpl::report_error(ConsumerError error) {
  // Errors come from inside rd_kafka_consumer_poll: hand them over from a fresh handler so the
  // listener may call back into the consumer.
  asio::post(executor_, [weak = weak_from_this(), error = std::move(error)] {
    if (auto self = weak.lock(); self && !self->stopped_) self->listener_.on_error(error);
  });
}

asio::awaitable<boost::system::error_code> ConsumerImpl::commit(std::vector<CommitOffset> offsets) {
  if (stopped_ || has_left()) co_return make_error_code(Errc::consumer_closed);
  if (offsets.empty()) co_return boost::system::error_code{};
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  // Static assignment: every commit says who made it (partition_owner.hpp).
  const std::string owner = is_static() ? owner_prefix() : std::string();
  for (const auto& offset : offsets) {
    auto* element =
        rd_kafka_topic_partition_list_add(list.get(), offset.tp.topic.c_str(), offset.tp.partition);
    element->offset = offset.next_offset;
    const std::string metadata = owner + offset.metadata;
    if (!metadata.empty()) {
      // The list owns the metadata and frees it with free().
      element->metadata = std::malloc(metadata.size());
      std::memcpy(element->metadata, metadata.data(), metadata.size());
      element->metadata_size = metadata.size();
    }
  }
  std::uint64_t id = next_commit_id_++;
  auto self = shared_from_this();
  // as_tuple: the error is a result here, not an exception.
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [ec] = co_await asio::async_initiate<decltype(token), void(boost::system::error_code)>(
      [&](auto handler) {
        pending_commits_.emplace(id, std::move(handler));
        // The result is posted on the consumer queue and served by the drain, which calls
        // commit_cb (rd_kafka_commit_queue: "the cb is required" with the poll APIs).
        auto err = rd_kafka_commit_queue(rk_, list.get(), queue_, commit_cb,
                                         reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
        if (err) complete_commit(id, make_rdkafka_error(err));
      },
      token);
  if (is_static() && !stopped_) {
    if (!ec) {
      for (const auto& offset : offsets) {
        owner_acked_[offset.tp] = {offset.next_offset, offset.metadata, close_begun()};
      }
    } else if (ec == make_rdkafka_error(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) ||
               ec == make_rdkafka_error(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)) {
      // A commit without a generation is refused while the group has members: a consumer-group
      // member uses the same group id and consumes (some of) these partitions too.
      std::vector<TopicPartition> partitions;
      for (const auto& offset : offsets) partitions.push_back(offset.tp);
      report_error({make_error_code(Errc::partition_owner_conflict), true,
                    "the commit of " + describe(partitions) + " to group " + config_.group_id +
                        " was refused (" + ec.message() +
                        "): a consumer-group member uses the same group id; a static instance "
                        "(kafka.assign) needs a group id no consumer group joins",
                    std::nullopt});
    }
  }
  co_return ec;
}

void ConsumerImpl::complete_commit(std::uint64_t id, boost::system::error_code ec) {
  auto it = pending_commits_.find(id);
  if (it == pending_commits_.end()) return;
  auto handler = std::move(it->second);
  pending_commits_.erase(it);
  ++(ec ? counters_.commit_failures : counters_.commits);
  // The caller (the pipeline) logs a failure streak once; here only at debug level.
  if (ec) log::debug("kafka commit failed", {{"error", ec.message()}});
  asio::post(executor_, [handler = std::move(handler), ec]() mutable { std::move(handler)(ec); });
}

void ConsumerImpl::pause(std::span<const TopicPartition> partitions) {
  std::vector<TopicPartition> assigned;
  for (const auto& tp : partitions) {
    paused_.insert(tp);
    if (assignment_.contains(tp)) assigned.push_back(tp);
  }
  if (assigned.empty() || stopped_) return;
  auto list = make_partition_list(assigned);
  rd_kafka_pause_partitions(rk_, list.get());
}

void ConsumerImpl::resume(std::span<const TopicPartition> partitions) {
  std::vector<TopicPartition> assigned;
  for (const auto& tp : partitions) {
    // Only partitions paused here: in librdkafka 2.0 resuming a partition that is not paused
    // still restarts its fetch at the position of the last assign/seek/pause, which would
    // deliver records again.
    if (paused_.erase(tp) == 0) continue;
    if (assignment_.contains(tp)) assigned.push_back(tp);
  }
  if (assigned.empty() || stopped_) return;
  auto list = make_partition_list(assigned);
  rd_kafka_resume_partitions(rk_, list.get());
  // The resume op is served by librdkafka's main thread; the broker thread would see it only at
  // its next wake-up, up to a second later.
  wake_fetchers();
}

void ConsumerImpl::wake_fetchers() {
  if (wakeup_mode_.kind != FetchWakeupMode::Kind::wake || stopped_) return;
  const auto& c = wakeup_mode_.credentials;
  if (rd_kafka_error_t* error =
          rd_kafka_sasl_set_credentials(rk_, c.username.c_str(), c.password.c_str())) {
    // Not expected (only NULL arguments are refused); stop trying rather than log per batch.
    log::warn("kafka: the fetch wake-up failed; librdkafka may idle up to 1 s when its queue fills",
              {{"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
    wakeup_mode_.kind = FetchWakeupMode::Kind::unavailable;
    return;
  }
  ++counters_.fetch_wakeups;
}

void ConsumerImpl::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  tick_.cancel();
  owner_timer_.cancel();
  wake_.cancel(ignored);
  close_limit_.cancel();
  blocking_.join();  // a read of committed offsets may still be running on it
  rd_kafka_queue_io_event_enable(queue_, -1, nullptr, 0);
  rd_kafka_queue_destroy(queue_);
  destroy_handle();
  rk_ = nullptr;
  wake_.close(ignored);
  ::close(wake_write_fd_);
  for (auto& [id, handler] : pending_commits_) {
    asio::post(executor_, [handler = std::move(handler)]() mutable {
      std::move(handler)(make_error_code(Errc::consumer_closed));
    });
  }
  pending_commits_.clear();
  for (auto& waiter : close_waiters_) {
    asio::post(executor_, [waiter = std::move(waiter)]() mutable { std::move(waiter)(); });
  }
  close_waiters_.clear();
  for (auto& waiter : rebalance_waiters_) {
    asio::post(executor_, [waiter = std::move(waiter)]() mutable { std::move(waiter)(); });
  }
  rebalance_waiters_.clear();
}

// ---- Consumer: the public handle ----

Consumer::Consumer(asio::any_io_executor executor, const ConsumerConfig& config,
                   ConsumerListener& listener)
    : impl_(std::make_shared<ConsumerImpl>(executor, config, listener)) {}

Consumer::~Consumer() {
  impl_->shutdown();
}

void Consumer::start() {
  impl_->start();
}

asio::awaitable<std::optional<std::string>> Consumer::resolve_static_assignment() {
  auto impl = impl_;
  co_return co_await impl->resolve_static_assignment();
}

asio::awaitable<boost::system::error_code> Consumer::commit(std::vector<CommitOffset> offsets) {
  auto impl = impl_;
  co_return co_await impl->commit(std::move(offsets));
}

asio::awaitable<boost::system::error_code> Consumer::commit(TopicPartition tp,
                                                            std::int64_t next_offset,
                                                            std::string metadata) {
  std::vector<CommitOffset> offsets;
  offsets.push_back(CommitOffset{std::move(tp), next_offset, std::move(metadata)});
  auto impl = impl_;
  co_return co_await impl->commit(std::move(offsets));
}

void Consumer::pause(std::span<const TopicPartition> partitions) {
  impl_->pause(partitions);
}
void Consumer::resume(std::span<const TopicPartition> partitions) {
  impl_->resume(partitions);
}

void Consumer::pause_all() {
  std::vector<TopicPartition> all(impl_->assignment_.begin(), impl_->assignment_.end());
  impl_->pause(all);
}

void Consumer::resume_all() {
  std::vector<TopicPartition> all(impl_->paused_.begin(), impl_->paused_.end());
  impl_->resume(all);
}

std::vector<TopicPartition> Consumer::assignment() const {
  return {impl_->assignment_.begin(), impl_->assignment_.end()};
}

std::optional<PartitionProgress> Consumer::progress(const TopicPartition& tp) const {
  if (impl_->stopped_ || !impl_->assignment_.contains(tp)) return std::nullopt;
  PartitionProgress progress;
  std::int64_t low = 0;
  std::int64_t high = 0;
  // Cached from the last fetch response: no broker round trip.
  if (!rd_kafka_get_watermark_offsets(impl_->rk_, tp.topic.c_str(), tp.partition, &low, &high) &&
      high >= 0) {
    progress.high_watermark = high;
  }
  auto list = make_partition_list(std::span(&tp, 1));
  if (!rd_kafka_position(impl_->rk_, list.get()) && list->elems[0].offset >= 0) {
    progress.position = list->elems[0].offset;
  }
  if (progress.high_watermark >= 0 && progress.position >= 0) {
    progress.lag = std::max<std::int64_t>(0, progress.high_watermark - progress.position);
  }
  return progress;
}

bool Consumer::joined() const {
  return impl_->joined_;
}

std::string Consumer::rebalance_protocol() const {
  const char* protocol = impl_->stopped_ ? nullptr : rd_kafka_rebalance_protocol(impl_->rk_);
  return protocol ? protocol : "NONE";
}

const ConsumerCounters& Consumer::counters() const {
  return impl_->counters_;
}

asio::awaitable<void> Consumer::close(std::chrono::milliseconds limit) {
  auto impl = impl_;
  co_await impl->close(limit);
}

bool Consumer::closed() const {
  return impl_->has_left();
}

bool Consumer::close_abandoned() const {
  return impl_->gave_up_close();
}

}  // namespace ks3::kafka

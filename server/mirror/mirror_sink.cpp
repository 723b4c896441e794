#include "server/mirror/mirror_sink.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kafka/errors.hpp"
#include "metrics/exception_message.hpp"
#include "metrics/log.hpp"

namespace ks3::server {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kTick = 200ms;
// At most one commit per partition this often while running: a request completes every few
// milliseconds, and a commit per completion would load the group coordinator for nothing. A
// revoke, a drain or a stop commits at once.
constexpr auto kCommitInterval = 200ms;
// What a waiting request costs besides its body (key, bookkeeping), for the memory bound.
constexpr std::uint64_t kRequestOverhead = 256;

std::string_view operation_of(MirrorAction action) {
  return action == MirrorAction::remove ? "DeleteObject" : "PutObject";
}

}  // namespace

MirrorSink::MirrorSink(asio::any_io_executor executor, const SinkConfig& config, s3::Client& client,
                       metrics::SinkMetrics& metrics)
    : executor_(executor),
      config_(config),
      client_(client),
      metrics_(metrics),
      key_log_(config.mirror.key_log && config.mirror.key_map_size > 0),
      reader_(config),
      planner_(static_cast<std::size_t>(config.mirror.key_map_size), config.mirror.deletes,
               key_log_),
      max_in_flight_(std::max<std::size_t>(1, config.s3.client.max_connections)),
      kafka_prefetch_bytes_(kafka_prefetch_bytes(config.kafka)),
      tick_timer_(executor),
      settled_(executor) {
  const auto& fields = config.format.fields;
  needs_headers_ =
      config.bad_records.policy == BadRecordPolicy::dead_letter ||
      (config.mirror.body == MirrorBody::envelope &&
       std::find(fields.begin(), fields.end(), EnvelopeField::headers) != fields.end());
  metrics_.memory_budget_limit_bytes.set(static_cast<double>(config.memory.high_watermark));
  if (key_log_) {
    // Bookkeeping under _ks3/, like the cut manifests: encrypted as the bucket may require, no
    // storage class, tags or metadata (README, "Object settings").
    own_key_store_ = std::make_unique<S3ManifestStore>(client, config.s3.client.bucket,
                                                       s3::encryption_only(config.s3.objects));
    key_store_ = own_key_store_.get();
  }
}

MirrorSink::~MirrorSink() {
  *alive_ = false;
}

void MirrorSink::start() {
  asio::co_spawn(executor_, tick_loop(alive_), on_exception("the mirror tick"));
}

void MirrorSink::stop() {
  phase_ = Phase::stopped;
  tick_timer_.cancel();
}

std::int64_t MirrorSink::committed_offset(const kafka::TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? -1 : it->second.committed;
}

MirrorSink::PartitionHandle* MirrorSink::find(std::string_view topic, std::int32_t partition) {
  auto it = partitions_.find(kafka::TopicPartition{std::string(topic), partition});
  return it == partitions_.end() ? nullptr : &it->second;
}

void MirrorSink::on_assigned(std::span<const kafka::AssignedPartition> partitions) {
  std::vector<std::pair<kafka::TopicPartition, std::uint64_t>> loading;
  for (const kafka::AssignedPartition& assigned : partitions) {
    PartitionHandle handle;
    handle.id =
        planner_.assign(assigned.tp.topic, assigned.tp.partition, assigned.committed_offset);
    handle.committed = assigned.committed_offset;
    handle.loading = key_log_;
    if (handle.loading) loading.emplace_back(assigned.tp, handle.id);
    partitions_[assigned.tp] = handle;
    metrics_.partition(assigned.tp.topic, assigned.tp.partition);
    log::info("partition assigned", {{"mode", "mirror"},
                                     {"topic", assigned.tp.topic},
                                     {"partition", assigned.tp.partition},
                                     {"committed_offset", assigned.committed_offset}});
  }
  metrics_.rebalances.with({"assigned"}).inc();
  metrics_.assigned_partitions.set(static_cast<double>(partitions_.size()));
  if (consumer_ && (paused_ || phase_ != Phase::running)) consumer_->pause_all();
  // Paused from on_assigned, a partition starts paused: no record before its key map is read.
  for (auto& [tp, id] : loading) {
    if (consumer_) consumer_->pause(tp);
    asio::co_spawn(executor_, load_key_log(tp, id),
                   on_exception("reading the mirror key log of " + tp.topic + "/" +
                                std::to_string(tp.partition)));
  }
}

void MirrorSink::on_error(const kafka::ConsumerError& error) {
  metrics_.kafka_errors.with({kafka::error_name(error.code)}).inc();
  if (error.fatal) {
    fail("fatal Kafka consumer error: " + error.message);
    return;
  }
  log::warn("kafka consumer error",
            {{"error", error.message}, {"code", kafka::error_name(error.code)}});
}

void MirrorSink::on_record(const kafka::Record& record) {
  if (phase_ != Phase::running) return;  // not consumed: never committed
  PartitionHandle* handle = find(record.topic, record.partition);
  if (handle && handle->loading) {
    // Paused until its key map is read: planned now, the record could miss its document's
    // previous object. Not consumed (never committed): the next start reads it again.
    fail("a record of " + std::string(record.topic) + "/" + std::to_string(record.partition) +
         " at offset " + std::to_string(record.offset) +
         " arrived before the partition's mirror key map was read");
    return;
  }
  if (!handle || handle->revoking) return;
  const RecordView view = view_of(record, needs_headers_);
  ++stats_.records;
  auto tally = consumed_.find(record.topic);
  if (tally == consumed_.end())
    tally = consumed_.emplace(std::string(record.topic), std::pair<std::uint64_t, std::uint64_t>{})
                .first;
  ++tally->second.first;
  tally->second.second += payload_bytes(record);
  try {
    auto read = reader_.read(view);
    if (auto* bad = std::get_if<MirrorBadRecord>(&read)) {
      handle_bad_record(handle->id, view, bad->message);
      return;
    }
    auto& change = std::get<MirrorChange>(read);
    if (!record.value) metrics_.tombstones.with({record.topic, "deleted"}).inc();
    count_outcome(record.topic, planner_.add(handle->id, record.offset, std::move(change)));
  } catch (const std::exception& e) {
    fail("unexpected error on the mirror's record path at " + record_position(view) + ": " +
         e.what());
  }
}

void MirrorSink::count_outcome(std::string_view topic, const MirrorPlanOutcome& outcome) {
  if (outcome.coalesced > 0) metrics_.mirror_coalesced.with({topic}).inc(outcome.coalesced);
  if (outcome.moved) metrics_.mirror_moves.with({topic}).inc();
  if (outcome.unresolved) metrics_.mirror_unresolved_deletes.with({topic}).inc();
}

void MirrorSink::handle_bad_record(std::uint64_t partition_id, const RecordView& record,
                                   const std::string& error) {
  const std::string_view reason = "invalid_document";
  switch (config_.bad_records.policy) {
    case BadRecordPolicy::fail:
      metrics_.records_failed.with({record.topic, reason}).inc();
      fail(error + " (bad_records.policy is 'fail')");
      return;
    case BadRecordPolicy::skip:
      metrics_.records_skipped.with({record.topic, reason}).inc();
      log::warn("bad record skipped", {{"record", record_position(record)}, {"error", error}});
      planner_.add(partition_id, record.offset, MirrorChange{});
      return;
    case BadRecordPolicy::dead_letter:
      metrics_.records_dead_lettered.with({record.topic, reason}).inc();
      planner_.add(partition_id, record.offset, reader_.dead_letter(record, error));
      return;
  }
}

void MirrorSink::on_records_delivered() {
  for (auto& [topic, tally] : consumed_) {
    if (tally.first == 0) continue;
    metrics::TopicMetrics t = metrics_.topic(topic);
    t.records_consumed.inc(tally.first);
    t.bytes_consumed.inc(tally.second);
    tally = {};
  }
  dispatch();
  for (const auto& [tp, handle] : partitions_) schedule_commit(tp);
}

void MirrorSink::dispatch() {
  // After a failure nothing new starts: the sink stops and commits only what is durable.
  while (phase_ != Phase::failed && phase_ != Phase::stopped && in_flight_ < max_in_flight_) {
    std::optional<MirrorRequest> request = planner_.next_request();
    if (!request) break;
    ++in_flight_;
    // A document PUT is a single-request upload (the pipeline's gauge of parts in flight).
    if (request->action != MirrorAction::remove) metrics_.parts_in_flight.inc();
    asio::co_spawn(executor_, send(std::move(*request)), on_exception("a mirror request"));
  }
  metrics_.mirror_pending_requests.set(
      static_cast<double>(planner_.waiting_requests() + planner_.in_flight_requests()));
  if (const std::uint64_t evictions = planner_.key_map().evictions();
      evictions > evictions_reported_) {
    metrics_.mirror_key_map_evictions.inc(evictions - evictions_reported_);
    evictions_reported_ = evictions;
  }
  apply_backpressure();
}

asio::awaitable<void> MirrorSink::send(MirrorRequest request) {
  auto alive = std::weak_ptr<bool>(alive_);
  const std::string& bucket = config_.s3.client.bucket;
  std::optional<std::string> error;
  if (request.action == MirrorAction::remove) {
    auto done = co_await client_.delete_object(bucket, request.object_key);
    if (!done) error = done.error().describe();
  } else {
    // Delete markers are a few bytes of JSON, sent as they are.
    std::string encoding =
        request.action == MirrorAction::put ? reader_.content_encoding() : std::string();
    auto done = co_await client_.put_object(bucket, request.object_key, request.body,
                                            reader_.content_type(), encoding, config_.s3.objects);
    if (!done) error = done.error().describe();
  }
  if (alive.expired()) co_return;
  --in_flight_;
  if (request.action != MirrorAction::remove) metrics_.parts_in_flight.dec();
  if (error) {
    // Not completed in the planner: its records are never committed, a restart replays them.
    fail(std::string(operation_of(request.action)) + " of a mirrored document failed: " + *error);
    settled_.notify_all();
    co_return;
  }
  planner_.completed(request.id);
  if (request.action == MirrorAction::put) {
    ++stats_.puts;
    metrics_.mirror_puts.with({request.topic}).inc();
    metrics_.bytes_written.with({request.topic}).inc(request.body ? request.body->size() : 0);
  } else {
    ++stats_.deletes;
    metrics_.mirror_deletes.with({request.topic}).inc();
  }
  dispatch();
  for (const auto& [tp, handle] : partitions_) schedule_commit(tp);
  settled_.notify_all();
}

void MirrorSink::schedule_commit(const kafka::TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (!consumer_ || it == partitions_.end() || it->second.commit_in_flight ||
      it->second.key_log_lost) {
    return;
  }
  std::optional<std::int64_t> due = planner_.commit_due(it->second.id);
  if (!due) return;
  const auto now = std::chrono::steady_clock::now();
  if (phase_ == Phase::running && !it->second.revoking &&
      now - it->second.last_commit_at < kCommitInterval) {
    return;  // the tick commits it
  }
  it->second.last_commit_at = now;
  it->second.commit_in_flight = true;
  asio::co_spawn(executor_, commit_one(tp, it->second.id, *due), on_exception("an offset commit"));
}

asio::awaitable<void> MirrorSink::commit_one(kafka::TopicPartition tp, std::uint64_t id,
                                             std::int64_t offset) {
  auto alive = std::weak_ptr<bool>(alive_);
  const bool done = co_await persist_and_commit(tp, id, offset);
  if (alive.expired()) co_return;
  PartitionHandle* handle = current(tp, id);
  if (handle) handle->commit_in_flight = false;
  settled_.notify_all();
  if (!done || !handle) co_return;
  maybe_snapshot(tp);
  schedule_commit(tp);  // progress made meanwhile
}

void MirrorSink::apply_backpressure() {
  if (!consumer_) return;
  const std::uint64_t held =
      kafka_prefetch_bytes_ + planner_.held_bytes() +
      kRequestOverhead * (planner_.waiting_requests() + planner_.in_flight_requests());
  metrics_.memory_budget_used_bytes.set(static_cast<double>(held));
  if (!paused_ && held > config_.memory.high_watermark) {
    paused_ = true;
    consumer_->pause_all();
    metrics_.paused_partitions.set(static_cast<double>(partitions_.size()));
  } else if (paused_ && held <= config_.memory.low_watermark && phase_ == Phase::running) {
    paused_ = false;
    consumer_->resume_all();
    repause_loading();
    metrics_.paused_partitions.set(0);
  }
}

asio::awaitable<void> MirrorSink::on_revoked(std::span<const kafka::TopicPartition> partitions) {
  std::vector<kafka::TopicPartition> revoked;
  for (const kafka::TopicPartition& tp : partitions) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    it->second.revoking = true;
    revoked.push_back(tp);
  }
  // The next owner must not race our requests on the same keys: wait until what we consumed
  // is durable (bounded), then commit it.
  const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_deadline;
  asio::steady_timer timer(executor_, deadline);
  timer.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (!ec && !alive.expired()) settled_.notify_all();
  });
  auto done = [&] {
    for (const kafka::TopicPartition& tp : revoked) {
      auto it = partitions_.find(tp);
      if (it == partitions_.end()) continue;
      if (!planner_.settled(it->second.id) || it->second.commit_in_flight) return false;
      if (phase_ != Phase::failed && planner_.commit_due(it->second.id)) return false;
    }
    return true;
  };
  dispatch();
  for (const kafka::TopicPartition& tp : revoked) schedule_commit(tp);
  co_await settled_.wait_until(
      [&] { return done() || std::chrono::steady_clock::now() >= deadline || failed(); });
  timer.cancel();
  // A failed sink commits what is durable too (the watermark never passes a failed request).
  co_await settled_.wait_until([&] {
    for (const kafka::TopicPartition& tp : revoked) {
      auto it = partitions_.find(tp);
      if (it != partitions_.end() && it->second.commit_in_flight) return false;
    }
    return true;
  });
  for (const kafka::TopicPartition& tp : revoked) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    if (consumer_ && !it->second.key_log_lost) {
      if (auto due = planner_.commit_due(it->second.id)) {
        // Marked in flight: the tick must not commit past the delta this writes first.
        const std::uint64_t id = it->second.id;
        it->second.commit_in_flight = true;
        co_await persist_and_commit(tp, id, *due);
        if (PartitionHandle* handle = current(tp, id)) handle->commit_in_flight = false;
      }
    }
    it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    if (!planner_.settled(it->second.id)) {
      log::warn("mirror changes not durable at the revoke deadline; the next owner replays them",
                {{"topic", tp.topic}, {"partition", tp.partition}});
    }
    log::info("partition revoked", {{"mode", "mirror"},
                                    {"topic", tp.topic},
                                    {"partition", tp.partition},
                                    {"committed_offset", it->second.committed}});
    planner_.revoke(it->second.id);
    partitions_.erase(it);
    metrics_.forget_partition(tp.topic, tp.partition);
  }
  metrics_.rebalances.with({"revoked"}).inc();
  metrics_.assigned_partitions.set(static_cast<double>(partitions_.size()));
}

bool MirrorSink::all_settled() const {
  if (in_flight_ > 0) return false;
  for (const auto& [tp, handle] : partitions_) {
    if (handle.commit_in_flight || handle.snapshot_in_flight) return false;
    if (handle.key_log_lost) continue;  // nothing more is committed for it
    if (!planner_.settled(handle.id) && phase_ != Phase::failed) return false;
    if (consumer_ && planner_.commit_due(handle.id)) return false;
  }
  return true;
}

asio::awaitable<bool> MirrorSink::drain(std::chrono::milliseconds deadline_after) {
  const auto deadline = std::chrono::steady_clock::now() + deadline_after;
  if (phase_ == Phase::running) phase_ = Phase::draining;
  if (consumer_) consumer_->pause_all();
  dispatch();
  for (const auto& [tp, handle] : partitions_) schedule_commit(tp);
  asio::steady_timer timer(executor_, deadline);
  timer.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (!ec && !alive.expired()) settled_.notify_all();
  });
  co_await settled_.wait_until(
      [&] { return all_settled() || std::chrono::steady_clock::now() >= deadline; });
  timer.cancel();
  const bool settled = all_settled();
  if (!settled) {
    log::error(
        "shutdown deadline reached with mirror requests not durable; they are replayed "
        "at the next start",
        {{"deadline_ms", deadline_after.count()}, {"in_flight", in_flight_}});
  }
  co_return settled;
}

asio::awaitable<void> MirrorSink::tick_loop(std::weak_ptr<bool> alive) {
  while (!alive.expired() && phase_ != Phase::stopped) {
    tick_timer_.expires_after(kTick);
    co_await tick_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (alive.expired() || phase_ == Phase::stopped) co_return;
    // Commit retries after a failure, and progress nobody scheduled.
    dispatch();
    for (const auto& [tp, handle] : partitions_) schedule_commit(tp);
  }
}

void MirrorSink::fail(const std::string& message) {
  if (failure_) return;
  failure_ = message;
  if (phase_ == Phase::running || phase_ == Phase::draining) phase_ = Phase::failed;
  log::error("the sink must stop", {{"reason", message}});
  if (consumer_) consumer_->pause_all();
  settled_.notify_all();
  if (fatal_) fatal_(message);
}

std::function<void(std::exception_ptr)> MirrorSink::on_exception(std::string what) {
  return [this, alive = std::weak_ptr<bool>(alive_), what = std::move(what)](std::exception_ptr e) {
    if (!e || alive.expired()) return;
    fail(what + " threw: " + log::exception_message(e));
  };
}

}  // namespace ks3::server

// The pipeline's cuts: closing a partition's objects, wall-clock and memory-pressure cuts, and
// what happens when an object finishes.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/log.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {
constexpr std::chrono::milliseconds kTickInterval{100};

double seconds_since(SteadyTime start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

void Pipeline::cut(const std::shared_ptr<PartitionRuntime>& handle, std::int64_t end_offset,
                   CutReason reason) {
  PartitionRuntime& p = *handle;
  const std::size_t objects = p.open.size();
  ClosedSegment segment = p.state.cut(end_offset, reason, objects);
  // The manifest lists the objects (in group order); they cannot complete before it is written.
  std::vector<ManifestObject> listed;
  if (p.state.manifests_required()) {
    listed.reserve(objects);
    for (const auto& [group, writer] : p.open) {
      const ObjectSummary& s = writer->summary();
      listed.push_back({s.key, s.first_offset, s.last_offset, s.records});
    }
  }
  for (auto& [group, writer] : p.open) writer->close(segment, reason);
  p.open.clear();
  metrics_.open_objects.sub(static_cast<double>(objects));
  if (p.state.manifests_required()) write_manifest(handle, segment, reason, std::move(listed));
  log::debug("cut", {{"topic", p.state.tp().topic},
                     {"partition", p.state.tp().partition},
                     {"offset", end_offset},
                     {"objects", objects},
                     {"reason", to_string(reason)}});
  // A moment cut must reach the journal; a segment without objects is durable at once.
  schedule_commit(handle);
}

bool Pipeline::moment_cut(const std::shared_ptr<PartitionRuntime>& handle, CutReason reason) {
  PartitionRuntime& p = *handle;
  if (!p.active() || !p.state.has_open_records() || !p.state.next_offset()) return false;
  // Inside a segment recorded in the manifests a shutdown does not cut (the caller aborts the
  // open objects; their records are consumed again from the committed offset), so the next run
  // still ends the segment where it was recorded. Memory pressure still cuts: a finer cut never
  // duplicates a record, and without it a paused sink could wait forever.
  if (reason == CutReason::shutdown && p.state.rotation().in_recorded_segment()) return false;
  if (!p.state.can_moment_cut()) {
    // The journal is full until commits catch up (S3 slow or failing): keep the objects open.
    log::warn("cut journal full: postponing a cut until commits catch up",
              {{"topic", p.state.tp().topic},
               {"partition", p.state.tp().partition},
               {"reason", to_string(reason)}});
    return false;
  }
  cut(handle, *p.state.next_offset(), reason);
  return true;
}

void Pipeline::relieve_memory_pressure() {
  // Above the high watermark consumption pauses, and resumes below the low one. Closed objects
  // (blocks at the workers, parts, objects waiting to complete) settle on their own; what does
  // not is the open objects' bytes (paused partitions send no records to shrink or close them)
  // and the reservation (librdkafka's queue). Only when those two alone stay above the low
  // watermark would the pause never end: then cut the partition whose open objects hold the
  // most, until they fit. Otherwise pausing is enough, and a cut would only make small objects.
  // (Until December 2026 the test was `used - open <= low`, which counted the reservation as if
  // it settled and cut whenever the closed objects held less than the low watermark: with
  // 10,000 open objects, 2-5% of the objects were such cuts.)
  while (memory_->above_high() &&
         memory_->open() + memory_->reserved() > memory_->budget().low_watermark()) {
    std::shared_ptr<PartitionRuntime> largest;
    for (auto& [tp, handle] : partitions_) {
      if (!handle->active() || !handle->state.has_open_records() || handle->open_bytes == 0 ||
          !handle->state.can_moment_cut()) {
        continue;
      }
      if (!largest || handle->open_bytes > largest->open_bytes) largest = handle;
    }
    if (!largest || !moment_cut(largest, CutReason::memory_pressure)) return;
    ++stats_.memory_pressure_cuts;
  }
}

void Pipeline::on_memory_change() {
  metrics_.memory_budget_used_bytes.set(static_cast<double>(memory_->used()));
  if (!consumer_ || phase_ != Phase::running) return;
  const bool pause = memory_->paused();
  if (pause == memory_paused_since_.has_value()) return;
  const SteadyTime now = std::chrono::steady_clock::now();
  if (pause) {
    memory_paused_since_ = now;
    ++stats_.pauses;
    consumer_->pause_all();
    metrics_.paused_partitions.set(static_cast<double>(partitions_.size()));
    log::info("memory budget exhausted: pausing consumption",
              {{"used_bytes", memory_->used()}, {"high_watermark", config_.memory.high_watermark}});
  } else {
    // The time the partitions were held back is not idle time: no idle flush for it.
    for (auto& [tp, handle] : partitions_) {
      handle->state.rotation().exclude_held(*memory_paused_since_, now);
    }
    memory_paused_since_.reset();
    consumer_->resume_all();
    repause_loading();
    metrics_.paused_partitions.set(0);
    log::info("memory budget recovered: resuming consumption", {{"used_bytes", memory_->used()}});
  }
}

void Pipeline::start() {
  // The coroutine may first run after the pipeline is gone: it checks `alive` before `this`.
  asio::co_spawn(executor_, tick_loop(alive_), on_exception("the pipeline tick"));
}

asio::awaitable<void> Pipeline::tick_loop(std::weak_ptr<bool> alive) {
  while (!alive.expired() && phase_ != Phase::stopped) {
    tick_timer_.expires_after(kTickInterval);
    auto [ec] = co_await tick_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || alive.expired() || phase_ == Phase::stopped) co_return;
    tick();
  }
}

void Pipeline::tick() {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (auto& [tp, handle] : partitions_) {
    if (!handle->active()) continue;
    if (phase_ == Phase::running) {
      CutReason due = handle->state.rotation().moment_cut_due(now, memory_paused_since_);
      if (due != CutReason::none) moment_cut(handle, due);
    }
    // Idle objects give back what they do not use (at most a partial block stays).
    for (auto& [group, writer] : handle->open) writer->on_tick();
    // Commits that failed are retried here.
    schedule_commit(handle);
  }
  metrics_.memory_budget_used_bytes.set(static_cast<double>(memory_->used()));
  metrics_.buffered_bytes.set(static_cast<double>(memory_->buffered()));
}

void Pipeline::abort_open(PartitionRuntime& p) {
  const std::size_t objects = p.open.size();
  for (auto& [group, writer] : p.open) writer->abort();
  p.open.clear();
  metrics_.open_objects.sub(static_cast<double>(objects));
}

void Pipeline::abort_live(PartitionRuntime& p) {
  abort_open(p);
  // abort() may finish a writer synchronously later, which erases it from `live`: copy first.
  std::vector<ObjectWriter*> live(p.live.begin(), p.live.end());
  for (ObjectWriter* writer : live) writer->abort();
  // A writer waiting for the journal gate (its commit unanswered: Kafka unreachable) waits on
  // the partition's condition, not on its own: wake it so that it sees the abort.
  p.changed.notify_all();
}

void Pipeline::stop() {
  phase_ = Phase::stopped;
  tick_timer_.cancel();
  if (dead_letter_producer_) dead_letter_producer_->stop();
  for (auto& [tp, handle] : partitions_) abort_live(*handle);
}

void Pipeline::object_done(const std::shared_ptr<PartitionRuntime>& handle, ObjectWriter& writer,
                           ObjectOutcome outcome, const ObjectFailure& failure) {
  const ObjectSummary& s = writer.summary();
  const std::string reason(to_string(s.reason));
  settled_.notify_all();
  switch (outcome) {
    case ObjectOutcome::completed: {
      ++stats_.objects_completed;
      auto& topic = topic_metrics(s.topic);
      metrics_.objects_completed.with({s.topic, reason}).inc();
      topic.records_written.inc(s.records);
      topic.uncompressed_bytes_written.inc(s.uncompressed_bytes);
      topic.bytes_written.inc(s.compressed_bytes);
      topic.object_size_bytes.observe(static_cast<double>(s.compressed_bytes));
      topic.object_completion_latency.observe(seconds_since(s.opened_at));
      if (s.oldest_timestamp_ms >= 0) {
        const double now_ms =
            static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
        topic.end_to_end_latency.observe((now_ms - static_cast<double>(s.oldest_timestamp_ms)) /
                                         1000.0);
      }
      // The rotation log line: why this object has the size it has.
      log::info("object completed", {{"key", s.key},
                                     {"records", s.records},
                                     {"first_offset", s.first_offset},
                                     {"last_offset", s.last_offset},
                                     {"bytes", s.uncompressed_bytes},
                                     {"stored_bytes", s.compressed_bytes},
                                     {"reason", reason},
                                     {"dead_letter", s.dead_letter}});
      if (handle->state.object_durable(writer.segment().id)) schedule_commit(handle);
      return;
    }
    case ObjectOutcome::aborted:
      ++stats_.objects_aborted;
      metrics_.objects_aborted.with({s.topic, reason}).inc();
      log::debug("object aborted", {{"key", s.key}, {"records", s.records}});
      return;
    case ObjectOutcome::failed:
      ++stats_.objects_aborted;
      metrics_.objects_aborted.with({s.topic, reason}).inc();
      if (failure.s3) {
        // Typed up to here: the log line carries S3's answer field by field.
        const s3::S3Error& e = *failure.s3;
        log::error("object upload failed", {{"key", s.key},
                                            {"operation", e.operation},
                                            {"http_status", e.http_status},
                                            {"code", e.code},
                                            {"request_id", e.request_id},
                                            {"attempts", e.attempts},
                                            {"error", e.describe()}});
      }
      fail("upload of object " + s.key + " failed: " + failure.describe(), false);
      return;
  }
}

}  // namespace ks3::server

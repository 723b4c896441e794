// The mirror's key log in S3 (mirror.key_log; the pure half is key_log.hpp): read a partition's
// key map back on assignment (the partition paused meanwhile), write a delta of the key changes
// before every commit that covers some, a snapshot every mirror.key_log_snapshot_every deltas,
// and delete what the newest committed snapshot makes unnecessary. The listing, PUT and GET go
// through the pipeline's ManifestStore (server/pipeline/manifest_store.hpp). docs/DESIGN.md,
// "Mirror mode".
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/log.hpp"
#include "s3/retry_policy.hpp"
#include "server/mirror/mirror_sink.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {

// ManifestStore::get reads at most 16 MiB: a larger snapshot is not written (the deltas stay).
constexpr std::size_t kMaxKeyLogObject = std::size_t{16} << 20;

// The pause before the next attempt of a load request that failed `failures` times in a row
// (capped exponential backoff with full jitter, s3.retry_* settings).
asio::awaitable<void> back_off(const s3::RetryConfig& retry, std::uint64_t failures) {
  static const s3::UnitRandom random = s3::default_unit_random();
  const int index = static_cast<int>(std::min<std::uint64_t>(failures - 1, 30));
  asio::steady_timer timer(co_await asio::this_coro::executor,
                           s3::full_jitter(s3::backoff_ceiling(retry, index), random()));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

MirrorSink::PartitionHandle* MirrorSink::current(const kafka::TopicPartition& tp,
                                                 std::uint64_t id) {
  auto it = partitions_.find(tp);
  return it != partitions_.end() && it->second.id == id ? &it->second : nullptr;
}

std::string MirrorSink::key_log_folder_of(const kafka::TopicPartition& tp) const {
  return key_log_folder(config_.s3.prefix, tp.topic, tp.partition);
}

void MirrorSink::repause_loading() {
  if (!consumer_) return;
  for (const auto& [tp, handle] : partitions_) {
    if (handle.loading) consumer_->pause(tp);
  }
}

// S3 requests of the load are retried by the client; one that still fails is retried here
// after a capped backoff, the partition staying paused (consuming it without its map could leave
// documents behind), one warning per failure streak.
asio::awaitable<std::optional<std::vector<std::string>>> MirrorSink::list_key_log(
    const kafka::TopicPartition& tp, std::uint64_t id, std::string prefix) {
  auto alive = std::weak_ptr<bool>(alive_);
  std::vector<std::string> keys;
  std::string token;
  std::uint64_t failures = 0;
  while (true) {
    auto page = co_await key_store_->list(prefix, "", token);
    if (alive.expired() || phase_ == Phase::stopped || !current(tp, id)) co_return std::nullopt;
    if (!page) {
      if (++failures == 1) {
        log::warn("listing a partition's mirror key log failed; it stays paused, retrying",
                  {{"topic", tp.topic},
                   {"partition", tp.partition},
                   {"prefix", prefix},
                   {"error", page.error().describe()}});
      }
      co_await back_off(config_.s3.client.retry, failures);
      if (alive.expired() || phase_ == Phase::stopped || !current(tp, id)) co_return std::nullopt;
      continue;
    }
    failures = 0;
    for (std::string& key : page->keys) keys.push_back(std::move(key));
    if (page->next_token.empty()) break;
    token = std::move(page->next_token);
  }
  co_return keys;
}

asio::awaitable<std::optional<std::string>> MirrorSink::get_key_log(const kafka::TopicPartition& tp,
                                                                    std::uint64_t id,
                                                                    std::string key) {
  auto alive = std::weak_ptr<bool>(alive_);
  std::uint64_t failures = 0;
  while (true) {
    auto body = co_await key_store_->get(key);
    if (alive.expired() || phase_ == Phase::stopped || !current(tp, id)) co_return std::nullopt;
    if (body) co_return std::move(*body);
    if (s3::is_not_found(body.error())) {
      // Listed, then deleted: only another instance's collection of what a newer snapshot
      // covers does that (key_log.hpp), so nothing this load needs is lost.
      log::warn("a mirror key log object listed a moment ago is gone; skipped", {{"key", key}});
      co_return std::string();
    }
    if (++failures == 1) {
      log::warn("reading a mirror key log object failed; the partition stays paused, retrying",
                {{"key", key}, {"error", body.error().describe()}});
    }
    co_await back_off(config_.s3.client.retry, failures);
    if (alive.expired() || phase_ == Phase::stopped || !current(tp, id)) co_return std::nullopt;
  }
}

asio::awaitable<void> MirrorSink::load_key_log(kafka::TopicPartition tp, std::uint64_t id) {
  auto alive = std::weak_ptr<bool>(alive_);
  const auto started = std::chrono::steady_clock::now();
  const std::string folder = key_log_folder_of(tp);
  const std::string snapshot_folder = key_log_subfolder(folder, KeyLogKind::snapshot);
  const std::string delta_folder = key_log_subfolder(folder, KeyLogKind::delta);
  std::vector<std::int64_t> snapshots;
  std::vector<std::int64_t> deltas;
  std::size_t foreign = 0;
  const std::pair<KeyLogKind, std::string> folders[] = {{KeyLogKind::snapshot, snapshot_folder},
                                                        {KeyLogKind::delta, delta_folder}};
  for (const auto& [kind, subfolder] : folders) {
    auto keys = co_await list_key_log(tp, id, subfolder);
    if (!keys) co_return;
    for (const std::string& key : *keys) {
      if (auto offset = parse_key_log_key(subfolder, key)) {
        (kind == KeyLogKind::snapshot ? snapshots : deltas).push_back(*offset);
      } else {
        ++foreign;
      }
    }
  }
  PartitionHandle* handle = current(tp, id);
  if (!handle) co_return;
  const KeyLogLoadPlan plan = plan_key_log_load(snapshots, deltas, handle->committed);
  std::vector<std::pair<KeyLogKind, std::int64_t>> reads;
  if (plan.snapshot) reads.emplace_back(KeyLogKind::snapshot, *plan.snapshot);
  for (std::int64_t end : plan.deltas) reads.emplace_back(KeyLogKind::delta, end);
  std::uint64_t entries = 0;
  std::size_t refused = 0;
  for (const auto& [kind, offset] : reads) {
    const std::string key = key_log_key(folder, kind, offset);
    auto bytes = co_await get_key_log(tp, id, key);
    if (!bytes) co_return;
    if (bytes->empty()) continue;  // gone meanwhile (logged)
    KeyLogDecoded decoded = decode_key_log(*bytes);
    if (decoded.body && (decoded.body->kind != kind || decoded.body->partition != tp.partition ||
                         decoded.body->end != offset)) {
      decoded.body.reset();
      decoded.error = "its header names another object (kind, partition or offset)";
    }
    if (!decoded.body) {
      // Its entries are missing from the map: as for entries past mirror.key_map_size, their
      // tombstones find nothing and their moves leave the old object.
      ++refused;
      log::warn("a mirror key log object cannot be read; its entries are not loaded",
                {{"key", key}, {"reason", decoded.error}});
      continue;
    }
    planner_.load_keys(id, decoded.body->entries);
    entries += decoded.body->entries.size();
  }
  handle = current(tp, id);
  if (!handle) co_return;
  handle->snapshots = std::move(snapshots);
  handle->deltas = std::move(deltas);
  handle->deltas_since_snapshot = plan.deltas.size();
  handle->loading = false;
  metrics_.mirror_key_log_loaded_entries.inc(entries);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  log::info("mirror key map loaded", {{"topic", tp.topic},
                                      {"partition", tp.partition},
                                      {"committed_offset", handle->committed},
                                      {"snapshot", plan.snapshot.value_or(-1)},
                                      {"deltas", plan.deltas.size()},
                                      {"entries", entries},
                                      {"map_size", planner_.key_map().size()},
                                      {"ms", static_cast<std::int64_t>(elapsed.count())}});
  if (foreign > 0 || refused > 0) {
    log::warn("keys under the mirror key log folder were skipped", {{"topic", tp.topic},
                                                                    {"partition", tp.partition},
                                                                    {"prefix", folder},
                                                                    {"not_key_log_names", foreign},
                                                                    {"unreadable", refused}});
  }
  // Stays paused while the memory budget is exhausted (resume_all resumes it) or on the way out.
  if (consumer_ && !paused_ && phase_ == Phase::running && !handle->revoking) {
    consumer_->resume(tp);
  }
  settled_.notify_all();
}

asio::awaitable<bool> MirrorSink::persist_and_commit(kafka::TopicPartition tp, std::uint64_t id,
                                                     std::int64_t offset) {
  auto alive = std::weak_ptr<bool>(alive_);
  if (key_log_) {
    // Taken now, so a delta covers each key change exactly once; the records before `offset`
    // are durable, so the delta describes what S3 holds.
    KeyLogBody delta = planner_.take_key_changes(id, offset);
    if (!delta.entries.empty() && delta.first < delta.end) {
      const std::string key = key_log_key(key_log_folder_of(tp), KeyLogKind::delta, offset);
      auto put = co_await key_store_->put(key, encode_key_log(delta));
      if (alive.expired()) co_return false;
      PartitionHandle* handle = current(tp, id);
      if (!put) {
        // The changes are taken: committing past them would lose them for the next owner.
        if (handle) handle->key_log_lost = true;
        fail("writing the mirror key log delta " + key + " failed: " + put.error().describe());
        co_return false;
      }
      metrics_.mirror_key_log_writes.with({"delta"}).inc();
      if (handle) {
        handle->deltas.push_back(offset);
        ++handle->deltas_since_snapshot;
      }
    }
  }
  boost::system::error_code ec = co_await consumer_->commit(tp, offset, "");
  if (alive.expired()) co_return false;
  if (ec) {
    metrics_.commit_failures.inc();
    log::warn("offset commit failed; the tick retries it",
              {{"topic", tp.topic}, {"partition", tp.partition}, {"error", ec.message()}});
    co_return false;
  }
  ++stats_.commits;
  metrics_.commits.inc();
  PartitionHandle* handle = current(tp, id);
  if (!handle) co_return true;
  planner_.committed(id, offset);
  handle->committed = std::max(handle->committed, offset);
  metrics_.partition(tp.topic, tp.partition).last_commit_timestamp.set_to_current_time();
  co_return true;
}

void MirrorSink::maybe_snapshot(const kafka::TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (!key_log_ || it == partitions_.end()) return;
  PartitionHandle& handle = it->second;
  if (handle.snapshot_in_flight || handle.revoking || handle.key_log_lost ||
      handle.deltas_since_snapshot < config_.mirror.key_log_snapshot_every) {
    return;
  }
  // The map as it is now, after the partition's records before its next offset: used by a
  // load only once that offset is committed (key_log.hpp).
  std::optional<KeyLogBody> snapshot = planner_.key_snapshot(handle.id);
  if (!snapshot) return;
  handle.snapshot_in_flight = true;
  handle.deltas_since_snapshot = 0;
  asio::co_spawn(executor_, write_snapshot(tp, handle.id, std::move(*snapshot)),
                 on_exception("writing a mirror key log snapshot"));
}

asio::awaitable<void> MirrorSink::write_snapshot(kafka::TopicPartition tp, std::uint64_t id,
                                                 KeyLogBody snapshot) {
  auto alive = std::weak_ptr<bool>(alive_);
  const std::string folder = key_log_folder_of(tp);
  const std::string key = key_log_key(folder, KeyLogKind::snapshot, snapshot.end);
  std::string body = encode_key_log(snapshot);
  if (body.size() > kMaxKeyLogObject) {
    // Not fatal: the deltas stay, and a load reads them all (slower).
    log::warn("a mirror key log snapshot would exceed 16 MiB; not written (loading reads deltas)",
              {{"topic", tp.topic}, {"partition", tp.partition}, {"bytes", body.size()}});
    if (PartitionHandle* handle = current(tp, id)) handle->snapshot_in_flight = false;
    co_return;
  }
  auto put = co_await key_store_->put(key, std::move(body));
  if (alive.expired()) co_return;
  PartitionHandle* handle = current(tp, id);
  if (!put) {
    // Not fatal either: the deltas it would cover stay; the next one tries again.
    log::warn("writing a mirror key log snapshot failed; the deltas stay",
              {{"key", key}, {"error", put.error().describe()}});
    if (handle) handle->snapshot_in_flight = false;
    co_return;
  }
  metrics_.mirror_key_log_writes.with({"snapshot"}).inc();
  if (!handle) co_return;
  handle->snapshots.push_back(snapshot.end);
  // What the newest committed snapshot covers goes (best effort: a failed DELETE leaves an
  // object that no load reads, and the next collection tries again).
  const KeyLogGarbage garbage =
      plan_key_log_gc(handle->snapshots, handle->deltas, handle->committed);
  const std::pair<KeyLogKind, const std::vector<std::int64_t>*> collect[] = {
      {KeyLogKind::snapshot, &garbage.snapshots}, {KeyLogKind::delta, &garbage.deltas}};
  for (const auto& [kind, offsets] : collect) {
    for (std::int64_t offset : *offsets) {
      auto deleted = co_await client_.delete_object(config_.s3.client.bucket,
                                                    key_log_key(folder, kind, offset));
      if (alive.expired()) co_return;
      handle = current(tp, id);
      if (!handle) co_return;
      if (!deleted) {
        log::debug("deleting an old mirror key log object failed; retried later",
                   {{"error", deleted.error().describe()}});
        continue;
      }
      std::erase(kind == KeyLogKind::snapshot ? handle->snapshots : handle->deltas, offset);
    }
  }
  handle = current(tp, id);
  if (handle) handle->snapshot_in_flight = false;
}

}  // namespace ks3::server

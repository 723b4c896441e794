// The pipeline's cut manifests (server/delivery/manifest.hpp): on assignment a partition stays
// paused until the manifests of its segments beyond the committed offset are listed and their
// cuts set up for replay; at every cut the segment's manifest is written to S3, and its objects
// complete only once it is durable (PartitionState's completion gate). docs/DESIGN.md, "Delivery:
// exactly-once object set", has the crash windows.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/log.hpp"
#include "server/delivery/manifest.hpp"
#include "server/delivery/manifest_replay.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {
// How many of the manifests to replay are read back and their objects checked after an
// assignment (in the background): in steady state that is all of them (the segments between
// the committed offset and a crash); after a reset it bounds the requests.
constexpr std::size_t kManifestsChecked = 16;
}  // namespace

void Pipeline::start_loading_manifests(
    const std::vector<std::shared_ptr<PartitionRuntime>>& handles) {
  for (const auto& handle : handles) {
    const kafka::TopicPartition& tp = handle->state.tp();
    // Paused from on_assigned, the partition starts paused: no record before the cuts are known.
    if (consumer_) consumer_->pause(tp);
    asio::co_spawn(
        executor_,
        [this, handle, alive = std::weak_ptr<bool>(alive_)]() -> asio::awaitable<void> {
          if (alive.expired()) co_return;
          co_await load_manifests(handle);
        },
        on_exception("reading the manifests of " + tp.topic + "/" + std::to_string(tp.partition)));
  }
}

asio::awaitable<void> Pipeline::load_manifests(std::shared_ptr<PartitionRuntime> handle) {
  auto alive = std::weak_ptr<bool>(alive_);
  const kafka::TopicPartition tp = handle->state.tp();
  // -1 (no commit, e.g. a new group id): every manifest of the partition counts.
  const std::int64_t start = handle->state.committed_position();
  const std::string folder = manifest_folder(config_.s3.prefix, tp.topic, tp.partition);
  // Manifests of segments that start at or after the committed offset (a commit is always a
  // cut boundary): one page in steady state, the whole history after a reset to the earliest.
  const std::string start_after = start > 0 ? manifest_start_after(folder, start) : std::string();
  auto loading = [&] {
    return !alive.expired() && phase_ != Phase::stopped && handle->phase == PartitionPhase::loading;
  };
  const s3::UnitRandom random = s3::default_unit_random();
  std::vector<ManifestName> names;
  std::size_t foreign = 0;
  std::size_t pages = 0;
  std::uint64_t failures = 0;
  std::string token;
  while (true) {
    auto page = co_await manifest_store_->list(folder, start_after, token);
    if (!loading()) co_return;
    if (!page) {
      // The S3 client already retried this listing with its policy. The partition stays paused
      // (consuming it without its cuts could duplicate records): list again after a backoff,
      // logging once per streak.
      ++failures;
      const int index = static_cast<int>(std::min<std::uint64_t>(failures - 1, 30));
      const auto delay =
          s3::full_jitter(s3::backoff_ceiling(config_.s3.client.retry, index), random());
      const s3::S3Error& e = page.error();
      if (failures == 1) {
        log::warn("listing a partition's cut manifests failed; it stays paused, retrying",
                  {{"topic", tp.topic},
                   {"partition", tp.partition},
                   {"prefix", folder},
                   {"error", e.describe()},
                   {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      } else {
        log::debug("listing cut manifests failed again", {{"topic", tp.topic},
                                                          {"partition", tp.partition},
                                                          {"failures", failures},
                                                          {"error", e.describe()}});
      }
      asio::steady_timer timer(executor_, delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!loading()) co_return;
      continue;
    }
    if (failures > 0) {
      log::info("listing cut manifests recovered",
                {{"topic", tp.topic}, {"partition", tp.partition}, {"failed_attempts", failures}});
      failures = 0;
    }
    ++pages;
    for (const std::string& key : page->keys) {
      std::optional<ManifestName> name;
      if (key.starts_with(folder)) {
        name = parse_manifest_file_name(std::string_view(key).substr(folder.size()));
      }
      if (name) {
        names.push_back(*name);
      } else {
        ++foreign;
      }
    }
    if (page->next_token.empty()) break;
    token = std::move(page->next_token);
  }

  PartitionState& state = handle->state;
  const ReplayDecision decision = decide_replay(names, state.journal_cuts(), start);
  state.replay_manifest_cuts(decision.cuts);
  metrics_.manifest_cuts_replayed.with({tp.topic}).inc(decision.cuts.size());
  log::info("cut manifests read", {{"topic", tp.topic},
                                   {"partition", tp.partition},
                                   {"committed_offset", start},
                                   {"manifests", names.size()},
                                   {"pages", pages},
                                   {"replayed_cuts", decision.cuts.size()}});
  if (foreign > 0) {
    log::warn(
        "keys under the manifest folder that are not manifests of this layout were skipped",
        {{"topic", tp.topic}, {"partition", tp.partition}, {"prefix", folder}, {"keys", foreign}});
  }
  if (decision.overlapping > 0) {
    log::info(
        "manifests of runs that cut differently: replaying the union of their cuts",
        {{"topic", tp.topic}, {"partition", tp.partition}, {"overlapping", decision.overlapping}});
  }
  if (!decision.journal_only.empty()) {
    log::info(
        "journal cuts without a manifest dropped (S3 is the source of truth; no object "
        "depends on them)",
        {{"topic", tp.topic}, {"partition", tp.partition}, {"cuts", decision.journal_only.size()}});
  }
  handle->phase = PartitionPhase::active;
  handle->changed.notify_all();
  std::vector<ManifestName> to_check;
  for (const ManifestName& name : names) {
    if (name.end_offset > start) to_check.push_back(name);
  }
  std::sort(to_check.begin(), to_check.end(), [](const ManifestName& a, const ManifestName& b) {
    return a.first_offset != b.first_offset ? a.first_offset < b.first_offset
                                            : a.end_offset < b.end_offset;
  });
  if (to_check.size() > kManifestsChecked) to_check.resize(kManifestsChecked);
  if (!to_check.empty()) {
    asio::co_spawn(
        executor_,
        [this, handle, to_check = std::move(to_check),
         alive = std::weak_ptr<bool>(alive_)]() mutable -> asio::awaitable<void> {
          if (alive.expired()) co_return;
          co_await check_manifests(handle, std::move(to_check));
        },
        on_exception("checking the manifests of " + tp.topic + "/" + std::to_string(tp.partition)));
  }
  // Stays paused while the memory budget is exhausted (resume_all resumes it later) or the sink
  // is stopping.
  if (consumer_ && !memory_paused_since_ && phase_ == Phase::running) consumer_->resume(tp);
}

asio::awaitable<void> Pipeline::check_manifests(std::shared_ptr<PartitionRuntime> handle,
                                                std::vector<ManifestName> names) {
  auto alive = std::weak_ptr<bool>(alive_);
  const kafka::TopicPartition tp = handle->state.tp();
  for (const ManifestName& name : names) {
    if (alive.expired() || phase_ == Phase::stopped) co_return;
    const std::string key = manifest_key(config_.s3.prefix, tp.topic, tp.partition, name);
    auto body = co_await manifest_store_->get(key);
    if (alive.expired()) co_return;
    if (!body) {
      log::debug("a cut manifest could not be read back",
                 {{"key", key}, {"error", body.error().describe()}});
      continue;
    }
    const ManifestDecoded decoded = decode_manifest(*body);
    if (!decoded.manifest) {
      // The key name alone carries the cut, which is replayed; only the details are lost.
      log::warn("a cut manifest cannot be decoded; its cut (from the key name) is replayed anyway",
                {{"key", key},
                 {"problem", std::string(to_string(*decoded.error))},
                 {"reason", decoded.message}});
      continue;
    }
    for (const ManifestObject& object : decoded.manifest->objects) {
      auto exists = co_await manifest_store_->exists(object.key);
      if (alive.expired()) co_return;
      if (!exists || *exists) continue;
      // A crash between the manifest and the object's completion, or a deletion: the segment is
      // cut where it was and the object written again.
      metrics_.manifest_objects_missing.with({tp.topic}).inc();
      log::warn("an object listed in a cut manifest is not in S3; its segment is cut anyway",
                {{"manifest", key}, {"object", object.key}, {"records", object.records}});
    }
  }
}

void Pipeline::repause_loading() {
  if (!consumer_) return;
  for (auto& [tp, handle] : partitions_) {
    if (handle->phase == PartitionPhase::loading) consumer_->pause(tp);
  }
}

void Pipeline::write_manifest(const std::shared_ptr<PartitionRuntime>& handle,
                              const ClosedSegment& segment, CutReason reason,
                              std::vector<ManifestObject> objects) {
  PartitionRuntime& p = *handle;
  const std::uint64_t gate = segment.required_journal_version;
  if (segment.start >= segment.end) {  // nothing was consumed: no cut to record
    p.state.manifest_written(gate);
    return;
  }
  Manifest m;
  m.topic = p.state.tp().topic;
  m.partition = p.state.tp().partition;
  m.first_offset = segment.start;
  m.end_offset = segment.end;
  m.reason = reason;
  m.records = segment.records;
  m.bytes = segment.bytes;
  m.objects = std::move(objects);
  std::string key =
      manifest_key(config_.s3.prefix, m.topic, m.partition, {m.first_offset, m.end_offset});
  asio::co_spawn(
      executor_,
      [this, handle, gate, key, body = encode_manifest(m),
       alive = std::weak_ptr<bool>(alive_)]() mutable -> asio::awaitable<void> {
        if (alive.expired()) co_return;
        auto result = co_await manifest_store_->put(key, std::move(body));
        if (alive.expired()) co_return;
        manifest_written(handle, gate, key, result);
      },
      on_exception("writing the manifest " + key));
}

void Pipeline::manifest_written(const std::shared_ptr<PartitionRuntime>& handle, std::uint64_t gate,
                                const std::string& key, const s3::S3Result<void>& result) {
  const kafka::TopicPartition& tp = handle->state.tp();
  if (!result) {
    const s3::S3Error& e = result.error();
    log::error("writing a cut manifest failed", {{"key", key},
                                                 {"operation", e.operation},
                                                 {"http_status", e.http_status},
                                                 {"code", e.code},
                                                 {"attempts", e.attempts},
                                                 {"error", e.describe()}});
    // The segment's objects must not complete: a re-run would not know where they end. The
    // gate never opens: abort what waits for it; what is durable is committed at the drain.
    handle->phase = PartitionPhase::journal_lost;
    handle->changed.notify_all();
    abort_live(*handle);
    settled_.notify_all();
    fail("writing the cut manifest " + key + " failed: " + e.describe(), false);
    return;
  }
  handle->state.manifest_written(gate);
  metrics_.manifests_written.with({tp.topic}).inc();
  log::debug("cut manifest written", {{"key", key}});
  handle->changed.notify_all();
  settled_.notify_all();
  // A revoking partition commits in revoke_one; a revoked one must not commit at all.
  if (handle->active()) schedule_commit(handle);
}

}  // namespace ks3::server

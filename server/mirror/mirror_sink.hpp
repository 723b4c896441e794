// mode: mirror on the event loop: the consumer's listener that turns records into per-document
// S3 requests (PutObject, DeleteObject) and commits offsets only behind durable requests.
//
// A thin shell: MirrorChangeReader decides what a record means, MirrorPlanner decides which
// request goes when and what may be committed; this file reads records, sends the planner's
// requests with the S3 client (at most s3.max_connections at once), reports them durable, and
// commits. One request per key at a time keeps a key's requests in offset order; changes that
// arrive while their key waits coalesce into one request. A request that fails for good (after
// the client's retries) stops the sink: what is not durable is not committed, and the next run
// replays it (PUT and DELETE are idempotent, so the bucket converges). See docs/DESIGN.md.
//
// Key log (mirror.key_log, key_log.hpp; the S3 side in mirror_key_log.cpp): on assignment a
// partition stays paused until its key map is read back from S3; before a commit that covers key
// changes, their delta is PUT (a failed PUT stops the sink and nothing past it is committed);
// every mirror.key_log_snapshot_every deltas a snapshot of the partition's map is PUT and what
// it makes unnecessary is deleted.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/consumer_listener.hpp"
#include "metrics/sink_metrics.hpp"
#include "s3/client.hpp"
#include "server/config/config.hpp"
#include "server/mirror/change_reader.hpp"
#include "server/mirror/planner.hpp"
#include "server/pipeline/async_condition.hpp"
#include "server/pipeline/manifest_store.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {

struct MirrorStats {
  std::uint64_t records = 0;
  std::uint64_t puts = 0;
  std::uint64_t deletes = 0;
  std::uint64_t commits = 0;
};

class MirrorSink final : public kafka::ConsumerListener {
 public:
  using FatalHandler = std::function<void(const std::string& message)>;

  MirrorSink(boost::asio::any_io_executor executor, const SinkConfig& config, s3::Client& client,
             metrics::SinkMetrics& metrics);
  ~MirrorSink() override;
  MirrorSink(const MirrorSink&) = delete;
  MirrorSink& operator=(const MirrorSink&) = delete;

  void set_consumer(ConsumerControl* consumer) { consumer_ = consumer; }
  void set_fatal_handler(FatalHandler handler) { fatal_ = std::move(handler); }
  // Tests: where the key log is read and written (default: the sink's bucket through the client).
  void set_key_store_for_tests(ManifestStore* store) { key_store_ = store; }

  // Starts the tick (commit retries).
  void start();

  // kafka::ConsumerListener
  void on_assigned(std::span<const kafka::AssignedPartition> partitions) override;
  boost::asio::awaitable<void> on_revoked(
      std::span<const kafka::TopicPartition> partitions) override;
  void on_record(const kafka::Record& record) override;
  void on_records_delivered() override;
  void on_error(const kafka::ConsumerError& error) override;

  // Graceful stop: no more records; send what waits and commit, within `deadline`. True when
  // everything settled in time.
  boost::asio::awaitable<bool> drain(std::chrono::milliseconds deadline);
  void stop();

  const MirrorStats& stats() const { return stats_; }
  std::size_t assigned_partitions() const { return partitions_.size(); }
  // The last acknowledged commit of an assigned partition (-1: none), for the lag metrics.
  std::int64_t committed_offset(const kafka::TopicPartition& tp) const;
  bool failed() const { return failure_.has_value(); }

 private:
  struct PartitionHandle {
    std::uint64_t id = 0;
    std::int64_t committed = -1;
    bool commit_in_flight = false;
    bool revoking = false;
    std::chrono::steady_clock::time_point last_commit_at{};
    // Key log: paused until the key map is read back; what this instance knows is in S3 (read
    // at the load or written since); deltas since the last snapshot.
    bool loading = false;
    bool key_log_lost = false;  // a delta PUT failed: nothing more is committed
    bool snapshot_in_flight = false;
    std::vector<std::int64_t> snapshots;
    std::vector<std::int64_t> deltas;
    std::uint64_t deltas_since_snapshot = 0;
  };
  // running -> failed -> draining -> stopped; running -> draining -> stopped.
  enum class Phase { running, failed, draining, stopped };

  PartitionHandle* find(std::string_view topic, std::int32_t partition);
  void handle_bad_record(std::uint64_t partition_id, const RecordView& record,
                         const std::string& error);
  void count_outcome(std::string_view topic, const MirrorPlanOutcome& outcome);
  void dispatch();
  boost::asio::awaitable<void> send(MirrorRequest request);
  void schedule_commit(const kafka::TopicPartition& tp);
  boost::asio::awaitable<void> commit_one(kafka::TopicPartition tp, std::uint64_t id,
                                          std::int64_t offset);
  void apply_backpressure();
  // mirror_key_log.cpp
  PartitionHandle* current(const kafka::TopicPartition& tp, std::uint64_t id);
  std::string key_log_folder_of(const kafka::TopicPartition& tp) const;
  boost::asio::awaitable<void> load_key_log(kafka::TopicPartition tp, std::uint64_t id);
  // Every key under `prefix` (all pages), retried with backoff while the partition is current;
  // nullopt when it is not any more.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> list_key_log(
      const kafka::TopicPartition& tp, std::uint64_t id, std::string prefix);
  // The body of a key log object (retried like the listing); "" when it is gone, nullopt when
  // the partition is not current any more.
  boost::asio::awaitable<std::optional<std::string>> get_key_log(const kafka::TopicPartition& tp,
                                                                 std::uint64_t id, std::string key);
  // Writes the delta of the key changes before `offset` (if any), then commits `offset`. False
  // when either failed (a failed delta also stops the sink).
  boost::asio::awaitable<bool> persist_and_commit(kafka::TopicPartition tp, std::uint64_t id,
                                                  std::int64_t offset);
  void maybe_snapshot(const kafka::TopicPartition& tp);
  boost::asio::awaitable<void> write_snapshot(kafka::TopicPartition tp, std::uint64_t id,
                                              KeyLogBody snapshot);
  void repause_loading();
  bool all_settled() const;
  boost::asio::awaitable<void> tick_loop(std::weak_ptr<bool> alive);
  void fail(const std::string& message);
  std::function<void(std::exception_ptr)> on_exception(std::string what);

  boost::asio::any_io_executor executor_;
  const SinkConfig& config_;
  s3::Client& client_;
  metrics::SinkMetrics& metrics_;
  ConsumerControl* consumer_ = nullptr;
  FatalHandler fatal_;
  bool key_log_ = false;
  std::unique_ptr<S3ManifestStore> own_key_store_;
  ManifestStore* key_store_ = nullptr;
  MirrorChangeReader reader_;
  MirrorPlanner planner_;
  std::size_t max_in_flight_;
  // librdkafka's prefetch, reserved in the memory budget (config kafka_prefetch_bytes).
  std::uint64_t kafka_prefetch_bytes_;
  std::size_t in_flight_ = 0;
  bool needs_headers_ = false;
  bool paused_ = false;
  std::map<kafka::TopicPartition, PartitionHandle> partitions_;
  // Records and bytes consumed since the last on_records_delivered, per topic (added per batch).
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>> consumed_;
  std::uint64_t evictions_reported_ = 0;
  boost::asio::steady_timer tick_timer_;
  AsyncCondition settled_;  // a request or a commit finished
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  MirrorStats stats_;
  Phase phase_ = Phase::running;
  std::optional<std::string> failure_;
};

}  // namespace ks3::server

// The pipeline: Kafka records in, objects in S3 out, offsets committed only for durable data.
// It is the consumer's listener (kafka/consumer_listener.hpp) and runs on the one io_context.
//
// Per record: the partition's rotation decides whether to cut first; tombstones and bad records
// go through their policies; the key template routes the record to an object group; the encoder
// writes it into that group's open object (compressor -> parts -> multipart upload). A cut
// closes every open object of the partition at one offset; the offset tracker marks the
// segment durable when all its objects completed, and the commit advances to the durable
// prefix. Moment cuts (idle flush, memory pressure, shutdown) are journaled in the commit
// metadata before their objects complete (PartitionState). With a manifest store, every cut
// also writes a manifest to S3 before its objects complete, and an assigned partition stays
// paused until its manifests are listed and their cuts set up for replay
// (pipeline_manifests.cpp). See docs/DESIGN.md.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/consumer_listener.hpp"
#include "kafka/topic_partition.hpp"
#include "metrics/sink_metrics.hpp"
#include "s3/multipart_upload.hpp"
#include "s3/retry_policy.hpp"
#include "server/config/config.hpp"
#include "server/delivery/manifest.hpp"
#include "server/format/parquet_object.hpp"
#include "server/format/record_encoder.hpp"
#include "server/keys/key_template.hpp"
#include "server/pipeline/avro_input.hpp"
#include "server/pipeline/dead_letter_producer.hpp"
#include "server/pipeline/manifest_store.hpp"
#include "server/pipeline/memory_account.hpp"
#include "server/pipeline/object_writer.hpp"
#include "server/pipeline/partition_runtime.hpp"
#include "server/record/debezium.hpp"
#include "server/record/json_path.hpp"
#include "server/workers/worker_pool.hpp"

namespace ks3::server {

// The upload limits of the configuration (s3.max_parts_in_flight, ..._per_object). The
// completion slots follow s3.max_connections: single-PutObject objects then go out as fast as
// the connections allow, and the ones beyond wait without a request in the client.
s3::MultipartLimits multipart_limits(const SinkConfig& config);

// What the pipeline needs from the consumer (kafka::Consumer in the daemon; a fake in tests).
class ConsumerControl {
 public:
  virtual ~ConsumerControl() = default;
  virtual boost::asio::awaitable<boost::system::error_code> commit(kafka::TopicPartition tp,
                                                                   std::int64_t next_offset,
                                                                   std::string metadata) = 0;
  virtual void pause_all() = 0;
  virtual void resume_all() = 0;
  // One partition (e.g. until its manifests are read); paused from on_assigned, it starts paused.
  virtual void pause(const kafka::TopicPartition& tp) = 0;
  virtual void resume(const kafka::TopicPartition& tp) = 0;
};

struct PipelineStats {
  std::uint64_t records = 0;
  std::uint64_t objects_completed = 0;
  std::uint64_t objects_aborted = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_failures = 0;
  std::uint64_t memory_pressure_cuts = 0;
  std::uint64_t pauses = 0;
};

class Pipeline final : public kafka::ConsumerListener {
 public:
  // Called once with a message naming what went wrong (the sink must stop: a bad record under
  // the fail policy, a failed upload, a fatal consumer error).
  using FatalHandler = std::function<void(const std::string& message)>;

  // `workers` compresses the objects' blocks and encodes their Parquet/Avro bodies (and is shared
  // with the S3 client's hashing).
  Pipeline(boost::asio::any_io_executor executor, const SinkConfig& config,
           s3::MultipartUploads& uploads, WorkerPool& workers, metrics::SinkMetrics& metrics);
  ~Pipeline() override;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void set_consumer(ConsumerControl* consumer) { consumer_ = consumer; }
  // Cut manifests (delivery.manifests): written at every cut, read on assignment. Null: off.
  void set_manifest_store(ManifestStore* store) { manifest_store_ = store; }
  void set_fatal_handler(FatalHandler handler) { fatal_ = std::move(handler); }
  // Tests: called for every record before it is processed (throw to fail the record path).
  void set_record_hook_for_tests(std::function<void(const RecordView&)> hook) {
    record_hook_ = std::move(hook);
  }

  // Tests: the backoff of commit retries (and its random source) for partitions assigned later.
  void set_commit_retry_for_tests(s3::RetryConfig config, s3::UnitRandom random) {
    commit_retry_config_ = config;
    commit_random_ = std::move(random);
  }

  // Starts the wall-clock tick (idle flush, max open, commit retries once their backoff passed).
  void start();
  // Start-up, before start(): with bad_records.dead_letter_topic, checks that the topic exists
  // (pipeline_dead_letters.cpp). Returns the one-line error that must stop the sink (exit 2).
  // The lookup asks in short slices and ends (nullopt) soon after `stop_requested` turns true.
  boost::asio::awaitable<std::optional<std::string>> check_dead_letter_topic(
      std::function<bool()> stop_requested = {});

  // kafka::ConsumerListener
  void on_assigned(std::span<const kafka::AssignedPartition> partitions) override;
  boost::asio::awaitable<void> on_revoked(
      std::span<const kafka::TopicPartition> partitions) override;
  void on_record(const kafka::Record& record) override;
  void on_records_delivered() override;
  void on_error(const kafka::ConsumerError& error) override;

  // Graceful stop: no more records; cut every partition (journaled), complete the objects and
  // commit, within `deadline`. Returns true when everything settled in time (else what was
  // still open is aborted and only durable data is committed).
  boost::asio::awaitable<bool> drain(std::chrono::milliseconds deadline);

  // Stops the tick and aborts every object (after drain, or when giving up).
  void stop();

  const PipelineStats& stats() const { return stats_; }
  std::size_t assigned_partitions() const { return partitions_.size(); }
  const MemoryAccount& memory() const { return *memory_; }
  bool failed() const { return failure_.has_value(); }
  // Delivery state of an assigned partition (tests, diagnostics).
  const PartitionState* partition_state(const kafka::TopicPartition& tp) const;

 private:
  std::shared_ptr<PartitionRuntime> find(std::string_view topic, std::int32_t partition);
  // `input_error`: the record could not be read as input (format.input avro): it goes to the
  // bad-record policy with that reason.
  // `writer`: the value is an Avro datum of this writer schema (AvroInput::Mode::datum).
  void process(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
               const std::string* input_error = nullptr,
               const std::shared_ptr<const AvroWriterSchema>& writer = nullptr);
  // The record itself: tombstone and bad-record policies, then writing (process() cuts).
  void consume(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
               const std::string* input_error,
               const std::shared_ptr<const AvroWriterSchema>& writer);
  // True when the tombstone was dealt with (ignored or failed) and must not be written.
  bool handle_tombstone(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record);
  // `writer`: an Avro datum's schema; objects then hold one writer schema each.
  void write_record(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
                    bool dead_letter, std::string_view encoded,
                    const std::shared_ptr<const AvroWriterSchema>& writer = nullptr);
  // `label`: the metrics' reason label (invalid_json, invalid_avro).
  void handle_bad_record(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
                         const std::string& error, std::string_view label = "invalid_json");
  // bad_records.dead_letter_topic (pipeline_dead_letters.cpp): the record is produced to the DLQ
  // topic as a pending unit of its segment (absent from the objects, as with skip).
  void produce_dead_letter(const std::shared_ptr<PartitionRuntime>& handle,
                           const RecordView& record, const std::string& error,
                           std::string_view label);
  void dead_letter_done(const std::shared_ptr<PartitionRuntime>& handle,
                        DeadLetterUnits::Ticket ticket, const std::string& position,
                        const boost::system::error_code& code, const std::string& why);
  std::shared_ptr<ObjectWriter> open_object(const std::shared_ptr<PartitionRuntime>& handle,
                                            const RecordView& record, const std::string& group,
                                            const std::string& slot, bool dead_letter,
                                            const std::shared_ptr<const AvroWriterSchema>& writer);

  // Cuts (pipeline_cuts.cpp)
  void cut(const std::shared_ptr<PartitionRuntime>& handle, std::int64_t end_offset,
           CutReason reason);
  bool moment_cut(const std::shared_ptr<PartitionRuntime>& handle, CutReason reason);
  void relieve_memory_pressure();
  void on_memory_change();
  void count_tombstone(std::string_view topic, std::string_view action);
  metrics::TopicMetrics& topic_metrics(std::string_view topic);
  boost::asio::awaitable<void> tick_loop(std::weak_ptr<bool> alive);
  void tick();
  void abort_open(PartitionRuntime& p);
  void abort_live(PartitionRuntime& p);
  bool all_settled() const;
  void object_done(const std::shared_ptr<PartitionRuntime>& handle, ObjectWriter& writer,
                   ObjectOutcome outcome, const ObjectFailure& failure);
  // The completion handler of a coroutine the pipeline spawns: an exception fails the sink.
  std::function<void(std::exception_ptr)> on_exception(std::string what);

  // Manifests (pipeline_manifests.cpp)
  void start_loading_manifests(const std::vector<std::shared_ptr<PartitionRuntime>>& handles);
  boost::asio::awaitable<void> load_manifests(std::shared_ptr<PartitionRuntime> handle);
  // Reads the first manifests to replay and checks that the objects they list exist
  // (diagnostics only: the cuts are replayed either way).
  boost::asio::awaitable<void> check_manifests(std::shared_ptr<PartitionRuntime> handle,
                                               std::vector<ManifestName> names);
  void write_manifest(const std::shared_ptr<PartitionRuntime>& handle, const ClosedSegment& segment,
                      CutReason reason, std::vector<ManifestObject> objects);
  void manifest_written(const std::shared_ptr<PartitionRuntime>& handle, std::uint64_t gate,
                        const std::string& key, const s3::S3Result<void>& result);
  // Partitions still reading their manifests stay paused when the consumer resumes all.
  void repause_loading();

  // Commits (pipeline_commits.cpp)
  void schedule_commit(const std::shared_ptr<PartitionRuntime>& handle);
  boost::asio::awaitable<bool> commit_now(std::shared_ptr<PartitionRuntime> handle);
  boost::asio::awaitable<void> revoke_one(std::shared_ptr<PartitionRuntime> handle);
  // `cut_on_drain`: the data before the failure may still be cut and completed at drain (a bad
  // record); false when S3 itself failed.
  void fail(const std::string& message, bool cut_on_drain = true);

  // running -> (a failure) failed -> draining -> stopped; running -> draining -> stopped.
  enum class Phase { running, failed, draining, stopped };
  struct Failure {
    std::string message;
    bool cut_on_drain = true;
  };

  boost::asio::any_io_executor executor_;
  const SinkConfig& config_;
  s3::MultipartUploads& uploads_;
  WorkerPool& workers_;
  metrics::SinkMetrics& metrics_;
  ConsumerControl* consumer_ = nullptr;
  ManifestStore* manifest_store_ = nullptr;
  FatalHandler fatal_;
  std::function<void(const RecordView&)> record_hook_;
  s3::RetryConfig commit_retry_config_ = default_commit_retry_config();
  s3::UnitRandom commit_random_ = s3::default_unit_random();

  RecordEncoder encoder_;
  KeyTemplate key_template_;
  RotationOptions rotation_;
  KeyTemplate dead_letter_template_;
  ChangeDetector change_detector_;
  JsonReader json_;
  std::string scratch_;  // the encoded record, reused
  std::string content_type_;
  std::string dead_letter_content_type_;
  std::optional<ParquetObjectOptions> parquet_;  // format.type parquet
  std::unique_ptr<AvroInput> avro_;              // format.input avro
  bool avro_datums_ = false;  // Avro input into a format that uses the writer schema
  std::shared_ptr<MemoryAccount> memory_;
  // bad_records.dead_letter_topic set: dead letters go to Kafka (null: to S3).
  std::unique_ptr<DeadLetterProducer> dead_letter_producer_;

  std::map<kafka::TopicPartition, std::shared_ptr<PartitionRuntime>> partitions_;
  std::shared_ptr<PartitionRuntime> last_partition_;  // records come in runs per partition
  bool needs_headers_ = false;  // headers are decoded only when an output shows them
  std::map<std::string, metrics::TopicMetrics, std::less<>> topic_metrics_;
  // Records and bytes consumed since the last on_records_delivered, per topic: prometheus-cpp
  // counters are atomic doubles (a compare-exchange per update), so they are added per batch.
  struct ConsumedTally {
    metrics::TopicMetrics* topic = nullptr;
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
  };
  std::vector<ConsumedTally> consumed_;
  boost::asio::steady_timer tick_timer_;
  AsyncCondition settled_;  // an object finished or a commit ended (drain waits on it)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // Set while the memory budget holds consumption paused: since when (idle time stops then).
  std::optional<SteadyTime> memory_paused_since_;
  PipelineStats stats_;
  Phase phase_ = Phase::running;
  std::optional<Failure> failure_;
};

}  // namespace ks3::server

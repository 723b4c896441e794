// The pipeline's record path: routing, policies for tombstones and bad records, writing.
#include "server/pipeline/pipeline.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "kafka/errors.hpp"
#include "metrics/exception_message.hpp"
#include "metrics/log.hpp"
#include "server/format/avro_object.hpp"
#include "server/format/parquet_object.hpp"
#include "server/pipeline/arrival_clock.hpp"

namespace ks3::server {
namespace asio = boost::asio;

s3::MultipartLimits multipart_limits(const SinkConfig& config) {
  s3::MultipartLimits limits;
  limits.max_parts_in_flight = config.s3.max_parts_in_flight;
  limits.max_parts_in_flight_per_object = config.s3.max_parts_in_flight_per_object;
  limits.max_completing = config.s3.client.max_connections;
  return limits;
}

Pipeline::Pipeline(asio::any_io_executor executor, const SinkConfig& config,
                   s3::MultipartUploads& uploads, WorkerPool& workers,
                   metrics::SinkMetrics& metrics)
    : executor_(executor),
      config_(config),
      uploads_(uploads),
      workers_(workers),
      metrics_(metrics),
      encoder_(config.format),
      key_template_(config.object_key_template()),
      rotation_(effective_rotation(config)),
      dead_letter_template_(config.dead_letter_key_template()),
      content_type_(object_content_type(config.format.format, config.compression.type)),
      dead_letter_content_type_(object_content_type(OutputFormat::jsonl, config.compression.type)),
      tick_timer_(executor),
      settled_(executor) {
  memory_ = std::make_shared<MemoryAccount>(
      reserved_memory_bytes(config), config.memory.high_watermark, config.memory.low_watermark,
      [this](MemoryBudget::Change) {
        // Transitions can come from a part's deleter deep inside the S3 client: act on them
        // from a fresh handler, against the state at that time.
        asio::post(executor_, [this, alive = std::weak_ptr<bool>(alive_)] {
          if (!alive.expired()) on_memory_change();
        });
      });
  if (config.format.format == OutputFormat::parquet) {
    parquet_ =
        parquet_object_options(config.format, config.compression.type, config.compression.level);
  }
  if (config.input == InputFormat::avro) {
    avro::RegistryOptions registry;
    registry.url = config.schema_registry.url;
    registry.username = config.schema_registry.username;
    registry.password = config.schema_registry.password;
    registry.ca_file = config.schema_registry.ca_file;
    // Outputs that use the writer schema take the datums; the others take JSON.
    avro_datums_ = config.format.format == OutputFormat::avro ||
                   (config.format.format == OutputFormat::parquet &&
                    config.format.parquet_value == ParquetValueMode::infer);
    std::shared_ptr<const AvroWriterSchema> reader;
    if (config.avro_reader_schema.schema) {  // loaded with the configuration
      reader =
          reader_schema(config.avro_reader_schema.text, config.avro_reader_schema.schema).value();
    }
    avro_ = std::make_unique<AvroInput>(
        executor_, std::move(registry),
        avro_datums_ ? AvroInput::Mode::datum : AvroInput::Mode::json, std::move(reader),
        config.key_input == KeyInput::avro, memory_,
        [this](const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
               const std::string* bad, const std::shared_ptr<const AvroWriterSchema>& writer) {
          // Records may come back later (after a schema fetch): only while running.
          if (phase_ != Phase::running || !handle->active()) return;
          try {
            if (record_hook_) record_hook_(record);
            process(handle, record, bad, writer);
          } catch (const std::exception& e) {
            fail("unexpected error on the record path at " + record_position(record) + ": " +
                     e.what(),
                 false);
          }
        },
        [this](const std::string& message) { fail(message, true); });
  }
  if (config.bad_records.policy == BadRecordPolicy::dead_letter &&
      !config.bad_records.dead_letter_topic.empty()) {
    dead_letter_producer_ = std::make_unique<DeadLetterProducer>(
        executor_, dead_letter_producer_config(config), config.bad_records.dead_letter_topic,
        on_exception("the dead-letter producer"));
  }
  metrics_.memory_budget_limit_bytes.set(static_cast<double>(config.memory.high_watermark));
  const auto& fields = config.format.fields;
  needs_headers_ =
      config.bad_records.policy == BadRecordPolicy::dead_letter ||
      config.input == InputFormat::avro ||  // a schema id may come in a header
      (config.format.format != OutputFormat::raw &&
       std::find(fields.begin(), fields.end(), EnvelopeField::headers) != fields.end());
}

Pipeline::~Pipeline() {
  memory_->detach();
  for (auto& [tp, handle] : partitions_) abort_live(*handle);
}

const PartitionState* Pipeline::partition_state(const kafka::TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : &it->second->state;
}

std::shared_ptr<PartitionRuntime> Pipeline::find(std::string_view topic, std::int32_t partition) {
  // The consumer delivers runs of records of one partition: check the last one first (the map
  // lookup builds a key string).
  if (last_partition_ && last_partition_->active() &&
      last_partition_->state.tp().partition == partition &&
      last_partition_->state.tp().topic == topic) {
    return last_partition_;
  }
  auto it = partitions_.find(kafka::TopicPartition{std::string(topic), partition});
  last_partition_ = it == partitions_.end() ? nullptr : it->second;
  return last_partition_;
}

metrics::TopicMetrics& Pipeline::topic_metrics(std::string_view topic) {
  auto it = topic_metrics_.find(topic);
  if (it == topic_metrics_.end()) {
    it = topic_metrics_.emplace(std::string(topic), metrics_.topic(topic)).first;
  }
  return it->second;
}

void Pipeline::on_assigned(std::span<const kafka::AssignedPartition> partitions) {
  std::vector<std::shared_ptr<PartitionRuntime>> loading;
  for (const kafka::AssignedPartition& assigned : partitions) {
    PartitionState state(assigned.tp, assigned.committed_offset, assigned.committed_metadata,
                         rotation_);
    if (state.journal_warning()) {
      log::warn("commit metadata is not a cut journal; starting without one",
                {{"topic", assigned.tp.topic},
                 {"partition", assigned.tp.partition},
                 {"reason", *state.journal_warning()}});
    }
    log::info("partition assigned", {{"topic", assigned.tp.topic},
                                     {"partition", assigned.tp.partition},
                                     {"committed_offset", assigned.committed_offset},
                                     {"journaled_cuts", state.replayed_cuts()}});
    if (manifest_store_) state.require_manifests();
    auto handle = std::make_shared<PartitionRuntime>(
        executor_, std::move(state), CommitRetry(commit_retry_config_, commit_random_),
        manifest_store_ ? PartitionPhase::loading : PartitionPhase::active);
    if (manifest_store_) loading.push_back(handle);
    partitions_[assigned.tp] = std::move(handle);
    metrics_.partition(assigned.tp.topic, assigned.tp.partition);
  }
  metrics_.rebalances.with({"assigned"}).inc();
  metrics_.assigned_partitions.set(static_cast<double>(partitions_.size()));
  // New partitions start paused when the budget is exhausted or the sink is stopping.
  if (consumer_ && (memory_paused_since_ || phase_ != Phase::running)) consumer_->pause_all();
  start_loading_manifests(loading);
}

void Pipeline::on_error(const kafka::ConsumerError& error) {
  // Label by the stable code name (e.g. _TRANSPORT): messages vary and would explode cardinality.
  metrics_.kafka_errors.with({kafka::error_name(error.code)}).inc();
  if (error.fatal) {
    fail("fatal Kafka consumer error: " + error.message, false);
    return;
  }
  log::warn("kafka consumer error",
            {{"error", error.message}, {"code", kafka::error_name(error.code)}});
}

void Pipeline::on_records_delivered() {
  for (ConsumedTally& tally : consumed_) {
    if (tally.records == 0) continue;
    tally.topic->records_consumed.inc(tally.records);
    tally.topic->bytes_consumed.inc(tally.bytes);
    tally.records = 0;
    tally.bytes = 0;
  }
}

void Pipeline::on_record(const kafka::Record& record) {
  if (phase_ != Phase::running) return;  // not consumed: never committed
  auto handle = find(record.topic, record.partition);
  if (handle && handle->phase == PartitionPhase::loading) {
    // The partition is paused until its manifests are read: a record now would be cut without
    // knowing the recorded cuts. It is not consumed (never committed): the next start reads it.
    fail("a record of " + std::string(record.topic) + "/" + std::to_string(record.partition) +
             " at offset " + std::to_string(record.offset) +
             " arrived before the partition's manifests were read",
         false);
    return;
  }
  if (!handle || !handle->active()) return;
  const RecordView view = view_of(record, needs_headers_);
  ++stats_.records;
  metrics::TopicMetrics* topic = &topic_metrics(record.topic);
  if (consumed_.empty() || consumed_.back().topic != topic) {
    auto it = std::find_if(consumed_.begin(), consumed_.end(),
                           [topic](const ConsumedTally& t) { return t.topic == topic; });
    if (it == consumed_.end()) {
      consumed_.push_back({topic});
    } else {
      std::iter_swap(it, consumed_.end() - 1);  // records come in runs: keep the last one last
    }
  }
  ConsumedTally& tally = consumed_.back();
  ++tally.records;
  tally.bytes += payload_bytes(record);
  try {
    if (avro_) {
      avro_->on_record(handle, view);  // converted (now or after a schema fetch), then process()
      return;
    }
    if (record_hook_) record_hook_(view);
    process(handle, view);
  } catch (const std::exception& e) {
    // A bug or a library failure on the record path: the partition's open objects may be
    // inconsistent, so nothing more is cut; what is durable is committed at the drain.
    fail("unexpected error on the record path at " + record_position(view) + ": " + e.what(),
         false);
  }
}

void Pipeline::process(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
                       const std::string* input_error,
                       const std::shared_ptr<const AvroWriterSchema>& writer) {
  PartitionState& state = handle->state;
  // A datum of another writer schema than the open objects' cuts first (schema_change).
  const std::string_view schema = writer && !input_error ? writer->name : std::string_view();
  if (CutReason reason = state.before_record(record.offset, record.timestamp_ms, schema);
      reason != CutReason::none) {
    cut(handle, record.offset, reason);
  }
  consume(handle, record, input_error, writer);
  // A record that fills the segment closes it right away: the full object does not wait for
  // the next record (or idle_flush). Before relieving memory, so a full segment is cut by the
  // deterministic rule rather than by a journaled memory-pressure cut.
  if (CutReason reason = state.after_record(record.offset);
      reason != CutReason::none && handle->active()) {
    cut(handle, record.offset + 1, reason);
  }
  if (phase_ == Phase::running && memory_->above_high()) relieve_memory_pressure();
}

void Pipeline::consume(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
                       const std::string* input_error,
                       const std::shared_ptr<const AvroWriterSchema>& writer) {
  if (input_error) {
    handle_bad_record(handle, record, *input_error, "invalid_avro");
    return;
  }
  if (writer) {  // an Avro datum (checked by the input) for a format that uses its schema
    if (config_.format.format == OutputFormat::avro) {
      write_record(handle, record, false, *record.value, writer);
      return;
    }
    scratch_.clear();
    if (auto error = encoder_.encode_parquet_datum(record, ChangeOp::none, json_, scratch_)) {
      handle_bad_record(handle, record, *error);
      return;
    }
    write_record(handle, record, false, scratch_, writer);
    return;
  }
  if (!record.value && handle_tombstone(handle, record)) return;
  ChangeOp op = encoder_.needs_op() ? change_detector_.detect(record, json_) : ChangeOp::none;
  scratch_.clear();
  if (auto error = encoder_.encode(record, op, json_, scratch_)) {
    handle_bad_record(handle, record, *error);
    return;
  }
  write_record(handle, record, false, scratch_);
}

void Pipeline::count_tombstone(std::string_view topic, std::string_view action) {
  metrics_.tombstones.with({topic, action}).inc();
}

bool Pipeline::handle_tombstone(const std::shared_ptr<PartitionRuntime>& handle,
                                const RecordView& record) {
  switch (config_.tombstones) {
    case TombstonePolicy::write:
      count_tombstone(record.topic, "written");
      return false;
    case TombstonePolicy::ignore:
      count_tombstone(record.topic, "ignored");
      handle->state.record_consumed(record.offset, record.timestamp_ms, 0, arrival_now());
      return true;
    case TombstonePolicy::fail:
      count_tombstone(record.topic, "failed");
      fail("tombstone (null value) at " + record_position(record) +
           " and tombstones is 'fail'; set tombstones to ignore or write to accept them");
      return true;
  }
  return true;
}

void Pipeline::handle_bad_record(const std::shared_ptr<PartitionRuntime>& handle,
                                 const RecordView& record, const std::string& error,
                                 std::string_view label) {
  const std::string_view reason = label;
  switch (config_.bad_records.policy) {
    case BadRecordPolicy::fail:
      metrics_.records_failed.with({record.topic, reason}).inc();
      fail(error + " (bad_records.policy is 'fail')");
      return;
    case BadRecordPolicy::skip:
      metrics_.records_skipped.with({record.topic, reason}).inc();
      log::warn("bad record skipped", {{"record", record_position(record)}, {"error", error}});
      handle->state.record_consumed(record.offset, record.timestamp_ms, 0, arrival_now());
      return;
    case BadRecordPolicy::dead_letter:
      metrics_.records_dead_lettered.with({record.topic, reason}).inc();
      if (dead_letter_producer_) {
        produce_dead_letter(handle, record, error, label);
        return;
      }
      scratch_.clear();
      encode_dead_letter(record, error, scratch_);
      write_record(handle, record, true, scratch_);
      return;
  }
}

void Pipeline::write_record(const std::shared_ptr<PartitionRuntime>& handle,
                            const RecordView& record, bool dead_letter, std::string_view encoded,
                            const std::shared_ptr<const AvroWriterSchema>& writer_schema) {
  PartitionRuntime& p = *handle;
  // The group, rendered per record unless the template depends on the partition alone (then
  // the partition's cached one is used in place: no string copied per record).
  std::string rendered;
  const std::string* group = &rendered;
  if (dead_letter) {
    rendered = dead_letter_template_.render_group(record, json_);
  } else if (key_template_.per_partition_only()) {
    if (p.cached_group.empty()) p.cached_group = key_template_.render_group(record, json_);
    group = &p.cached_group;
  } else {
    rendered = key_template_.render_group(record, json_);
  }
  // The open objects of a partition by slot: the group, plus the writer schema when the records
  // are Avro datums. A record with another schema than the open objects' cut the partition
  // first (process(), CutReason::schema_change), so every object holds one schema; the suffix
  // keeps a schema-less object (a tombstone opened it) apart from the datums' object.
  std::string schema_slot;
  const std::string* slot = group;
  if (writer_schema) {
    schema_slot = *group + '\x1f' + writer_schema->name;
    slot = &schema_slot;
  } else if (avro_datums_ && !dead_letter) {
    // A tombstone (no schema) joins an open object of its group, whatever its schema.
    const std::string prefix = *group + '\x1f';
    if (auto open = p.open.lower_bound(prefix);
        open != p.open.end() && open->first.starts_with(prefix)) {
      schema_slot = open->first;
      slot = &schema_slot;
    }
  }
  if (!writer_schema && !dead_letter && config_.format.format == OutputFormat::avro) {
    // Tombstones are refused by the configuration check: a record here is a bug, not data.
    throw std::logic_error("format avro: a record without an Avro writer schema");
  }
  auto it = p.open.find(*slot);
  std::shared_ptr<ObjectWriter> writer =
      it != p.open.end() ? it->second
                         : open_object(handle, record, *group, *slot, dead_letter, writer_schema);
  writer->append(encoded, record.offset, record.timestamp_ms);
  p.state.record_consumed(
      record.offset, record.timestamp_ms, encoded.size(), arrival_now(),
      writer_schema ? std::string_view(writer_schema->name) : std::string_view());
}

std::shared_ptr<ObjectWriter> Pipeline::open_object(
    const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record,
    const std::string& group, const std::string& slot, bool dead_letter,
    const std::shared_ptr<const AvroWriterSchema>& writer_schema) {
  ObjectSummary summary;
  summary.key = KeyTemplate::object_key(group, record.offset);
  summary.topic = std::string(record.topic);
  summary.partition = record.partition;
  summary.first_offset = record.offset;
  summary.last_offset = record.offset;
  summary.opened_at = std::chrono::steady_clock::now();
  summary.dead_letter = dead_letter;
  // Parquet and Avro objects compress inside the file (their ObjectBody); dead letters are JSON
  // lines, compressed as a whole unless the codec is one only those formats have (snappy).
  std::unique_ptr<ObjectBody> body;
  if (!dead_letter && parquet_) {
    body = std::make_unique<ParquetObject>(*parquet_, writer_schema);
  } else if (!dead_letter && config_.format.format == OutputFormat::avro && writer_schema) {
    avro::ContainerOptions options;
    options.codec = avro_codec(config_.compression.type);
    options.level = config_.compression.level;
    body = std::make_unique<AvroObject>(writer_schema->text, summary.key, std::move(options));
  }
  const Compression compression = body || config_.compression.type == Compression::snappy
                                      ? Compression::none
                                      : config_.compression.type;
  ObjectBuffer buffer(compression, compression == Compression::none ? 0 : config_.compression.level,
                      config_.s3.part_size, dead_letter ? std::string() : encoder_.object_header());
  auto writer = std::make_shared<ObjectWriter>(
      executor_, uploads_, workers_, config_.s3.client.bucket,
      dead_letter ? dead_letter_content_type_ : content_type_, config_.s3.objects,
      std::move(summary), std::move(buffer), memory_, handle,
      [this, alive = std::weak_ptr<bool>(alive_), weak = std::weak_ptr<PartitionRuntime>(handle)](
          ObjectWriter& w, ObjectOutcome outcome, const ObjectFailure& failure) {
        if (alive.expired()) return;
        if (auto partition = weak.lock()) object_done(partition, w, outcome, failure);
      },
      std::move(body));
  writer->start();
  handle->open.emplace(slot, writer);
  metrics_.open_objects.inc();
  return writer;
}

std::function<void(std::exception_ptr)> Pipeline::on_exception(std::string what) {
  return [this, alive = std::weak_ptr<bool>(alive_), what = std::move(what)](std::exception_ptr e) {
    if (!e || alive.expired()) return;
    fail(what + " threw: " + log::exception_message(e), false);
  };
}

void Pipeline::fail(const std::string& message, bool cut_on_drain) {
  if (failure_) return;
  failure_ = Failure{message, cut_on_drain};
  if (phase_ == Phase::running) phase_ = Phase::failed;
  log::error("the sink must stop", {{"reason", message}});
  if (consumer_) consumer_->pause_all();
  if (fatal_) fatal_(message);
}

}  // namespace ks3::server

#include "metrics/sink_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <type_traits>

#ifndef KS3_VERSION
#define KS3_VERSION "unknown"
#endif

namespace ks3::metrics {
namespace buckets {

std::vector<double> s3_request_seconds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::vector<double> part_upload_seconds() {
  return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

std::vector<double> object_latency_seconds() {
  return {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};
}

std::vector<double> object_size_bytes() {
  std::vector<double> bounds;  // 1 KiB, 4 KiB, 16 KiB, ..., 4 GiB
  for (double bound = 1024; bound <= 4.0 * 1024 * 1024 * 1024; bound *= 4) bounds.push_back(bound);
  return bounds;
}

std::vector<double> event_loop_delay_seconds() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace buckets

namespace {

const std::vector<std::string> kTopic{"topic"};
const std::vector<std::string> kTopicPartition{"topic", "partition"};
const std::vector<std::string> kOperation{"operation"};

std::string name(std::string_view suffix) {
  return "kafka_s3_sink_" + std::string(suffix);
}

// One family on the registry, with its label names (and buckets) fixed.
template <typename Handle>
Family<Handle> family(prometheus::Registry& r, std::string_view suffix, const char* help,
                      std::vector<std::string> label_names, std::vector<double> buckets = {}) {
  auto builder = [] {
    if constexpr (std::is_same_v<Handle, Counter>) {
      return prometheus::BuildCounter();
    } else if constexpr (std::is_same_v<Handle, Gauge>) {
      return prometheus::BuildGauge();
    } else {
      return prometheus::BuildHistogram();
    }
  }();
  auto& native = builder.Name(name(suffix)).Help(help).Register(r);
  return Family<Handle>(native, std::move(label_names), std::move(buckets));
}

// An unlabelled metric: the family's only child, exported from the start (at 0).
template <typename Handle>
Handle single(prometheus::Registry& r, std::string_view suffix, const char* help,
              std::vector<double> buckets = {}) {
  return family<Handle>(r, suffix, help, {}, std::move(buckets)).with({});
}

}  // namespace

// The catalog itself: one entry per metric, in the order of the header (a long list of data, not
// logic). Help texts say what is measured and in which unit; the README repeats them.
SinkMetrics::SinkMetrics(prometheus::Registry& r)
    : consumer_lag_records(
          family<Gauge>(r, "consumer_lag_records",
                        "Records between the partition's high watermark and the consumer position.",
                        kTopicPartition)),
      committed_lag_records(family<Gauge>(
          r, "committed_lag_records",
          "Records between the partition's high watermark and the committed offset (not yet "
          "durable in S3 and committed).",
          kTopicPartition)),
      records_consumed(
          family<Counter>(r, "records_consumed_total", "Records received from Kafka.", kTopic)),
      bytes_consumed(family<Counter>(r, "bytes_consumed_total",
                                     "Key and value bytes of the records received from Kafka.",
                                     kTopic)),
      assigned_partitions(
          single<Gauge>(r, "assigned_partitions", "Partitions assigned to this instance.")),
      paused_partitions(single<Gauge>(
          r, "paused_partitions", "Assigned partitions paused by backpressure (memory budget).")),
      rebalances(family<Counter>(r, "rebalances_total",
                                 "Consumer group rebalance events (assigned, revoked, lost).",
                                 {"event"})),
      group_join_wait_seconds(single<Gauge>(
          r, "group_join_wait_seconds",
          "Seconds this member has waited for an assignment from its consumer group (0 while "
          "in the group).")),
      group_join_stalls(single<Counter>(
          r, "group_join_stalls_total",
          "Waits for the consumer group's assignment longer than 3 x session.timeout.ms.")),
      kafka_errors(family<Counter>(r, "kafka_errors_total",
                                   "Errors reported by librdkafka, by error name.", {"code"})),
      commits(single<Counter>(r, "commits_total", "Successful Kafka offset commits.")),
      commit_failures(single<Counter>(r, "commit_failures_total",
                                      "Failed Kafka offset commit attempts (each retry counts).")),
      last_commit_timestamp_seconds(family<Gauge>(
          r, "last_commit_timestamp_seconds",
          "Unix time of the last successful offset commit of the partition.", kTopicPartition)),
      records_written(
          family<Counter>(r, "records_written_total", "Records in objects durable in S3.", kTopic)),
      uncompressed_bytes_written(
          family<Counter>(r, "uncompressed_bytes_written_total",
                          "Encoded bytes before compression in objects durable in S3.", kTopic)),
      bytes_written(family<Counter>(
          r, "bytes_written_total",
          "Bytes as stored in S3 (after compression) in objects durable in S3.", kTopic)),
      tombstones(family<Counter>(r, "tombstones_total",
                                 "Tombstone records (null value) by the action taken.",
                                 {"topic", "action"})),
      records_skipped(family<Counter>(r, "records_skipped_total",
                                      "Bad records skipped by the skip policy, by reason.",
                                      {"topic", "reason"})),
      records_dead_lettered(family<Counter>(
          r, "records_dead_lettered_total",
          "Bad records sent to the dead-letter destination (S3 prefix or Kafka topic), by reason.",
          {"topic", "reason"})),
      dead_letter_failures(single<Counter>(
          r, "dead_letter_failures_total",
          "Dead letters the Kafka dead-letter topic did not take (the sink stops).")),
      records_failed(family<Counter>(r, "records_failed_total",
                                     "Bad records that stopped the sink (fail policy), by reason.",
                                     {"topic", "reason"})),
      objects_completed(family<Counter>(r, "objects_completed_total",
                                        "Objects made durable in S3, by the reason of the cut.",
                                        {"topic", "reason"})),
      objects_aborted(family<Counter>(r, "objects_aborted_total",
                                      "Objects abandoned before completion, by reason.",
                                      {"topic", "reason"})),
      manifests_written(family<Counter>(r, "manifests_written_total",
                                        "Cut manifests written to S3 (one per cut segment).",
                                        kTopic)),
      manifest_cuts_replayed(family<Counter>(
          r, "manifest_cuts_replayed_total",
          "Cuts read from the manifests in S3 on assignment, to be replayed.", kTopic)),
      manifest_objects_missing(family<Counter>(
          r, "manifest_objects_missing_total",
          "Objects listed in a replayed cut manifest that are not in S3 (cut and written anyway).",
          kTopic)),
      object_size_bytes(family<Histogram>(r, "object_size_bytes",
                                          "Size of completed objects as stored in S3.", kTopic,
                                          buckets::object_size_bytes())),
      object_completion_latency_seconds(family<Histogram>(
          r, "object_completion_latency_seconds",
          "Time from the first record buffered for an object to the object being durable.", kTopic,
          buckets::object_latency_seconds())),
      end_to_end_latency_seconds(family<Histogram>(
          r, "end_to_end_latency_seconds",
          "Per completed object, time from the Kafka timestamp of its oldest record to the "
          "object being durable.",
          kTopic, buckets::object_latency_seconds())),
      open_objects(single<Gauge>(r, "open_objects", "Objects currently receiving records.")),
      uploads_in_flight(single<Gauge>(
          r, "uploads_in_flight", "Multipart uploads started and not yet completed or aborted.")),
      parts_in_flight(single<Gauge>(r, "parts_in_flight",
                                    "Parts and single-request objects currently being uploaded.")),
      part_upload_duration_seconds(single<Histogram>(r, "part_upload_duration_seconds",
                                                     "Time to upload one part, including retries.",
                                                     buckets::part_upload_seconds())),
      s3_requests(family<Counter>(r, "s3_requests_total",
                                  "S3 HTTP requests (each attempt) by operation and status code.",
                                  {"operation", "code"})),
      s3_request_duration_seconds(family<Histogram>(
          r, "s3_request_duration_seconds",
          "Duration of one S3 HTTP request (from a free connection slot: connect, send, answer).",
          kOperation, buckets::s3_request_seconds())),
      s3_connection_wait_seconds(single<Histogram>(
          r, "s3_connection_wait_seconds",
          "Time an S3 request waited for one of s3.max_connections before it could be sent.",
          buckets::s3_request_seconds())),
      s3_retries(family<Counter>(r, "s3_retries_total", "S3 requests retried, by reason.",
                                 {"operation", "reason"})),
      s3_request_failures(family<Counter>(
          r, "s3_request_failures_total",
          "S3 operations that failed for good (not retryable or retries exhausted).",
          {"operation", "reason"})),
      s3_sent_bytes(family<Counter>(
          r, "s3_sent_bytes_total",
          "Bytes sent to S3 on the wire (headers included, every attempt).", kOperation)),
      s3_received_bytes(family<Counter>(r, "s3_received_bytes_total",
                                        "Bytes received from S3 on the wire (headers included).",
                                        kOperation)),
      buffered_bytes(single<Gauge>(
          r, "buffered_bytes", "Bytes of records buffered in open objects, not yet in a part.")),
      memory_budget_used_bytes(single<Gauge>(
          r, "memory_budget_used_bytes",
          "Bytes held against the memory budget (librdkafka's prefetch reservation and, with a "
          "dead-letter topic, the dead-letter producer's queue reservation, buffered records, "
          "parts waiting, parts in flight).")),
      memory_budget_limit_bytes(
          single<Gauge>(r, "memory_budget_limit_bytes",
                        "The memory budget; above it all assigned partitions are paused.")),
      ready(
          single<Gauge>(r, "ready", "1 when ready (Kafka group joined and S3 reachable), else 0.")),
      event_loop_delay_seconds(
          single<Histogram>(r, "event_loop_delay_seconds",
                            "How late the event loop's heartbeat timer fired, per tick.",
                            buckets::event_loop_delay_seconds())),
      build_info(family<Gauge>(r, "build_info", "Always 1; the version label names the build.",
                               {"version"})),
      mirror_puts(family<Counter>(r, "mirror_puts_total",
                                  "Mirror mode: document objects written (PutObject), durable.",
                                  kTopic)),
      mirror_deletes(family<Counter>(
          r, "mirror_deletes_total",
          "Mirror mode: document objects removed (DeleteObject or a delete marker), durable.",
          kTopic)),
      mirror_coalesced(family<Counter>(
          r, "mirror_coalesced_total",
          "Mirror mode: changes replaced by a later change of the same object before being sent.",
          kTopic)),
      mirror_moves(family<Counter>(
          r, "mirror_moves_total",
          "Mirror mode: documents whose object key changed under one record key.", kTopic)),
      mirror_unresolved_deletes(family<Counter>(
          r, "mirror_unresolved_deletes_total",
          "Mirror mode: deletes whose object was not found (tombstone of a key not in the map).",
          kTopic)),
      mirror_key_map_evictions(
          single<Counter>(r, "mirror_key_map_evictions_total",
                          "Mirror mode: entries dropped from the bounded record key map.")),
      mirror_pending_requests(single<Gauge>(r, "mirror_pending_requests",
                                            "Mirror mode: object requests waiting or in flight.")),
      mirror_key_log_writes(family<Counter>(
          r, "mirror_key_log_writes_total",
          "Mirror mode: key log objects written (deltas and snapshots of the key map).", {"kind"})),
      mirror_key_log_loaded_entries(single<Counter>(
          r, "mirror_key_log_loaded_entries_total",
          "Mirror mode: key map entries read back from the key log on assignment.")) {
  build_info.with({KS3_VERSION}).set(1);
}

TopicMetrics SinkMetrics::topic(std::string_view t) {
  return TopicMetrics{
      records_consumed.with({t}),
      bytes_consumed.with({t}),
      records_written.with({t}),
      uncompressed_bytes_written.with({t}),
      bytes_written.with({t}),
      object_size_bytes.with({t}),
      object_completion_latency_seconds.with({t}),
      end_to_end_latency_seconds.with({t}),
  };
}

PartitionMetrics SinkMetrics::partition(std::string_view t, std::int32_t p) {
  auto ps = std::to_string(p);
  return PartitionMetrics{consumer_lag_records.with({t, ps}), committed_lag_records.with({t, ps}),
                          last_commit_timestamp_seconds.with({t, ps})};
}

void SinkMetrics::forget_partition(std::string_view t, std::int32_t p) {
  auto ps = std::to_string(p);
  consumer_lag_records.remove({t, ps});
  committed_lag_records.remove({t, ps});
  last_commit_timestamp_seconds.remove({t, ps});
}

S3OperationMetrics SinkMetrics::s3_operation(std::string_view op) {
  return S3OperationMetrics{s3_request_duration_seconds.with({op}), s3_sent_bytes.with({op}),
                            s3_received_bytes.with({op})};
}

void SinkMetrics::record_s3_request(std::string_view operation, unsigned http_status,
                                    std::chrono::nanoseconds duration, std::uint64_t bytes_sent,
                                    std::uint64_t bytes_received) {
  std::lock_guard lock(s3_children_mutex_);
  auto found = s3_children_.find(operation);
  if (found == s3_children_.end()) {
    found =
        s3_children_.emplace(std::string(operation), S3RequestChildren{s3_operation(operation), {}})
            .first;
  }
  S3RequestChildren& children = found->second;
  auto status =
      std::find_if(children.requests_by_status.begin(), children.requests_by_status.end(),
                   [http_status](const auto& entry) { return entry.first == http_status; });
  if (status == children.requests_by_status.end()) {
    const std::string code = http_status == 0 ? std::string("none") : std::to_string(http_status);
    children.requests_by_status.emplace_back(http_status, s3_requests.with({operation, code}));
    status = std::prev(children.requests_by_status.end());
  }
  status->second.inc();
  children.operation.request_duration.observe_duration(duration);
  children.operation.sent_bytes.inc(bytes_sent);
  children.operation.received_bytes.inc(bytes_received);
}

}  // namespace ks3::metrics

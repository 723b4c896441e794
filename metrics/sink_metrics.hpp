// The catalog of every kafka_s3_sink_* metric, defined in one place. The README's "Metrics"
// section lists the same names (a unit test checks that the two agree).
//
// Conventions (https://prometheus.io/docs/practices/naming/): the kafka_s3_sink_ prefix, base units
// (seconds, bytes) in the name, _total on counters. Labels are low-cardinality: topic, partition,
// S3 operation, HTTP status code, and small fixed sets of reasons.
//
// The metrics are prometheus-cpp's (metric_handles.hpp), registered on a prometheus::Registry
// (normally a metrics::Registry, which /metrics renders).
//
// Usage: construct once at start-up, then look children up once and cache them:
//   metrics::SinkMetrics sink(registry);
//   auto topic = sink.topic("orders");          // on first record of a topic
//   topic.records_written.inc(object.records);  // one atomic compare-exchange
//   auto part = sink.partition("orders", 3);    // on assignment
//   part.consumer_lag.set(hw - position);
//   sink.forget_partition("orders", 3);         // on revoke: stop exporting its series
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/metric_handles.hpp"

namespace ks3::metrics {

// Histogram bucket layouts, in the metric's base unit.
namespace buckets {
// One S3 HTTP request: 5 ms .. 60 s.
std::vector<double> s3_request_seconds();
// One part upload including retries: 10 ms .. 5 min.
std::vector<double> part_upload_seconds();
// Object completion and end-to-end latency: 100 ms .. 2 h (objects rotate in minutes).
std::vector<double> object_latency_seconds();
// Object size after compression: 1 KiB .. 4 GiB (powers of 4).
std::vector<double> object_size_bytes();
// Event loop heartbeat lateness: 1 ms .. 10 s.
std::vector<double> event_loop_delay_seconds();
}  // namespace buckets

// Children of one topic, cached by the pipeline per topic.
struct TopicMetrics {
  Counter records_consumed;
  Counter bytes_consumed;
  Counter records_written;
  Counter uncompressed_bytes_written;
  Counter bytes_written;
  Histogram object_size_bytes;
  Histogram object_completion_latency;
  Histogram end_to_end_latency;
};

// Children of one assigned partition, cached by the consumer per assignment.
struct PartitionMetrics {
  Gauge consumer_lag;
  Gauge committed_lag;
  Gauge last_commit_timestamp;
};

// Children of one S3 operation (PutObject, UploadPart, ...).
struct S3OperationMetrics {
  Histogram request_duration;
  Counter sent_bytes;
  Counter received_bytes;
};

struct SinkMetrics {
  explicit SinkMetrics(prometheus::Registry& registry);
  SinkMetrics(const SinkMetrics&) = delete;
  SinkMetrics& operator=(const SinkMetrics&) = delete;

  TopicMetrics topic(std::string_view topic);
  PartitionMetrics partition(std::string_view topic, std::int32_t partition);
  // Deletes a partition's series (lag, last commit) after it is revoked or lost, so a partition
  // now owned by another instance does not keep reporting a stale lag here. PartitionMetrics
  // handles taken before must not be used after it: call partition() again.
  void forget_partition(std::string_view topic, std::int32_t partition);
  S3OperationMetrics s3_operation(std::string_view operation);

  // One finished S3 HTTP request (an attempt: retries count separately). `http_status` 0 means
  // no response (connect failure, timeout, reset): code="none".
  void record_s3_request(std::string_view operation, unsigned http_status,
                         std::chrono::nanoseconds duration, std::uint64_t bytes_sent,
                         std::uint64_t bytes_received);

  // ---- Kafka consumption ----
  // Records between the partition's high watermark and the consumer's position (next offset to
  // consume): how far reading is behind the log end. {topic, partition}
  Family<Gauge> consumer_lag_records;
  // Records between the high watermark and the committed offset, i.e. not yet durable in S3 and
  // committed (what kafka-consumer-groups reports as LAG). {topic, partition}
  Family<Gauge> committed_lag_records;
  // Records received from Kafka. {topic}
  Family<Counter> records_consumed;
  // Key + value bytes of the records received from Kafka. {topic}
  Family<Counter> bytes_consumed;
  // Partitions currently assigned to this instance.
  Gauge assigned_partitions;
  // Assigned partitions currently paused by backpressure (memory budget above high watermark).
  Gauge paused_partitions;
  // Consumer group rebalance events. {event: assigned|revoked|lost}
  Family<Counter> rebalances;
  // Seconds this member has waited for an assignment from its group (since start, a lost
  // assignment, or an eager revoke); 0 while in the group (kafka/join_watchdog.hpp).
  Gauge group_join_wait_seconds;
  // Waits for the group longer than 3 x session.timeout.ms (each counted once, when it passes).
  Counter group_join_stalls;
  // Errors reported by librdkafka. {code: librdkafka error name, e.g. _TRANSPORT}
  Family<Counter> kafka_errors;
  // Successful offset commits.
  Counter commits;
  // Failed offset commit attempts (each retry counts).
  Counter commit_failures;
  // Unix time of the last successful offset commit of the partition. {topic, partition}
  Family<Gauge> last_commit_timestamp_seconds;

  // ---- Records and objects ----
  // Records in objects that are durable in S3. {topic}
  Family<Counter> records_written;
  // Encoded bytes (before compression) in objects durable in S3. {topic}
  Family<Counter> uncompressed_bytes_written;
  // Bytes as stored in S3 (after compression) in objects durable in S3. {topic}
  Family<Counter> bytes_written;
  // Tombstones (null value) seen. {topic, action: ignored|written|failed}
  Family<Counter> tombstones;
  // Bad records skipped by the `skip` policy. {topic, reason}
  Family<Counter> records_skipped;
  // Bad records sent to the dead-letter destination (the S3 prefix, or the Kafka topic of
  // bad_records.dead_letter_topic). {topic, reason}
  Family<Counter> records_dead_lettered;
  // Dead letters the Kafka dead-letter topic did not take (delivery failed for good; the sink
  // stops).
  Counter dead_letter_failures;
  // Bad records that stopped the sink under the `fail` policy. {topic, reason}
  Family<Counter> records_failed;
  // Objects made durable (PutObject or CompleteMultipartUpload succeeded). {topic, reason: why
  // the object was cut, server::to_string(CutReason): max_records, max_bytes, time_window,
  // journal_replay, manifest_replay, idle_flush, max_open, memory_pressure, shutdown}
  Family<Counter> objects_completed;
  // Objects abandoned before completion (multipart upload aborted). {topic, reason}
  Family<Counter> objects_aborted;
  // Cut manifests written to S3, one per cut segment (delivery.manifests). {topic}
  Family<Counter> manifests_written;
  // Cuts read from the manifests in S3 on assignment and replayed. {topic}
  Family<Counter> manifest_cuts_replayed;
  // Objects a replayed manifest lists that are not in S3 (cut and written anyway). {topic}
  Family<Counter> manifest_objects_missing;
  // Size of completed objects as stored (after compression). {topic}
  Family<Histogram> object_size_bytes;
  // Time from the first record buffered for an object to the object being durable. {topic}
  Family<Histogram> object_completion_latency_seconds;
  // Per completed object: time from the Kafka timestamp of its oldest record to the object being
  // durable (the worst record latency in that object). {topic}
  Family<Histogram> end_to_end_latency_seconds;
  // Objects currently open (receiving records).
  Gauge open_objects;
  // Multipart uploads started and not yet completed or aborted.
  Gauge uploads_in_flight;
  // Parts (and single-request PutObjects) currently being uploaded.
  Gauge parts_in_flight;
  // Time to upload one part, including retries.
  Histogram part_upload_duration_seconds;

  // ---- S3 requests ----
  // S3 HTTP requests (each attempt). {operation, code: HTTP status or "none"}
  Family<Counter> s3_requests;
  // Duration of one S3 HTTP request, from a free connection slot (connect, send, answer).
  // {operation}
  Family<Histogram> s3_request_duration_seconds;
  // Time an S3 request waited for one of s3.max_connections (each attempt).
  Histogram s3_connection_wait_seconds;
  // S3 requests retried. {operation, reason: an S3 error code (SlowDown), http_503, timeout,
  // connection_reset, ...}
  Family<Counter> s3_retries;
  // S3 operations that failed for good (not retryable, or retries exhausted). {operation, reason}
  Family<Counter> s3_request_failures;
  // Bytes sent to S3 on the wire (headers included, every attempt). {operation}
  Family<Counter> s3_sent_bytes;
  // Bytes received from S3 on the wire (headers included). {operation}
  Family<Counter> s3_received_bytes;

  // ---- Memory ----
  // Bytes of records buffered in open objects, not yet in a part.
  Gauge buffered_bytes;
  // Bytes held against the memory budget (buffered records, encoded parts waiting, parts in
  // flight).
  Gauge memory_budget_used_bytes;
  // The memory budget (the high watermark: above it partitions are paused).
  Gauge memory_budget_limit_bytes;

  // ---- Health ----
  // 1 when /readyz answers 200 (Kafka group joined and S3 reachable), else 0.
  Gauge ready;
  // How late the event loop's heartbeat timer fired, per tick (a busy or blocked loop shows here).
  Histogram event_loop_delay_seconds;
  // Always 1; the version label says which build runs. {version}
  Family<Gauge> build_info;

  // ---- Mirror mode (mode: mirror, server/mirror) ----
  // Documents written: PutObject of a document's object, durable. {topic}
  Family<Counter> mirror_puts;
  // Documents removed: DeleteObject (or a delete-marker PutObject), durable. {topic}
  Family<Counter> mirror_deletes;
  // Changes replaced by a later change of the same object before they were sent. {topic}
  Family<Counter> mirror_coalesced;
  // Documents whose object key changed under one record key (the old object is deleted). {topic}
  Family<Counter> mirror_moves;
  // Deletes whose object could not be found (a tombstone of a key not in the key map). {topic}
  Family<Counter> mirror_unresolved_deletes;
  // Record key -> object key entries dropped from the bounded key map (mirror.key_map_size).
  Counter mirror_key_map_evictions;
  // Object requests waiting or in flight.
  Gauge mirror_pending_requests;
  // Key log objects written (mirror.key_log): deltas and snapshots of partitions' key maps. {kind}
  Family<Counter> mirror_key_log_writes;
  // Key map entries read back from the key log on assignment.
  Counter mirror_key_log_loaded_entries;

 private:
  // record_s3_request's children, looked up once per operation and status: a lookup builds the
  // label map and hashes it under the family's lock, four per request, and with many small
  // objects there is a request per object.
  struct S3RequestChildren {
    S3OperationMetrics operation;
    std::vector<std::pair<unsigned, Counter>> requests_by_status;
  };
  std::mutex s3_children_mutex_;
  std::map<std::string, S3RequestChildren, std::less<>> s3_children_;
};

}  // namespace ks3::metrics

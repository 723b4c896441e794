#include "metrics/sink_metrics.hpp"

#include <string>

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
  return exponential_buckets(1024, 4, 12);
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

}  // namespace

// The catalog itself: one entry per metric, in the order of the header (a long list of data, not
// logic). Help texts say what is measured and in which unit; the README repeats them.
SinkMetrics::SinkMetrics(Registry& r)
    : consumer_lag_records(r.gauge_family(
          name("consumer_lag_records"),
          "Records between the partition's high watermark and the consumer position.",
          kTopicPartition)),
      committed_lag_records(r.gauge_family(
          name("committed_lag_records"),
          "Records between the partition's high watermark and the committed offset (not yet "
          "durable in S3 and committed).",
          kTopicPartition)),
      records_consumed(
          r.counter_family(name("records_consumed_total"), "Records received from Kafka.", kTopic)),
      bytes_consumed(r.counter_family(name("bytes_consumed_total"),
                                      "Key and value bytes of the records received from Kafka.",
                                      kTopic)),
      assigned_partitions(
          r.gauge(name("assigned_partitions"), "Partitions assigned to this instance.")),
      paused_partitions(r.gauge(name("paused_partitions"),
                                "Assigned partitions paused by backpressure (memory budget).")),
      rebalances(r.counter_family(name("rebalances_total"),
                                  "Consumer group rebalance events (assigned, revoked, lost).",
                                  {"event"})),
      kafka_errors(r.counter_family(name("kafka_errors_total"),
                                    "Errors reported by librdkafka, by error name.", {"code"})),
      commits(r.counter(name("commits_total"), "Successful Kafka offset commits.")),
      commit_failures(r.counter(name("commit_failures_total"), "Failed Kafka offset commits.")),
      last_commit_timestamp_seconds(r.gauge_family(
          name("last_commit_timestamp_seconds"),
          "Unix time of the last successful offset commit of the partition.", kTopicPartition)),
      records_written(r.counter_family(name("records_written_total"),
                                       "Records in objects durable in S3.", kTopic)),
      uncompressed_bytes_written(
          r.counter_family(name("uncompressed_bytes_written_total"),
                           "Encoded bytes before compression in objects durable in S3.", kTopic)),
      bytes_written(r.counter_family(
          name("bytes_written_total"),
          "Bytes as stored in S3 (after compression) in objects durable in S3.", kTopic)),
      tombstones(r.counter_family(name("tombstones_total"),
                                  "Tombstone records (null value) by the action taken.",
                                  {"topic", "action"})),
      records_skipped(r.counter_family(name("records_skipped_total"),
                                       "Bad records skipped by the skip policy, by reason.",
                                       {"topic", "reason"})),
      records_dead_lettered(r.counter_family(
          name("records_dead_lettered_total"),
          "Bad records written to the dead-letter prefix, by reason.", {"topic", "reason"})),
      records_failed(r.counter_family(name("records_failed_total"),
                                      "Bad records that stopped the sink (fail policy), by reason.",
                                      {"topic", "reason"})),
      objects_completed(r.counter_family(name("objects_completed_total"),
                                         "Objects made durable in S3, by the reason of the cut.",
                                         {"topic", "reason"})),
      objects_aborted(r.counter_family(name("objects_aborted_total"),
                                       "Objects abandoned before completion, by reason.",
                                       {"topic", "reason"})),
      object_size_bytes(r.histogram_family(name("object_size_bytes"),
                                           "Size of completed objects as stored in S3.", kTopic,
                                           buckets::object_size_bytes())),
      object_completion_latency_seconds(r.histogram_family(
          name("object_completion_latency_seconds"),
          "Time from the first record buffered for an object to the object being durable.", kTopic,
          buckets::object_latency_seconds())),
      end_to_end_latency_seconds(r.histogram_family(
          name("end_to_end_latency_seconds"),
          "Per completed object, time from the Kafka timestamp of its oldest record to the "
          "object being durable.",
          kTopic, buckets::object_latency_seconds())),
      open_objects(r.gauge(name("open_objects"), "Objects currently receiving records.")),
      uploads_in_flight(r.gauge(name("uploads_in_flight"),
                                "Multipart uploads started and not yet completed or aborted.")),
      parts_in_flight(r.gauge(name("parts_in_flight"),
                              "Parts and single-request objects currently being uploaded.")),
      part_upload_duration_seconds(r.histogram(name("part_upload_duration_seconds"),
                                               "Time to upload one part, including retries.",
                                               buckets::part_upload_seconds())),
      s3_requests(r.counter_family(name("s3_requests_total"),
                                   "S3 HTTP requests (each attempt) by operation and status code.",
                                   {"operation", "code"})),
      s3_request_duration_seconds(r.histogram_family(name("s3_request_duration_seconds"),
                                                     "Duration of one S3 HTTP request.", kOperation,
                                                     buckets::s3_request_seconds())),
      s3_retries(r.counter_family(name("s3_retries_total"), "S3 requests retried, by reason.",
                                  {"operation", "reason"})),
      s3_request_failures(r.counter_family(
          name("s3_request_failures_total"),
          "S3 operations that failed for good (not retryable or retries exhausted).",
          {"operation", "reason"})),
      s3_sent_bytes(r.counter_family(
          name("s3_sent_bytes_total"),
          "Bytes sent to S3 on the wire (headers included, every attempt).", kOperation)),
      s3_received_bytes(r.counter_family(name("s3_received_bytes_total"),
                                         "Bytes received from S3 on the wire (headers included).",
                                         kOperation)),
      buffered_bytes(r.gauge(name("buffered_bytes"),
                             "Bytes of records buffered in open objects, not yet in a part.")),
      memory_budget_used_bytes(
          r.gauge(name("memory_budget_used_bytes"),
                  "Bytes held against the memory budget (buffered records, parts waiting, parts in "
                  "flight).")),
      memory_budget_limit_bytes(
          r.gauge(name("memory_budget_limit_bytes"),
                  "The memory budget; above it all assigned partitions are paused.")),
      ready(r.gauge(name("ready"), "1 when ready (Kafka group joined and S3 reachable), else 0.")),
      event_loop_delay_seconds(
          r.histogram(name("event_loop_delay_seconds"),
                      "How late the event loop's heartbeat timer fired, per tick.",
                      buckets::event_loop_delay_seconds())),
      build_info(r.gauge_family(name("build_info"), "Always 1; the version label names the build.",
                                {"version"})) {
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
  auto code = http_status == 0 ? std::string("none") : std::to_string(http_status);
  s3_requests.with({operation, code}).inc();
  auto op = s3_operation(operation);
  op.request_duration.observe_duration(duration);
  op.sent_bytes.inc(bytes_sent);
  op.received_bytes.inc(bytes_received);
}

}  // namespace ks3::metrics

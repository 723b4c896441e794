#include "metrics/sink_metrics.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "metrics/prometheus_text.hpp"

using namespace ks3::metrics;

namespace {

std::set<std::string> catalog_names() {
  Registry r;
  SinkMetrics sink(r);
  // Touch every labelled family once so that collect() reports it.
  sink.topic("t");
  sink.partition("t", 0);
  sink.s3_operation("PutObject");
  sink.record_s3_request("PutObject", 200, std::chrono::milliseconds(5), 1, 0);
  for (auto* f : {&sink.rebalances, &sink.kafka_errors}) f->with({"x"});
  for (auto* f : {&sink.tombstones, &sink.records_skipped, &sink.records_dead_lettered,
                  &sink.records_failed, &sink.objects_completed, &sink.objects_aborted,
                  &sink.s3_retries, &sink.s3_request_failures}) {
    f->with({"x", "y"});
  }
  std::set<std::string> names;
  for (const auto& f : r.collect()) names.insert(f.descriptor.name);
  return names;
}

std::string readme_section(const std::string& heading) {
  std::ifstream in(std::string(KS3_TEST_DATA_DIR) + "/../../README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  auto start = text.find("\n## " + heading + "\n");
  if (start == std::string::npos) return {};
  auto end = text.find("\n## ", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST(SinkMetrics, FollowPrometheusNamingConventions) {
  Registry r;
  SinkMetrics sink(r);
  sink.topic("t");
  sink.partition("t", 1);
  for (const auto& f : r.collect()) {
    const auto& n = f.descriptor.name;
    EXPECT_TRUE(n.starts_with("kafka_s3_sink_")) << n;
    EXPECT_EQ(f.descriptor.type == MetricType::counter, n.ends_with("_total")) << n;
    // Base units only.
    EXPECT_EQ(n.find("millis"), std::string::npos) << n;
    EXPECT_EQ(n.find("_ms"), std::string::npos) << n;
    if (f.descriptor.type == MetricType::histogram) {
      EXPECT_TRUE(n.ends_with("_seconds") || n.ends_with("_bytes")) << n;
    }
  }
}

TEST(SinkMetrics, TopicAndPartitionHandlesUpdateTheExposition) {
  Registry r;
  SinkMetrics sink(r);
  auto topic = sink.topic("edfi.dms.document");
  topic.records_consumed.inc(3);
  topic.bytes_written.inc(1000);
  topic.object_completion_latency.observe(2);
  auto part = sink.partition("edfi.dms.document", 7);
  part.consumer_lag.set(42);
  part.last_commit_timestamp.set_to_current_time();
  auto text = prometheus::render(r.collect());
  EXPECT_NE(text.find("kafka_s3_sink_records_consumed_total{topic=\"edfi.dms.document\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_bytes_written_total{topic=\"edfi.dms.document\"} 1000\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_consumer_lag_records{topic=\"edfi.dms.document\","
                      "partition=\"7\"} 42\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_object_completion_latency_seconds_bucket{topic=\"edfi.dms."
                      "document\",le=\"2.5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_build_info{version=\""), std::string::npos);
  // Unlabelled metrics are exported from the start (0), so dashboards never show "no data".
  EXPECT_NE(text.find("kafka_s3_sink_parts_in_flight 0\n"), std::string::npos);

  sink.forget_partition("edfi.dms.document", 7);
  text = prometheus::render(r.collect());
  EXPECT_EQ(text.find("kafka_s3_sink_consumer_lag_records{"), std::string::npos);
  EXPECT_EQ(text.find("kafka_s3_sink_last_commit_timestamp_seconds{"), std::string::npos);
  // Re-assignment shows the series again through the same cached handle.
  auto again = sink.partition("edfi.dms.document", 7);
  EXPECT_EQ(&again.consumer_lag, &part.consumer_lag);
  EXPECT_NE(prometheus::render(r.collect()).find("kafka_s3_sink_consumer_lag_records{"),
            std::string::npos);
}

TEST(SinkMetrics, S3RequestsByOperationAndCode) {
  Registry r;
  SinkMetrics sink(r);
  sink.record_s3_request("UploadPart", 200, std::chrono::milliseconds(120), 5 << 20, 0);
  sink.record_s3_request("UploadPart", 503, std::chrono::milliseconds(30), 5 << 20, 300);
  sink.record_s3_request("UploadPart", 0, std::chrono::seconds(10), 0, 0);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "200"}).value(), 1u);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "503"}).value(), 1u);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "none"}).value(), 1u);
  auto op = sink.s3_operation("UploadPart");
  EXPECT_EQ(op.sent_bytes.value(), 2u * (5 << 20));
  EXPECT_EQ(op.received_bytes.value(), 300u);
  auto h = op.request_duration.snapshot();
  EXPECT_EQ(h.count, 3u);
  EXPECT_NEAR(h.sum, 10.15, 1e-9);
}

TEST(SinkMetrics, TwoCatalogsOnOneRegistryShareFamilies) {
  Registry r;
  SinkMetrics a(r);
  SinkMetrics b(r);
  a.commits.inc();
  EXPECT_EQ(b.commits.value(), 1u);
}

// The README's "Metrics" section must list exactly the metrics the catalog defines.
TEST(SinkMetrics, ReadmeListsEveryMetric) {
  auto section = readme_section("Metrics");
  ASSERT_FALSE(section.empty()) << "README.md has no '## Metrics' section";
  std::set<std::string> documented;
  std::regex name_re("`(kafka_s3_sink_[a-z0-9_]+)");
  for (std::sregex_iterator it(section.begin(), section.end(), name_re), end; it != end; ++it) {
    documented.insert((*it)[1]);
  }
  auto defined = catalog_names();
  for (const auto& n : defined) EXPECT_TRUE(documented.contains(n)) << n << " missing in README";
  for (const auto& n : documented) {
    EXPECT_TRUE(defined.contains(n)) << n << " in README but not in metrics/sink_metrics.cpp";
  }
}

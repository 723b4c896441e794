#include "metrics/sink_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"

using namespace ks3::metrics;

namespace {

std::string render(const prometheus::Registry& r) {
  return prometheus::TextSerializer().Serialize(r.Collect());
}

// What the README or the catalog says of one metric.
struct Described {
  std::string type;
  std::set<std::string> labels;
  bool operator==(const Described&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Described& d) {
  out << d.type << " {";
  for (const auto& l : d.labels) out << ' ' << l;
  return out << " }";
}

std::string type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Histogram:
      return "histogram";
    default:
      return "other";
  }
}

// The catalog built on a plain prometheus-cpp registry, every labelled family touched once so
// that Collect() reports it with its label names.
std::map<std::string, Described> catalog() {
  prometheus::Registry r;
  SinkMetrics sink(r);
  sink.topic("t");
  sink.partition("t", 0);
  sink.record_s3_request("PutObject", 200, std::chrono::milliseconds(5), 1, 0);
  for (auto* f : {&sink.rebalances, &sink.kafka_errors, &sink.manifests_written,
                  &sink.manifest_cuts_replayed, &sink.manifest_objects_missing, &sink.mirror_puts,
                  &sink.mirror_deletes, &sink.mirror_coalesced, &sink.mirror_moves,
                  &sink.mirror_unresolved_deletes, &sink.mirror_key_log_writes}) {
    f->with({"x"});
  }
  for (auto* f : {&sink.tombstones, &sink.records_skipped, &sink.records_dead_lettered,
                  &sink.records_failed, &sink.objects_completed, &sink.objects_aborted,
                  &sink.s3_retries, &sink.s3_request_failures}) {
    f->with({"x", "y"});
  }
  std::map<std::string, Described> out;
  for (const auto& f : r.Collect()) {
    Described d{type_name(f.type), {}};
    for (const auto& label : f.metric.at(0).label) d.labels.insert(label.name);
    out.emplace(f.name, d);
  }
  return out;
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

// The README's metric tables: | `name` | type | labels (with notes in parentheses) | meaning |
std::map<std::string, Described> readme_metrics() {
  std::map<std::string, Described> out;
  std::istringstream section(readme_section("Metrics"));
  const std::regex row(R"(^\| `(kafka_s3_sink_[a-z0-9_]+)` \| ([a-z]+) \| ([^|]*)\|)");
  const std::regex notes(R"(\([^)]*\))");
  const std::regex label(R"([a-z_]+)");
  std::string line;
  while (std::getline(section, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    Described d{m[2], {}};
    auto labels = std::regex_replace(m[3].str(), notes, "");
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
      d.labels.insert(it->str());
    }
    out.emplace(m[1], d);
  }
  return out;
}

}  // namespace

TEST(SinkMetrics, FollowPrometheusNamingConventions) {
  for (const auto& [n, d] : catalog()) {
    EXPECT_TRUE(n.starts_with("kafka_s3_sink_")) << n;
    EXPECT_EQ(d.type == "counter", n.ends_with("_total")) << n;
    // Base units only.
    EXPECT_EQ(n.find("millis"), std::string::npos) << n;
    EXPECT_EQ(n.find("_ms"), std::string::npos) << n;
    if (d.type == "histogram") {
      EXPECT_TRUE(n.ends_with("_seconds") || n.ends_with("_bytes")) << n;
    }
  }
}

// prometheus-cpp 1.0 writes # HELP text as it is: a backslash or a line feed would break the
// exposition.
TEST(SinkMetrics, HelpTextsNeedNoEscaping) {
  Registry r;
  SinkMetrics sink(r);
  register_process_metrics(r);
  for (const auto& f : r.Collect()) {
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_EQ(f.help.find_first_of("\\\n"), std::string::npos) << f.name;
  }
}

TEST(SinkMetrics, TopicAndPartitionHandlesUpdateTheExposition) {
  prometheus::Registry r;
  SinkMetrics sink(r);
  auto topic = sink.topic("edfi.dms.document");
  topic.records_consumed.inc(3);
  topic.bytes_written.inc(1000);
  topic.object_completion_latency.observe(2);
  auto part = sink.partition("edfi.dms.document", 7);
  part.consumer_lag.set(42);
  part.last_commit_timestamp.set_to_current_time();
  auto text = render(r);
  EXPECT_NE(text.find("kafka_s3_sink_records_consumed_total{topic=\"edfi.dms.document\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_bytes_written_total{topic=\"edfi.dms.document\"} 1000\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_consumer_lag_records{partition=\"7\","
                      "topic=\"edfi.dms.document\"} 42\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kafka_s3_sink_object_completion_latency_seconds_bucket{topic=\"edfi.dms."
                      "document\",le=\"2.5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_build_info{version=\""), std::string::npos);
  // Unlabelled metrics are exported from the start (0), so dashboards never show "no data".
  EXPECT_NE(text.find("kafka_s3_sink_parts_in_flight 0\n"), std::string::npos);

  sink.forget_partition("edfi.dms.document", 7);
  text = render(r);
  EXPECT_EQ(text.find("kafka_s3_sink_consumer_lag_records{"), std::string::npos);
  EXPECT_EQ(text.find("kafka_s3_sink_last_commit_timestamp_seconds{"), std::string::npos);
  // Re-assignment exports the partition's series again.
  sink.partition("edfi.dms.document", 7).consumer_lag.set(5);
  EXPECT_NE(render(r).find("kafka_s3_sink_consumer_lag_records{partition=\"7\","
                           "topic=\"edfi.dms.document\"} 5\n"),
            std::string::npos);
}

TEST(SinkMetrics, S3RequestsByOperationAndCode) {
  prometheus::Registry r;
  SinkMetrics sink(r);
  sink.record_s3_request("UploadPart", 200, std::chrono::milliseconds(120), 5 << 20, 0);
  sink.record_s3_request("UploadPart", 503, std::chrono::milliseconds(30), 5 << 20, 300);
  sink.record_s3_request("UploadPart", 0, std::chrono::seconds(10), 0, 0);
  // The same operation and code again, and another operation: each lands on its own series.
  sink.record_s3_request("UploadPart", 200, std::chrono::milliseconds(50), 1, 0);
  sink.record_s3_request("PutObject", 200, std::chrono::milliseconds(7), 10, 0);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "200"}).value(), 2);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "503"}).value(), 1);
  EXPECT_EQ(sink.s3_requests.with({"UploadPart", "none"}).value(), 1);
  EXPECT_EQ(sink.s3_requests.with({"PutObject", "200"}).value(), 1);
  auto op = sink.s3_operation("UploadPart");
  EXPECT_EQ(op.sent_bytes.value(), 2.0 * (5 << 20) + 1);
  EXPECT_EQ(op.received_bytes.value(), 300);
  auto h = op.request_duration.collect();
  EXPECT_EQ(h.sample_count, 4u);
  EXPECT_NEAR(h.sample_sum, 10.2, 1e-9);
  EXPECT_EQ(sink.s3_operation("PutObject").sent_bytes.value(), 10);
}

TEST(SinkMetrics, TwoCatalogsOnOneRegistryShareFamilies) {
  prometheus::Registry r;
  SinkMetrics a(r);
  SinkMetrics b(r);
  a.commits.inc();
  EXPECT_EQ(b.commits.value(), 1);
}

TEST(SinkMetrics, WrongNumberOfLabelValuesThrows) {
  prometheus::Registry r;
  SinkMetrics sink(r);
  EXPECT_THROW(sink.tombstones.with({"only-topic"}), std::invalid_argument);
}

// The README's "Metrics" section lists exactly the metrics the catalog defines, each with the
// type and label names the catalog gives it.
TEST(SinkMetrics, ReadmeListsEveryMetricWithItsTypeAndLabels) {
  auto documented = readme_metrics();
  ASSERT_FALSE(documented.empty()) << "README.md has no metric table under '## Metrics'";
  auto defined = catalog();
  for (const auto& [name, d] : defined) {
    auto it = documented.find(name);
    if (it == documented.end()) {
      ADD_FAILURE() << name << " missing in README";
    } else {
      EXPECT_EQ(it->second, d) << name << ": README says " << it->second;
    }
  }
  for (const auto& [name, d] : documented) {
    EXPECT_TRUE(defined.contains(name)) << name << " in README but not in metrics/sink_metrics.cpp";
  }
}

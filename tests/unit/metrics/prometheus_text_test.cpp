#include "metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/registry.hpp"

using namespace ks3::metrics;

namespace {

std::string render_registry(const Registry& r) {
  return prometheus::render(r.collect());
}

std::string escaped_label(std::string_view v) {
  std::string out;
  prometheus::append_escaped_label_value(out, v);
  return out;
}

std::string value_text(double v) {
  std::string out;
  prometheus::append_value(out, v);
  return out;
}

}  // namespace

TEST(PrometheusText, CounterWithHelpTypeAndLabels) {
  Registry r;
  auto& f = r.counter_family("app_requests_total", "Requests served.", {"method", "code"});
  f.with({"GET", "200"}).inc(3);
  f.with({"GET", "404"}).inc();
  EXPECT_EQ(render_registry(r),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "app_requests_total{method=\"GET\",code=\"404\"} 1\n");
}

TEST(PrometheusText, UnlabelledGauge) {
  Registry r;
  r.gauge("app_temperature_celsius", "Temperature.").set(-1.5);
  EXPECT_EQ(render_registry(r),
            "# HELP app_temperature_celsius Temperature.\n"
            "# TYPE app_temperature_celsius gauge\n"
            "app_temperature_celsius -1.5\n");
}

TEST(PrometheusText, EscapesLabelValues) {
  EXPECT_EQ(escaped_label(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escaped_label("say \"hi\""), R"(say \"hi\")");
  EXPECT_EQ(escaped_label("line1\nline2"), R"(line1\nline2)");
  EXPECT_EQ(escaped_label("tab\tand unicode \xc3\xa9"), "tab\tand unicode \xc3\xa9");

  Registry r;
  r.gauge_family("app_info", "Info.", {"path"}).with({"C:\\dir \"x\"\n"}).set(1);
  EXPECT_NE(render_registry(r).find("app_info{path=\"C:\\\\dir \\\"x\\\"\\n\"} 1\n"),
            std::string::npos)
      << render_registry(r);
}

TEST(PrometheusText, EscapesHelpBackslashAndNewlineOnly) {
  Registry r;
  r.gauge("app_x", "a \\ b\nc \"quoted\"").set(0);
  EXPECT_NE(render_registry(r).find("# HELP app_x a \\\\ b\\nc \"quoted\"\n"), std::string::npos);
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h =
      r.histogram_family("app_latency_seconds", "Latency.", {"op"}, {0.1, 0.5, 1}).with({"put"});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive: lands in the 0.1 bucket
  h.observe(0.3);
  h.observe(2.5);  // only in +Inf
  EXPECT_EQ(render_registry(r),
            "# HELP app_latency_seconds Latency.\n"
            "# TYPE app_latency_seconds histogram\n"
            "app_latency_seconds_bucket{op=\"put\",le=\"0.1\"} 2\n"
            "app_latency_seconds_bucket{op=\"put\",le=\"0.5\"} 3\n"
            "app_latency_seconds_bucket{op=\"put\",le=\"1\"} 3\n"
            "app_latency_seconds_bucket{op=\"put\",le=\"+Inf\"} 4\n"
            "app_latency_seconds_sum{op=\"put\"} 2.95\n"
            "app_latency_seconds_count{op=\"put\"} 4\n");
}

TEST(PrometheusText, UnlabelledHistogramHasOnlyLe) {
  Registry r;
  auto& h = r.histogram("app_size_bytes", "Size.", {1024});
  h.observe_n(10, 3);
  auto text = render_registry(r);
  EXPECT_NE(text.find("app_size_bytes_bucket{le=\"1024\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_size_bytes_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_size_bytes_sum 30\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_size_bytes_count 3\n"), std::string::npos) << text;
}

TEST(PrometheusText, ValuesUseGoParseFloatSyntax) {
  EXPECT_EQ(value_text(0), "0");
  EXPECT_EQ(value_text(42), "42");
  EXPECT_EQ(value_text(0.005), "0.005");
  EXPECT_EQ(value_text(1e21), "1e+21");
  EXPECT_EQ(value_text(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(value_text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(value_text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(value_text(18446744073709551615.0), "18446744073709551616");
  // Shortest text that reads back to the same double.
  EXPECT_EQ(std::stod(value_text(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(PrometheusText, OrderIsStableByNameThenLabels) {
  Registry r;
  r.gauge_family("b_metric", "B.", {"p"}).with({"2"}).set(2);
  r.gauge_family("b_metric", "B.", {"p"}).with({"10"}).set(10);
  r.counter("a_metric_total", "A.").inc();
  auto text = render_registry(r);
  EXPECT_LT(text.find("a_metric_total 1"), text.find("b_metric{p=\"10\"}"));
  EXPECT_LT(text.find("b_metric{p=\"10\"}"), text.find("b_metric{p=\"2\"}"));
  EXPECT_EQ(text, render_registry(r));
}

TEST(PrometheusText, FamiliesWithoutSamplesAreOmitted) {
  Registry r;
  r.counter_family("app_unused_total", "Never used.", {"x"});
  auto& hidden = r.gauge_family("app_lag", "Lag.", {"partition"});
  hidden.with({"0"}).set(5);
  hidden.remove({"0"});
  EXPECT_EQ(render_registry(r), "");
  hidden.with({"0"});  // shown again, value kept
  EXPECT_EQ(render_registry(r),
            "# HELP app_lag Lag.\n# TYPE app_lag gauge\napp_lag{partition=\"0\"} 5\n");
}

TEST(PrometheusText, CallbackCollectorSamplesAreSortedAndRendered) {
  Registry r;
  Descriptor d{"app_queue_length", "Queue length.", MetricType::gauge, {"queue"}, {}};
  r.add_collector(std::make_shared<CallbackCollector>(d, [](std::vector<Sample>& samples) {
    samples.push_back({{"b"}, 2, {}});
    samples.push_back({{"a"}, 1, {}});
  }));
  EXPECT_EQ(render_registry(r),
            "# HELP app_queue_length Queue length.\n"
            "# TYPE app_queue_length gauge\n"
            "app_queue_length{queue=\"a\"} 1\n"
            "app_queue_length{queue=\"b\"} 2\n");
}

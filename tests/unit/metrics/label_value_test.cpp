#include "metrics/label_value.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "metrics/registry.hpp"
#include "metrics/sink_metrics.hpp"

using namespace ks3::metrics;

TEST(LabelValue, ValidUtf8PassesUnchanged) {
  const std::string text = "caf\xc3\xa9 \xf0\x9f\x98\x80 a\"b\\c\nd\t\x01";
  EXPECT_EQ(label_value(text), text);
  EXPECT_EQ(label_value(""), "");
}

TEST(LabelValue, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(label_value("a\xff"
                        "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(label_value("\xc3"), "\xef\xbf\xbd");  // truncated sequence
}

// Found by tests/fuzz/metrics_labels_fuzz.cpp: a label value with invalid UTF-8 (an S3 error
// <Code>, for instance) reached /metrics as it was, and Prometheus rejects a scrape that is not
// valid UTF-8 (every series of it).
TEST(LabelValue, FamiliesKeepTheExpositionValidUtf8AndEscapeQuotesBackslashesAndNewlines) {
  Registry registry;
  SinkMetrics sink(registry);
  sink.s3_retries.with({"PutObject", "Bad\xffgateway"}).inc();
  sink.kafka_errors.with({"a\"b\\c\nd"}).inc();
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("kafka_s3_sink_s3_retries_total{operation=\"PutObject\",reason="
                      "\"Bad\xef\xbf\xbdgateway\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\xff'), std::string::npos);
  EXPECT_NE(text.find("kafka_s3_sink_kafka_errors_total{code=\"a\\\"b\\\\c\\nd\"} 1\n"),
            std::string::npos)
      << text;
  // The same series whichever spelling of the invalid value is used again.
  sink.s3_retries.with({"PutObject", "Bad\xffgateway"}).inc();
  EXPECT_EQ(sink.s3_retries.with({"PutObject", "Bad\xef\xbf\xbdgateway"}).value(), 2);
}

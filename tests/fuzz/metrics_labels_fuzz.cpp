// libFuzzer target: label values in the /metrics text (metrics/metric_handles.hpp, prometheus-cpp's
// TextSerializer). Arbitrary bytes become the label values of the sink's own families (topic,
// reason, operation, code, ...: a topic comes from Kafka, an S3 retry reason is the <Code> of an
// S3 error body); the registry is serialized as /metrics serves it and read back with a strict
// parser of the text exposition format written here. Every line must be a comment or exactly one
// sample, the text valid UTF-8, and each series must carry exactly the label values put in, after
// the one change the sink makes at the source: invalid UTF-8 becomes U+FFFD
// (metrics::label_value; valid UTF-8 passes unchanged).
#include <fuzzer/FuzzedDataProvider.h>
#include <prometheus/text_serializer.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/json_string.hpp"
#include "metrics/label_value.hpp"
#include "metrics/registry.hpp"
#include "metrics/sink_metrics.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "metrics_labels_fuzz: %s: '%.*s'\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  std::string value;
};

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// A metric or label name at `pos`; empty when there is none.
std::string read_name(std::string_view line, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < line.size() && name_char(line[pos], pos == start)) ++pos;
  return std::string(line.substr(start, pos - start));
}

// The text format's sample line: name{label="value",...} value. Label values escape only '\\',
// '"' and newline ("\\n"); any other escape, an unescaped newline or a missing quote fails.
std::optional<Sample> parse_sample(std::string_view line) {
  Sample sample;
  std::size_t pos = 0;
  sample.name = read_name(line, pos);
  if (sample.name.empty()) return std::nullopt;
  if (pos < line.size() && line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      std::string label = read_name(line, pos);
      if (label.empty() || line.substr(pos, 2) != "=\"") return std::nullopt;
      pos += 2;
      std::string value;
      for (;; ++pos) {
        if (pos >= line.size()) return std::nullopt;
        const char c = line[pos];
        if (c == '"') break;
        if (c == '\n') return std::nullopt;
        if (c != '\\') {
          value += c;
          continue;
        }
        if (++pos >= line.size()) return std::nullopt;
        switch (line[pos]) {
          case '\\':
            value += '\\';
            break;
          case '"':
            value += '"';
            break;
          case 'n':
            value += '\n';
            break;
          default:
            return std::nullopt;
        }
      }
      ++pos;  // the closing quote
      if (!sample.labels.emplace(std::move(label), std::move(value)).second) return std::nullopt;
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return std::nullopt;
    ++pos;  // '}'
  }
  if (pos >= line.size() || line[pos] != ' ') return std::nullopt;
  sample.value = std::string(line.substr(pos + 1));
  if (sample.value.empty()) return std::nullopt;
  // A float, NaN or +-Inf, and nothing after it (no timestamp: the sink writes none).
  if (sample.value != "Nan" && sample.value != "NaN" && sample.value != "+Inf" &&
      sample.value != "-Inf") {
    char* end = nullptr;
    (void)std::strtod(sample.value.c_str(), &end);
    if (end != sample.value.c_str() + sample.value.size()) return std::nullopt;
  }
  return sample;
}

// Every line of the exposition: "# HELP name text", "# TYPE name type" or one sample.
std::vector<Sample> parse_exposition(std::string_view text) {
  std::vector<Sample> samples;
  if (!text.empty() && text.back() != '\n') fail("no final newline", text);
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (line.empty()) continue;  // prometheus-cpp ends each family with an empty line
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    if (line.starts_with("#")) fail("unknown comment line", line);
    auto sample = parse_sample(line);
    if (!sample) fail("not one sample", line);
    samples.push_back(std::move(*sample));
  }
  return samples;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  ks3::json::append_valid_utf8(out, text);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ks3::metrics;
  FuzzedDataProvider input(data, size);
  Registry registry;
  SinkMetrics sink(registry);

  // Series put in, by family name: their labels as they must come out, and their value.
  std::map<std::pair<std::string, Labels>, double> expected;
  auto put = [&](const std::string& family, Labels labels, double value) {
    expected[{family, std::move(labels)}] += value;
  };
  for (int round = 0; round < 8 && input.remaining_bytes() > 0; ++round) {
    const std::string a = input.ConsumeRandomLengthString(64);
    const std::string b = input.ConsumeRandomLengthString(64);
    // The one change at the source; valid UTF-8 is never altered.
    const std::string ea = label_value(a);
    const std::string eb = label_value(b);
    if (ea != valid_utf8(a)) fail("label_value is not the UTF-8 repair", a);
    if (valid_utf8(a) == a && ea != a) fail("valid UTF-8 altered", a);
    switch (input.ConsumeIntegralInRange(0, 4)) {
      case 0:
        sink.records_dead_lettered.with({a, b}).inc(3);
        put("kafka_s3_sink_records_dead_lettered_total", {{"topic", ea}, {"reason", eb}}, 3);
        break;
      case 1:
        sink.s3_retries.with({a, b}).inc();
        put("kafka_s3_sink_s3_retries_total", {{"operation", ea}, {"reason", eb}}, 1);
        break;
      case 2:
        sink.kafka_errors.with({a}).inc(2);
        put("kafka_s3_sink_kafka_errors_total", {{"code", ea}}, 2);
        break;
      case 3:
        sink.partition(a, 7).consumer_lag.set(5);
        expected[{"kafka_s3_sink_consumer_lag_records", {{"topic", ea}, {"partition", "7"}}}] = 5;
        break;
      default:
        sink.topic(a).records_consumed.inc();
        put("kafka_s3_sink_records_consumed_total", {{"topic", ea}}, 1);
        break;
    }
  }

  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  if (valid_utf8(text) != text) fail("exposition is not valid UTF-8", text);
  std::map<std::pair<std::string, Labels>, std::string> found;
  for (Sample& sample : parse_exposition(text)) {
    if (!found.emplace(std::pair{sample.name, sample.labels}, sample.value).second) {
      fail("series twice", sample.name);
    }
  }
  for (const auto& [series, value] : expected) {
    auto it = found.find(series);
    if (it == found.end()) fail("series put in not found", series.first);
    if (std::strtod(it->second.c_str(), nullptr) != value) fail("wrong value", it->second);
  }
  return 0;
}

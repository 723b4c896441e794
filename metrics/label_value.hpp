// Label values as /metrics carries them. The text exposition format escapes '\\', '"' and newline
// in a label value (prometheus-cpp's TextSerializer does) but must be valid UTF-8: one invalid
// byte in a value makes Prometheus reject the whole scrape. Values come from outside the sink
// (a Kafka topic, the <Code> of an S3 error body, librdkafka's error names), so every value is
// made valid at the source, in Family::with(): invalid UTF-8 becomes U+FFFD (the replacement
// json::append_valid_utf8 makes for log lines); valid UTF-8 passes unchanged.
#pragma once

#include <string>
#include <string_view>

namespace ks3::metrics {

std::string label_value(std::string_view value);

}  // namespace ks3::metrics

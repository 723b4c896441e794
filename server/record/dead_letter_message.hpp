// The Kafka record a bad record becomes in the dead-letter topic (bad_records.dead_letter_topic),
// pure. Key, value, timestamp and headers are the original ones, byte for byte (null stays null);
// headers naming the source and the reason follow, in Kafka Connect's dead-letter-queue style
// (errors.deadletterqueue.context.headers.enable) so tooling written for Connect's DLQ reads them:
//   __connect.errors.topic, __connect.errors.partition, __connect.errors.offset (decimal text),
//   __connect.errors.exception.message (the reason, as logged), and ours:
//   ks3.errors.reason (the metric's reason label, e.g. invalid_json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/record.hpp"
#include "server/record/record.hpp"

namespace ks3::server {

inline constexpr std::string_view kDlqTopicHeader = "__connect.errors.topic";
inline constexpr std::string_view kDlqPartitionHeader = "__connect.errors.partition";
inline constexpr std::string_view kDlqOffsetHeader = "__connect.errors.offset";
inline constexpr std::string_view kDlqMessageHeader = "__connect.errors.exception.message";
inline constexpr std::string_view kDlqReasonHeader = "ks3.errors.reason";

// Owns its bytes: it outlives the consumed message (it may wait while the producer's queue is
// full).
struct DeadLetterMessage {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int64_t timestamp_ms = -1;  // -1: the record had none (the producer's clock)
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  // Views for kafka::ProducerRecord (valid while this message lives and is not changed).
  std::vector<kafka::Header> header_views() const;
};

// `reason`: the error text (as logged); `label`: the metric's reason label.
DeadLetterMessage make_dead_letter_message(const RecordView& record, std::string_view reason,
                                           std::string_view label);

}  // namespace ks3::server

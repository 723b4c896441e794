// The pipeline's view of one Kafka record, independent of librdkafka: the pure cores (key
// template, encoder, rotation, Debezium detection) take this, so they test without a broker.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "kafka/record.hpp"

namespace ks3::server {

// The consumer's header type, so a kafka::Record's headers pass through without a copy.
using RecordHeader = kafka::Header;

// Views are valid only while the caller holds the underlying message.
struct RecordView {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;         // -1: the record carries no timestamp
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: tombstone (null value)
  std::span<const RecordHeader> headers;
};

}  // namespace ks3::server

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

// The view of a consumed record. Headers are parsed by librdkafka on first access, so they are
// read only when a template, encoder or hook needs them.
inline RecordView view_of(const kafka::Record& record, bool with_headers) {
  RecordView view;
  view.topic = record.topic;
  view.partition = record.partition;
  view.offset = record.offset;
  view.timestamp_ms = record.timestamp_ms;
  view.key = record.key;
  view.value = record.value;
  if (with_headers) view.headers = record.headers();
  return view;
}

// What the consumed-bytes metrics count for a record: its key and value, without headers.
inline std::uint64_t payload_bytes(const kafka::Record& record) {
  return record.key.value_or("").size() + record.value.value_or("").size();
}

}  // namespace ks3::server

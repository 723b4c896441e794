// One Kafka record as the consumer hands it to its listener. The views point into librdkafka's
// message and are valid only during the ConsumerListener::on_record call: copy what you keep.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

struct rd_kafka_message_s;  // librdkafka's message (rd_kafka_message_t)

namespace ks3::kafka {

struct Header {
  std::string_view name;
  std::optional<std::string_view> value;  // nullopt: a header with a null value
};

class Record {
 public:
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;         // -1: the record carries no timestamp
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: tombstone (null value)

  // The record's headers, in order. Decoded on the first call (records without headers, and
  // listeners that never ask, cost nothing).
  std::span<const Header> headers() const;

  // A record made by hand (tests, synthetic records): the headers are given.
  void set_headers(std::span<const Header> headers) {
    message_ = nullptr;
    headers_ = headers;
  }

  // A record backed by a librdkafka message; `scratch` holds the decoded headers (reused from
  // record to record). Used by the consumer.
  static Record from_message(const rd_kafka_message_s* message, std::string_view topic,
                             std::vector<Header>* scratch);

 private:
  const rd_kafka_message_s* message_ = nullptr;
  std::vector<Header>* scratch_ = nullptr;
  mutable std::span<const Header> headers_;
  mutable bool decoded_ = false;
};

}  // namespace ks3::kafka

#include "kafka/record.hpp"

#include <librdkafka/rdkafka.h>

namespace ks3::kafka {

Record Record::from_message(const rd_kafka_message_s* message, std::string_view topic,
                            std::vector<Header>* scratch) {
  Record record;
  record.topic = topic;
  record.partition = message->partition;
  record.offset = message->offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  record.timestamp_ms = rd_kafka_message_timestamp(message, &type);
  if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) record.timestamp_ms = -1;
  if (message->key) {
    record.key = std::string_view(static_cast<const char*>(message->key), message->key_len);
  }
  if (message->payload) {
    record.value = std::string_view(static_cast<const char*>(message->payload), message->len);
  }
  record.message_ = message;
  record.scratch_ = scratch;
  return record;
}

std::span<const Header> Record::headers() const {
  if (!message_ || decoded_) return headers_;
  decoded_ = true;
  rd_kafka_headers_t* headers = nullptr;
  // "The returned pointer in *hdrsp is associated with the rkmessage and must not be used after
  // destruction of the message object" (rdkafka.h): so are the views taken from it.
  if (rd_kafka_message_headers(message_, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  scratch_->clear();
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i) {
    Header header{name, std::nullopt};
    if (value) header.value = std::string_view(static_cast<const char*>(value), size);
    scratch_->push_back(header);
  }
  headers_ = *scratch_;
  return headers_;
}

}  // namespace ks3::kafka

#include "server/record/dead_letter_message.hpp"

namespace ks3::server {
namespace {

std::optional<std::string> copy(const std::optional<std::string_view>& bytes) {
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

}  // namespace

std::vector<kafka::Header> DeadLetterMessage::header_views() const {
  std::vector<kafka::Header> views;
  views.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    views.push_back({name, value ? std::optional<std::string_view>(*value) : std::nullopt});
  }
  return views;
}

DeadLetterMessage make_dead_letter_message(const RecordView& record, std::string_view reason,
                                           std::string_view label) {
  DeadLetterMessage message;
  message.key = copy(record.key);
  message.value = copy(record.value);
  message.timestamp_ms = record.timestamp_ms;
  message.headers.reserve(record.headers.size() + 5);
  for (const RecordHeader& header : record.headers) {
    message.headers.emplace_back(std::string(header.name), copy(header.value));
  }
  message.headers.emplace_back(std::string(kDlqTopicHeader), std::string(record.topic));
  message.headers.emplace_back(std::string(kDlqPartitionHeader), std::to_string(record.partition));
  message.headers.emplace_back(std::string(kDlqOffsetHeader), std::to_string(record.offset));
  message.headers.emplace_back(std::string(kDlqMessageHeader), std::string(reason));
  message.headers.emplace_back(std::string(kDlqReasonHeader), std::string(label));
  return message;
}

}  // namespace ks3::server

#include "server/record/dead_letter_message.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

TEST(DeadLetterMessage, KeepsTheRecordAndAddsConnectStyleHeaders) {
  const std::string key("k\0ey", 4);  // binary bytes pass through
  const std::vector<RecordHeader> headers = {{"trace", std::string_view("abc")},
                                             {"nothing", std::nullopt},
                                             {"empty", std::string_view("")}};
  RecordView record;
  record.topic = "orders";
  record.partition = 3;
  record.offset = 1234567890123;
  record.timestamp_ms = 1700000000000;
  record.key = key;
  record.value = "not json";
  record.headers = headers;
  const DeadLetterMessage m =
      make_dead_letter_message(record, "invalid JSON at orders/3@1234567890123", "invalid_json");
  EXPECT_EQ(m.key, key);
  EXPECT_EQ(m.value, "not json");
  EXPECT_EQ(m.timestamp_ms, 1700000000000);
  const std::vector<std::pair<std::string, std::optional<std::string>>> expected = {
      {"trace", "abc"},
      {"nothing", std::nullopt},
      {"empty", ""},
      {"__connect.errors.topic", "orders"},
      {"__connect.errors.partition", "3"},
      {"__connect.errors.offset", "1234567890123"},
      {"__connect.errors.exception.message", "invalid JSON at orders/3@1234567890123"},
      {"ks3.errors.reason", "invalid_json"}};
  EXPECT_EQ(m.headers, expected);
  const std::vector<kafka::Header> views = m.header_views();
  ASSERT_EQ(views.size(), expected.size());
  EXPECT_EQ(views[1].value, std::nullopt);
  EXPECT_EQ(views[2].value, std::optional<std::string_view>(""));
  EXPECT_EQ(views[3].name, "__connect.errors.topic");
}

TEST(DeadLetterMessage, NullKeyAndTombstoneStayNull) {
  RecordView record;
  record.topic = "t";
  const DeadLetterMessage m = make_dead_letter_message(record, "why", "invalid_avro");
  EXPECT_EQ(m.key, std::nullopt);
  EXPECT_EQ(m.value, std::nullopt);
  EXPECT_EQ(m.timestamp_ms, -1);
  EXPECT_EQ(m.headers.size(), 5u);
}

}  // namespace
}  // namespace ks3::server

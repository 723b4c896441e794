// bad_records.dead_letter_topic: the pipeline over the strict fake S3 and a fake consumer, its
// dead letters produced to librdkafka's mock cluster. The bad records arrive in the DLQ topic
// with key, value and headers intact plus Connect's context headers; the good ones land in S3
// exactly once; a source offset is committed only after its dead letter was acknowledged, and a
// dead letter the broker refuses stops the sink without committing past the bad record.
#include <gmock/gmock.h>

#include "tests/component/kafka_test_cluster.hpp"
#include "tests/component/pipeline_test_support.hpp"

namespace ks3::test {
namespace {

using ::testing::HasSubstr;

struct DlqMessage {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int64_t timestamp_ms = -1;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  std::optional<std::string> header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return std::string("<missing>");
  }
};

// Reads `count` records of partition 0 of `topic` from the start (bounded: 15 s).
std::vector<DlqMessage> read_topic(const std::string& bootstrap, const std::string& topic,
                                   std::size_t count) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"bootstrap.servers", bootstrap},
                                                        {"group.id", "dlq-reader"},
                                                        {"enable.auto.commit", "false"},
                                                        {"fetch.wait.max.ms", "50"},
                                                        {"log_level", "3"}}) {
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<DlqMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      DlqMessage d;
      if (m->key) d.key.emplace(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) d.value.emplace(static_cast<const char*>(m->payload), m->len);
      d.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == 0; ++i) {
          d.headers.emplace_back(name, value ? std::optional<std::string>(std::string(
                                                   static_cast<const char*>(value), size))
                                             : std::nullopt);
        }
      }
      out.push_back(std::move(d));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// A record whose value is not JSON.
TestRecord bad_record(std::int64_t offset) {
  TestRecord bad = json_record(0, offset);
  bad.value = "{not json";
  return bad;
}

// Records 0, 1 (bad) and 2: with rotation.max_records=3 the segment [0, 3) is cut with one
// object and one dead letter.
void feed_one_segment_with_a_bad_record(PipelineRig& r) {
  r.feed(json_record(0, 0));
  r.feed(bad_record(1));
  r.feed(json_record(0, 2));
}

class PipelineDeadLetterTopic : public ::testing::Test {
 protected:
  asio::io_context io;
  FakeS3 s3{io.get_executor()};
  kafka::testing::MockKafkaCluster cluster;

  std::unique_ptr<PipelineRig> rig(std::vector<std::string> sets) {
    sets.push_back("bad_records.policy=dead_letter");
    sets.push_back("bad_records.dead_letter_topic=t.dlq");
    sets.push_back("kafka.bootstrap_servers=" + cluster.bootstrap());
    sets.push_back("kafka.properties.log_level=3");
    return std::make_unique<PipelineRig>(io, s3, test_sink_config(std::move(sets)));
  }
};

TEST_F(PipelineDeadLetterTopic, BadRecordsArriveWithTheirBytesAndHeadersAndGoodOnesLandOnce) {
  cluster.create_topic("t.dlq", 1);
  auto r = rig({"rotation.max_records=3"});
  r->assign(0, 0);
  // Headers of the bad record: one with a value, one null.
  const std::vector<kafka::Header> headers = {{"trace", std::string_view("abc")},
                                              {"nothing", std::nullopt}};
  const std::string binary_key("k\0\xff", 3);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    TestRecord bad = json_record(0, 1);
    bad.key = binary_key;
    bad.value = "{not json";
    kafka::Record view = bad.view();
    view.set_headers(headers);
    r->pipeline.on_record(view);
    r->feed(json_record(0, 2));  // [0, 3) is cut: an object and a dead letter
    TestRecord null_key = json_record(0, 3);
    null_key.key.reset();
    null_key.value = "nope";
    r->feed(null_key);
    r->feed(json_record(0, 4));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(20)));
  }());
  EXPECT_FALSE(r->fatal) << *r->fatal;
  // Nothing went to the S3 dead-letter prefix; the good records landed once.
  for (const std::string& key : s3.keys("test-bucket")) EXPECT_FALSE(key.starts_with("_dlq/"));
  auto landed = landed_records(s3);
  std::vector<std::int64_t> offsets;
  for (const LandedRecord& l : landed) offsets.push_back(l.offset);
  EXPECT_THAT(offsets, ::testing::UnorderedElementsAre(0, 2, 4));
  EXPECT_EQ(r->consumer.offset(0), 5);
  // The budget reserves the producer's queue (16 MiB) on top of the prefetch (1 MiB here).
  EXPECT_EQ(r->pipeline.memory().reserved(), (1u + 16u) << 20);
  EXPECT_EQ(r->metrics.records_dead_lettered.with({"t", "invalid_json"}).value(), 2);

  const std::vector<DlqMessage> dlq = read_topic(cluster.bootstrap(), "t.dlq", 2);
  ASSERT_EQ(dlq.size(), 2u);
  EXPECT_EQ(dlq[0].key, binary_key);
  EXPECT_EQ(dlq[0].value, "{not json");
  EXPECT_EQ(dlq[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(dlq[0].header("trace"), "abc");
  EXPECT_EQ(dlq[0].header("nothing"), std::nullopt);
  EXPECT_EQ(dlq[0].header("__connect.errors.topic"), "t");
  EXPECT_EQ(dlq[0].header("__connect.errors.partition"), "0");
  EXPECT_EQ(dlq[0].header("__connect.errors.offset"), "1");
  EXPECT_THAT(dlq[0].header("__connect.errors.exception.message").value_or(""),
              HasSubstr("t/0/1: the value is not valid JSON"));
  EXPECT_EQ(dlq[0].header("ks3.errors.reason"), "invalid_json");
  EXPECT_EQ(dlq[1].key, std::nullopt);
  EXPECT_EQ(dlq[1].value, "nope");
  EXPECT_EQ(dlq[1].header("__connect.errors.offset"), "3");
}

// The object of the segment completes long before the broker answers: the commit waits.
TEST_F(PipelineDeadLetterTopic, TheCommitWaitsForTheDeadLettersAcknowledgement) {
  cluster.create_topic("t.dlq", 1);
  auto r = rig({"rotation.max_records=3"});
  r->assign(0, 0);
  rd_kafka_mock_broker_set_rtt(cluster.mock(), 1, 300);  // every answer takes 300 ms
  run(io, [&]() -> asio::awaitable<void> {
    feed_one_segment_with_a_bad_record(*r);
    EXPECT_TRUE(co_await eventually([&] { return r->pipeline.stats().objects_completed == 1; }));
    EXPECT_LT(r->consumer.offset(0), 1) << "committed past a dead letter not acknowledged yet";
    EXPECT_EQ(r->pipeline.partition_state({"t", 0})->dead_letters_in_flight(), 1u);
    EXPECT_TRUE(
        co_await eventually([&] { return r->consumer.offset(0) == 3; }, std::chrono::seconds(20)));
    EXPECT_TRUE(co_await r->pipeline.drain(std::chrono::seconds(10)));
  }());
  EXPECT_FALSE(r->fatal);
  rd_kafka_mock_broker_set_rtt(cluster.mock(), 1, 0);
  EXPECT_EQ(read_topic(cluster.bootstrap(), "t.dlq", 1).size(), 1u);
}

// A revoke awaits the dead letters in flight (like uploads) before its final commit.
TEST_F(PipelineDeadLetterTopic, ARevokeAwaitsDeadLettersInFlightBeforeItsCommit) {
  cluster.create_topic("t.dlq", 1);
  auto r = rig({"rotation.max_records=3"});
  r->assign(0, 0);
  rd_kafka_mock_broker_set_rtt(cluster.mock(), 1, 300);
  run(io, [&]() -> asio::awaitable<void> {
    feed_one_segment_with_a_bad_record(*r);
    std::vector<kafka::TopicPartition> revoked = {{"t", 0}};
    co_await r->pipeline.on_revoked(revoked);
  }());
  EXPECT_EQ(r->pipeline.assigned_partitions(), 0u);
  EXPECT_EQ(r->consumer.offset(0), 3);
  EXPECT_FALSE(r->fatal);
}

TEST_F(PipelineDeadLetterTopic, ARefusedDeadLetterStopsTheSinkBeforeTheBadRecord) {
  cluster.create_topic("t.dlq", 1);
  auto r = rig({"rotation.max_records=2"});
  r->assign(0, 0);
  run(io, [&]() -> asio::awaitable<void> {
    r->feed(json_record(0, 0));
    r->feed(json_record(0, 1));  // [0, 2): committed
    EXPECT_TRUE(co_await eventually([&] { return r->consumer.offset(0) == 2; }));
    // Every Produce from now on is refused for good.
    std::vector<rd_kafka_resp_err_t> errors(20, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(cluster.mock(), kafka::testing::kProduceApiKey,
                                            errors.size(), errors.data());
    r->feed(bad_record(2));
    r->feed(json_record(0, 3));  // [2, 4): its object completes, its dead letter fails
    EXPECT_TRUE(
        co_await eventually([&] { return r->fatal.has_value(); }, std::chrono::seconds(20)));
    r->feed(json_record(0, 4));  // after the failure: not consumed
    co_await r->pipeline.drain(std::chrono::seconds(10));
  }());
  ASSERT_TRUE(r->fatal);
  EXPECT_THAT(*r->fatal, HasSubstr("t/0/2"));
  EXPECT_THAT(*r->fatal, HasSubstr("t.dlq"));
  EXPECT_EQ(r->consumer.offset(0), 2);  // never past the bad record
  EXPECT_EQ(r->metrics.dead_letter_failures.value(), 1);
}

// Start-up: a dead-letter topic the cluster does not have is reported at once (not at the first
// dead letter's message.timeout.ms), naming the key and the topic; once it exists the check
// passes. librdkafka's mock cluster creates any topic a metadata request names, whatever
// allow.auto.create.topics says, so "no such topic" is its injected topic error here.
TEST_F(PipelineDeadLetterTopic, AMissingTopicIsReportedAtStartUp) {
  auto r = rig({});
  std::optional<std::string> error;
  auto check = [&]() -> asio::awaitable<void> {
    error = co_await r->pipeline.check_dead_letter_topic();
  };
  rd_kafka_mock_topic_set_error(cluster.mock(), "t.dlq", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  const auto start = std::chrono::steady_clock::now();
  run(io, check());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_TRUE(error);
  EXPECT_THAT(*error,
              HasSubstr("bad_records.dead_letter_topic: Kafka topic 't.dlq' does not exist"));
  rd_kafka_mock_topic_set_error(cluster.mock(), "t.dlq", RD_KAFKA_RESP_ERR_NO_ERROR);
  run(io, check());
  EXPECT_EQ(error, std::nullopt);
}

}  // namespace
}  // namespace ks3::test

namespace ks3::test {
namespace {

// The producer's polling coroutine has a completion handler: what it throws (here a delivery
// callback) reaches the handler the pipeline gives it, which fails the sink, instead of ending
// the polling silently with outcomes never reported (and commits waiting for them forever).
// A later send polls again.
TEST_F(PipelineDeadLetterTopic, WhatTheProducersPollingThrowsReachesItsExceptionHandler) {
  cluster.create_topic("t.dlq", 1);
  const server::SinkConfig config = test_sink_config(
      {"kafka.bootstrap_servers=" + cluster.bootstrap(), "kafka.properties.log_level=3"});
  std::vector<std::string> thrown;
  server::DeadLetterProducer producer(io.get_executor(),
                                      server::dead_letter_producer_config(config), "t.dlq",
                                      [&](std::exception_ptr error) {
                                        try {
                                          std::rethrow_exception(error);
                                        } catch (const std::exception& e) {
                                          thrown.push_back(e.what());
                                        }
                                      });
  bool second_done = false;
  run(io, [&]() -> asio::awaitable<void> {
    server::DeadLetterMessage message;
    message.value = "{not json";
    producer.send(message, [](const boost::system::error_code&, const std::string&) {
      throw std::runtime_error("a callback failed");
    });
    EXPECT_TRUE(co_await eventually([&] { return !thrown.empty(); }, std::chrono::seconds(15)))
        << "the exception never reached the handler";
    producer.send(message, [&](const boost::system::error_code& code, const std::string& why) {
      EXPECT_FALSE(code) << why;
      second_done = true;
    });
    EXPECT_TRUE(co_await eventually([&] { return second_done; }, std::chrono::seconds(15)))
        << "a send after the throw was never reported";
  }());
  ASSERT_EQ(thrown.size(), 1u);
  EXPECT_EQ(thrown[0], "a callback failed");
}

}  // namespace
}  // namespace ks3::test

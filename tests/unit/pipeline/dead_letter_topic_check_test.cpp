#include "server/pipeline/dead_letter_topic_check.hpp"

#include <gmock/gmock.h>
#include <librdkafka/rdkafka.h>

#include "kafka/errors.hpp"

namespace ks3::server {
namespace {

using ::testing::HasSubstr;

TEST(DeadLetterTopicCheck, AnAnsweredLookupWithPartitionsIsFine) {
  const auto check = judge_dead_letter_topic("t.dlq", {}, 3);
  EXPECT_EQ(check.status, DeadLetterTopicStatus::exists);
  EXPECT_EQ(check.message, "");
}

TEST(DeadLetterTopicCheck, NoSuchTopicNamesTheKeyAndTheTopic) {
  for (const boost::system::error_code& lookup :
       {boost::system::error_code{},
        kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)}) {
    const auto check = judge_dead_letter_topic("t.dlq", lookup, 0);
    EXPECT_EQ(check.status, DeadLetterTopicStatus::missing);
    EXPECT_THAT(check.message,
                HasSubstr("bad_records.dead_letter_topic: Kafka topic 't.dlq' does not exist"));
    EXPECT_EQ(check.message.find('\n'), std::string::npos);
  }
}

TEST(DeadLetterTopicCheck, NotAuthorizedIsRefused) {
  const auto check = judge_dead_letter_topic(
      "t.dlq", kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), 0);
  EXPECT_EQ(check.status, DeadLetterTopicStatus::refused);
  EXPECT_THAT(check.message, HasSubstr("'t.dlq' is not authorized"));
  EXPECT_THAT(check.message, HasSubstr("TOPIC_AUTHORIZATION_FAILED"));
}

// No answer in time: the check cannot tell, the sink goes on (the consumer waits for the
// cluster too) and a dead letter that cannot be delivered still stops it.
TEST(DeadLetterTopicCheck, NoAnswerIsUnverifiedNotFatal) {
  const auto check =
      judge_dead_letter_topic("t.dlq", kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT), 0);
  EXPECT_EQ(check.status, DeadLetterTopicStatus::unverified);
  EXPECT_THAT(check.message, HasSubstr("bad_records.dead_letter_topic: Kafka topic 't.dlq' could "
                                       "not be checked: _TIMED_OUT"));
}

}  // namespace
}  // namespace ks3::server

namespace ks3::server {
namespace {

using namespace std::chrono_literals;

TEST(DeadLetterLookupSlices, AskAgainWhileTheClusterDoesNotAnswerAndTimeRemains) {
  for (auto err : {RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT}) {
    const auto lookup = kafka::make_rdkafka_error(err);
    EXPECT_EQ(next_after_lookup_slice(lookup, 250ms, false), DeadLetterLookupNext::again);
    EXPECT_EQ(next_after_lookup_slice(lookup, kDeadLetterTopicCheckTimeout - 1ms, false),
              DeadLetterLookupNext::again);
    // The lookup's time is up: judged (unverified: going on with a warning).
    EXPECT_EQ(next_after_lookup_slice(lookup, kDeadLetterTopicCheckTimeout, false),
              DeadLetterLookupNext::judge);
  }
}

TEST(DeadLetterLookupSlices, AnAnswerIsJudgedAtOnce) {
  EXPECT_EQ(next_after_lookup_slice({}, 10ms, false), DeadLetterLookupNext::judge);
  EXPECT_EQ(
      next_after_lookup_slice(
          kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), 10ms, false),
      DeadLetterLookupNext::judge);
}

TEST(DeadLetterLookupSlices, AStopEndsTheLookup) {
  EXPECT_EQ(
      next_after_lookup_slice(kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT), 250ms, true),
      DeadLetterLookupNext::stopped);
  EXPECT_EQ(next_after_lookup_slice({}, 250ms, true), DeadLetterLookupNext::stopped);
}

TEST(DeadLetterLookupSlices, TheVerdictKeepsTheLookupError) {
  const auto lookup = kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT);
  EXPECT_EQ(judge_dead_letter_topic("t.dlq", lookup, 0).lookup, lookup);
}

}  // namespace
}  // namespace ks3::server

#include "server/pipeline/dead_letter_topic_check.hpp"

#include <librdkafka/rdkafka.h>

#include "kafka/errors.hpp"

namespace ks3::server {

DeadLetterTopicCheck judge_dead_letter_topic(std::string_view topic,
                                             const boost::system::error_code& lookup,
                                             int partitions) {
  const std::string named =
      "bad_records.dead_letter_topic: Kafka topic '" + std::string(topic) + "'";
  if (!lookup && partitions > 0) return {DeadLetterTopicStatus::exists, {}, lookup};
  if (!lookup || lookup == kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)) {
    return {DeadLetterTopicStatus::missing,
            named +
                " does not exist (the sink neither creates it nor lets the broker "
                "auto-create it): create it, or fix bad_records.dead_letter_topic",
            lookup};
  }
  if (lookup == kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)) {
    return {DeadLetterTopicStatus::refused,
            named + " is not authorized for this client (" + kafka::error_name(lookup) +
                "): allow it to describe and write the topic, or fix "
                "bad_records.dead_letter_topic",
            lookup};
  }
  return {DeadLetterTopicStatus::unverified,
          named + " could not be checked: " + kafka::error_name(lookup) + " (" + lookup.message() +
              "); going on, a dead letter that cannot be delivered stops the sink",
          lookup};
}

DeadLetterLookupNext next_after_lookup_slice(const boost::system::error_code& lookup,
                                             std::chrono::milliseconds elapsed,
                                             bool stop_requested) {
  if (stop_requested) return DeadLetterLookupNext::stopped;
  const bool unanswered = lookup == kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT) ||
                          lookup == kafka::make_rdkafka_error(RD_KAFKA_RESP_ERR__TRANSPORT);
  if (unanswered && elapsed < kDeadLetterTopicCheckTimeout) return DeadLetterLookupNext::again;
  return DeadLetterLookupNext::judge;
}

}  // namespace ks3::server

// The start-up check of bad_records.dead_letter_topic (pure: the verdict on a metadata lookup;
// DeadLetterProducer::look_up_topic makes the request). Without it a topic that does not exist
// shows only when the first dead letter times out (librdkafka's message.timeout.ms, 5 minutes)
// and the sink stops then. The sink never creates the topic and asks the broker not to
// auto-create it (allow.auto.create.topics=false): a dead-letter topic wants its own
// retention and replication, not the broker's defaults. See docs/DESIGN.md, "Dead letters in a
// Kafka topic".
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <string_view>

namespace ks3::server {

// How long the start-up lookup waits for the cluster's metadata.
inline constexpr std::chrono::milliseconds kDeadLetterTopicCheckTimeout{10000};

enum class DeadLetterTopicStatus {
  exists,      // the cluster knows the topic: go on
  missing,     // the cluster answered: no such topic (exit 2)
  refused,     // the cluster answered: not authorized for it (exit 2)
  unverified,  // no answer in time (or another error): go on with a warning; the first dead
               // letter that cannot be delivered still stops the sink
};

struct DeadLetterTopicCheck {
  DeadLetterTopicStatus status = DeadLetterTopicStatus::unverified;
  std::string
      message;  // one line naming bad_records.dead_letter_topic and the topic; empty: exists
};

// `lookup`: the error of the metadata request (empty when the cluster answered); `partitions`:
// the topic's partition count in the answer (0: the topic does not exist).
DeadLetterTopicCheck judge_dead_letter_topic(std::string_view topic,
                                             const boost::system::error_code& lookup,
                                             int partitions);

}  // namespace ks3::server

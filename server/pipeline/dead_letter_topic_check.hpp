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

// How long the start-up lookup waits for the cluster's metadata, in all.
inline constexpr std::chrono::milliseconds kDeadLetterTopicCheckTimeout{10000};
// It asks in slices of this length (each a metadata request that waits at most that long), so
// that a stop requested meanwhile (SIGTERM during start-up) ends it within a slice.
inline constexpr std::chrono::milliseconds kDeadLetterTopicCheckSlice{250};

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
  boost::system::error_code lookup;  // the lookup's error, as judged
};

// `lookup`: the error of the metadata request (empty when the cluster answered); `partitions`:
// the topic's partition count in the answer (0: the topic does not exist).
DeadLetterTopicCheck judge_dead_letter_topic(std::string_view topic,
                                             const boost::system::error_code& lookup,
                                             int partitions);

}  // namespace ks3::server

namespace ks3::server {

// After one slice of the start-up lookup, what next: `judge` its answer (the cluster answered,
// with the topic or an error, or the lookup's time is up), ask `again` (no answer within the
// slice: timed out, or no broker reachable yet), or give up because a stop was requested.
enum class DeadLetterLookupNext { judge, again, stopped };
DeadLetterLookupNext next_after_lookup_slice(const boost::system::error_code& lookup,
                                             std::chrono::milliseconds elapsed,
                                             bool stop_requested);

}  // namespace ks3::server

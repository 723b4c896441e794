// Keeping librdkafka 2.0-2.1 fetching while the sink drains its queue (docs/DESIGN.md, "Threads
// and fetching").
//
// Before 2.2.0 (fetch.queue.backoff.ms), a partition whose consumer queue is over
// queued.min.messages or queued.max.messages.kbytes stops fetching, and its broker thread decides
// again only when it next wakes: on socket I/O, on an op, or after its fixed 1 s wait
// (rd_kafka_broker_serve with rd_kafka_max_block_ms). A sink a little slower than the broker thus
// idles in bursts of up to a second once per queue-full. The only public call that wakes every
// broker thread without touching fetch positions or prefetched messages is
// rd_kafka_sasl_set_credentials (it stores two strings, then posts a wake-up op to each broker).
// Calling it with the credentials already configured (or with empty strings when SASL PLAIN/SCRAM
// is not in use) changes nothing else; with GSSAPI it would, so there it is never called.
//
// When: after every pass over the queue that took something off it (and at each yield inside a
// long pass), after resuming partitions, and on the maintenance tick. Not rate-limited: a
// suppressed wake-up after the last drain is exactly the one-second stall this avoids, and a
// wake-up costs an op per broker thread.
//
// Pure: decides whether and with what to wake; consumer.cpp makes the call.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace ks3::kafka {

struct WakeupCredentials {
  std::string username;
  std::string password;
};

// How the consumer keeps librdkafka fetching.
struct FetchWakeupMode {
  enum class Kind { wake, not_needed, unavailable } kind = Kind::not_needed;
  WakeupCredentials credentials;  // kind == wake: what to pass to rd_kafka_sasl_set_credentials
  std::string why;                // kind != wake: one line for the start-up log
};

// `version` is rd_kafka_version() (0xMMmmrrxx); `properties` the effective librdkafka properties.
FetchWakeupMode fetch_wakeup_mode(int version,
                                  const std::map<std::string, std::string>& properties);

}  // namespace ks3::kafka

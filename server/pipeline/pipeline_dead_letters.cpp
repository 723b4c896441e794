// Dead letters to a Kafka topic (bad_records.dead_letter_topic): each one is a pending unit of
// its segment (server/delivery/dead_letter_units.hpp) that becomes durable on the broker's
// acknowledgement, so the source offset is never committed before its dead letter is in the
// topic. See docs/DESIGN.md, "Dead letters in a Kafka topic".
#include "metrics/log.hpp"
#include "server/pipeline/arrival_clock.hpp"
#include "server/pipeline/pipeline.hpp"

namespace ks3::server {

boost::asio::awaitable<std::optional<std::string>> Pipeline::check_dead_letter_topic(
    std::function<bool()> stop_requested) {
  if (!dead_letter_producer_) co_return std::nullopt;
  const auto started = std::chrono::steady_clock::now();
  DeadLetterTopicCheck check;
  for (;;) {
    check = co_await dead_letter_producer_->look_up_topic(kDeadLetterTopicCheckSlice);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const DeadLetterLookupNext next =
        next_after_lookup_slice(check.lookup, elapsed, stop_requested && stop_requested());
    if (next == DeadLetterLookupNext::stopped) co_return std::nullopt;
    if (next == DeadLetterLookupNext::judge) break;
  }
  switch (check.status) {
    case DeadLetterTopicStatus::exists:
      co_return std::nullopt;
    case DeadLetterTopicStatus::unverified:
      log::warn("dead-letter topic not checked", {{"error", check.message}});
      co_return std::nullopt;
    case DeadLetterTopicStatus::missing:
    case DeadLetterTopicStatus::refused:
      break;
  }
  co_return check.message;
}

void Pipeline::produce_dead_letter(const std::shared_ptr<PartitionRuntime>& handle,
                                   const RecordView& record, const std::string& error,
                                   std::string_view label) {
  const DeadLetterUnits::Ticket ticket = handle->state.dead_letter_produced();
  // Absent from the data objects, exactly as with skip: the object set and the cut manifests
  // do not depend on where dead letters go.
  handle->state.record_consumed(record.offset, record.timestamp_ms, 0, arrival_now());
  log::warn("bad record sent to the dead-letter topic",
            {{"record", record_position(record)},
             {"dead_letter_topic", dead_letter_producer_->topic()},
             {"error", error}});
  dead_letter_producer_->send(
      make_dead_letter_message(record, error, label),
      [this, alive = std::weak_ptr<bool>(alive_), weak = std::weak_ptr<PartitionRuntime>(handle),
       ticket, position = record_position(record)](const boost::system::error_code& code,
                                                   const std::string& why) {
        if (alive.expired()) return;
        settled_.notify_all();
        // A partition revoked meanwhile is gone: its next owner consumes the record again.
        if (auto partition = weak.lock()) dead_letter_done(partition, ticket, position, code, why);
      });
}

void Pipeline::dead_letter_done(const std::shared_ptr<PartitionRuntime>& handle,
                                DeadLetterUnits::Ticket ticket, const std::string& position,
                                const boost::system::error_code& code, const std::string& why) {
  handle->changed.notify_all();
  if (!code) {
    if (handle->state.dead_letter_acknowledged(ticket)) schedule_commit(handle);
    return;
  }
  // Failed for good (librdkafka retried until message.timeout.ms, or the error is final): the
  // record's segment never becomes durable, so nothing at or after it is committed.
  handle->state.dead_letter_failed(ticket);
  metrics_.dead_letter_failures.inc();
  log::error("dead letter delivery failed", {{"dead_letter_topic", dead_letter_producer_->topic()},
                                             {"record", position},
                                             {"error", why}});
  fail("dead letter of " + position + " to Kafka topic " + dead_letter_producer_->topic() +
       " failed: " + why);
}

}  // namespace ks3::server

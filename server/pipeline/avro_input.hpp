// The Avro input (format.input avro): record values in Confluent Schema Registry framing become
// JSON text before the record path sees them (Mode::json; keys too with format.key_input avro), or,
// for outputs that use the writer schema (Avro container files, Parquet typed from the schema), are
// checked by decoding and handed on as the bare datum with their schema (Mode::datum). The
// decisions are in AvroValueConverter (pure); this shell fetches unknown schemas from the registry
// on the event loop.
//
// Order: while a schema is being fetched, every record that arrives is copied into a queue (its
// bytes count in the memory budget, so a long fetch pauses the consumer like any backlog); once
// the schema is known the queue is replayed in arrival order, so each partition keeps its order.
// A queued record whose partition was revoked (or reassigned, a new runtime) is dropped: it was
// never consumed, so it is not committed and the next owner reads it again.
//
// Registry failures: an unknown id (404) or a schema that is not Avro -> the records using it go
// to the bad-record policy (the id stays unknown until a restart); refused credentials -> the
// sink fails; anything else (unreachable, 5xx) -> retried with capped backoff, the records wait.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/format/avro/registry_client.hpp"
#include "server/format/avro_values.hpp"
#include "server/pipeline/memory_account.hpp"
#include "server/pipeline/partition_runtime.hpp"

namespace ks3::server {

class AvroInput {
 public:
  enum class Mode { json, datum };
  // A record for the record path: its value as JSON text (json) or the datum with its `writer`
  // schema (datum), `bad` null; or as it came with the reason it cannot be read (`bad`: for the
  // bad-record policy). Tombstones come as they are.
  using Deliver = std::function<void(const std::shared_ptr<PartitionRuntime>& handle,
                                     const RecordView& record, const std::string* bad,
                                     const std::shared_ptr<const AvroWriterSchema>& writer)>;
  using Fatal = std::function<void(const std::string& message)>;

  // Throws std::invalid_argument when the registry settings are unusable (bad URL, CA file).
  // `reader`: the reader schema every value is resolved to (format.avro.reader_schema), or null.
  // `decode_keys` (format.key_input avro): keys become the JSON text of their Avro datum too; a
  // key that does not decode makes the record a bad record.
  AvroInput(boost::asio::any_io_executor executor, avro::RegistryOptions registry, Mode mode,
            std::shared_ptr<const AvroWriterSchema> reader, bool decode_keys,
            std::shared_ptr<MemoryAccount> memory, Deliver deliver, Fatal fatal);
  ~AvroInput();
  AvroInput(const AvroInput&) = delete;
  AvroInput& operator=(const AvroInput&) = delete;

  void on_record(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record);

  std::size_t queued() const { return queue_.size(); }

 private:
  struct Queued {
    std::weak_ptr<PartitionRuntime> handle;
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t timestamp_ms = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> header_bytes;
    std::vector<RecordHeader> headers;  // views into header_bytes
    std::uint64_t bytes = 0;            // counted in the memory budget
    RecordView view() const;
  };

  // Delivers `record` unless its schema is unknown (then starts the fetch and returns false).
  bool try_deliver(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record);
  void enqueue(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record);
  void drain();
  void start_fetch(const avro::SchemaRef& ref);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<avro::RegistryClient> registry_;  // shared: a fetch in flight keeps it alive
  Mode mode_;
  bool decode_keys_;
  std::shared_ptr<MemoryAccount> memory_;
  Deliver deliver_;
  Fatal fatal_;
  AvroValueConverter converter_;
  std::string json_;      // the converted value, reused
  std::string key_json_;  // the converted key, reused
  std::deque<Queued> queue_;
  bool fetching_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ks3::server

#include "server/pipeline/avro_input.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "metrics/exception_message.hpp"
#include "metrics/log.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {
constexpr std::chrono::milliseconds kFirstRetry{500};
constexpr std::chrono::milliseconds kMaxRetry{30000};
}  // namespace

RecordView AvroInput::Queued::view() const {
  RecordView v;
  v.topic = topic;
  v.partition = partition;
  v.offset = offset;
  v.timestamp_ms = timestamp_ms;
  if (key) v.key = *key;
  if (value) v.value = *value;
  v.headers = headers;
  return v;
}

AvroInput::AvroInput(asio::any_io_executor executor, avro::RegistryOptions registry, Mode mode,
                     std::shared_ptr<const AvroWriterSchema> reader, bool decode_keys,
                     std::shared_ptr<MemoryAccount> memory, Deliver deliver, Fatal fatal)
    : executor_(executor),
      mode_(mode),
      decode_keys_(decode_keys),
      memory_(std::move(memory)),
      deliver_(std::move(deliver)),
      fatal_(std::move(fatal)),
      converter_(avro::JsonOptions{}, std::move(reader)) {
  auto client = avro::RegistryClient::create(executor, std::move(registry));
  if (!client) {
    throw std::invalid_argument("schema_registry: " + client.error().describe());
  }
  registry_ = std::move(*client);
}

AvroInput::~AvroInput() {
  *alive_ = false;
  for (const Queued& q : queue_) memory_->adjust_buffered(-static_cast<std::int64_t>(q.bytes));
}

void AvroInput::on_record(const std::shared_ptr<PartitionRuntime>& handle,
                          const RecordView& record) {
  if (fetching_ || !queue_.empty() || !try_deliver(handle, record)) enqueue(handle, record);
}

bool AvroInput::try_deliver(const std::shared_ptr<PartitionRuntime>& handle,
                            const RecordView& record) {
  RecordView keyed = record;
  if (decode_keys_ && record.key) {  // a null key stays null
    key_json_.clear();
    AvroValueConverter::Result key = converter_.convert_key(record, key_json_);
    switch (key.outcome) {
      case AvroValueConverter::Outcome::converted:
        keyed.key = key_json_;
        break;
      case AvroValueConverter::Outcome::bad_record:
        deliver_(handle, record, &key.reason, nullptr);
        return true;
      case AvroValueConverter::Outcome::needs_schema:
        start_fetch(key.schema);
        return false;
    }
  }
  if (!record.value) {  // a tombstone: the tombstone policy decides
    deliver_(handle, keyed, nullptr, nullptr);
    return true;
  }
  json_.clear();
  AvroValueConverter::Result result =
      converter_.convert(record, mode_ == Mode::json ? &json_ : nullptr);
  switch (result.outcome) {
    case AvroValueConverter::Outcome::converted: {
      RecordView converted = keyed;
      if (mode_ == Mode::json) {
        converted.value = json_;
        deliver_(handle, converted, nullptr, nullptr);
      } else {
        converted.value = result.payload;
        deliver_(handle, converted, nullptr, result.writer);
      }
      return true;
    }
    case AvroValueConverter::Outcome::bad_record:
      deliver_(handle, record, &result.reason, nullptr);
      return true;
    case AvroValueConverter::Outcome::needs_schema:
      start_fetch(result.schema);
      return false;
  }
  return true;
}

void AvroInput::enqueue(const std::shared_ptr<PartitionRuntime>& handle, const RecordView& record) {
  Queued& q = queue_.emplace_back();
  q.handle = handle;
  q.topic = std::string(record.topic);
  q.partition = record.partition;
  q.offset = record.offset;
  q.timestamp_ms = record.timestamp_ms;
  if (record.key) q.key = std::string(*record.key);
  if (record.value) q.value = std::string(*record.value);
  q.bytes = sizeof(Queued) + q.topic.size() + (q.key ? q.key->size() : 0) +
            (q.value ? q.value->size() : 0);
  for (const RecordHeader& header : record.headers) {
    q.header_bytes.emplace_back(
        std::string(header.name),
        header.value ? std::optional<std::string>(*header.value) : std::nullopt);
    q.bytes += header.name.size() + header.value.value_or("").size();
  }
  for (const auto& [name, value] : q.header_bytes) {
    q.headers.push_back(
        RecordHeader{name, value ? std::optional<std::string_view>(*value) : std::nullopt});
  }
  memory_->adjust_buffered(static_cast<std::int64_t>(q.bytes));
}

void AvroInput::drain() {
  while (!queue_.empty() && !fetching_) {
    Queued& q = queue_.front();
    auto handle = q.handle.lock();
    if (handle && handle->active() && !try_deliver(handle, q.view())) return;  // fetching again
    memory_->adjust_buffered(-static_cast<std::int64_t>(q.bytes));
    queue_.pop_front();
  }
}

void AvroInput::start_fetch(const avro::SchemaRef& ref) {
  fetching_ = true;
  auto fetch = [this, ref, registry = registry_,
                alive = std::weak_ptr<bool>(alive_)]() -> asio::awaitable<void> {
    std::chrono::milliseconds delay = kFirstRetry;
    while (true) {
      auto got = co_await registry->get(ref);
      if (alive.expired()) co_return;
      if (got) {
        converter_.add_schema(ref, got->text, got->schema);
        log::info("schema fetched from the registry", {{"schema", ref.describe()}});
        break;
      }
      const avro::Error& error = got.error();
      if (error.kind == avro::ErrorKind::unknown_schema ||
          error.kind == avro::ErrorKind::bad_schema) {
        log::warn("schema unusable: its records go to the bad-record policy",
                  {{"schema", ref.describe()}, {"error", error.describe()}});
        converter_.add_unknown(ref, error.describe());
        break;
      }
      if (error.kind == avro::ErrorKind::registry_auth) {
        fatal_("the schema registry " + registry->endpoint() +
               " refused the credentials: " + error.describe());
        co_return;
      }
      log::warn("schema registry unavailable; records wait (retrying)",
                {{"schema", ref.describe()},
                 {"error", error.describe()},
                 {"retry_ms", static_cast<std::int64_t>(delay.count())}});
      asio::steady_timer timer(executor_, delay);
      co_await timer.async_wait(asio::use_awaitable);
      if (alive.expired()) co_return;
      delay = std::min(delay * 2, kMaxRetry);
    }
    fetching_ = false;
    drain();
  };
  asio::co_spawn(executor_, std::move(fetch),
                 [this, alive = std::weak_ptr<bool>(alive_)](std::exception_ptr error) {
                   if (error && !alive.expired()) {
                     fatal_("fetching a schema threw: " + log::exception_message(error));
                   }
                 });
}

}  // namespace ks3::server

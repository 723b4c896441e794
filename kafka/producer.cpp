#include "kafka/producer.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

#include "kafka/errors.hpp"
#include "kafka/librdkafka_log.hpp"
#include "metrics/log.hpp"

namespace ks3::kafka {

// Delivery ids travel in the per-message opaque pointer.
static_assert(sizeof(void*) >= sizeof(std::uint64_t));

struct Producer::State {
  rd_kafka_t* rk = nullptr;
  std::atomic<std::uint64_t> delivered{0};
  mutable std::mutex mutex;
  std::optional<DeliveryFailure> failure;
  std::vector<Delivery> deliveries;  // of records with a delivery_id, not taken yet

  void fail(DeliveryFailure failure_) {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(failure_);
  }
};

namespace {

Producer::State* state_of(rd_kafka_t* rk) {
  return static_cast<Producer::State*>(rd_kafka_opaque(rk));
}

void producer_error_cb(rd_kafka_t* rk, int err, const char* reason, void*) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // A fatal error of the idempotent producer (e.g. a sequence gap): nothing more is delivered.
    char text[512];
    const auto fatal = rd_kafka_fatal_error(rk, text, sizeof text);
    state_of(rk)->fail({make_rdkafka_error(fatal), text, {}, -1});
    return;
  }
  // Transient (a broker down, a connection refused): librdkafka retries; delivery reports tell.
  log::warn(
      "kafka producer error",
      {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))}, {"reason", reason}});
}

void delivery_cb(rd_kafka_t* rk, const rd_kafka_message_t* message, void*) {
  Producer::State* state = state_of(rk);
  // The per-message opaque carries the record's delivery_id (0: not tracked).
  if (const auto id = reinterpret_cast<std::uintptr_t>(message->_private); id != 0) {
    Delivery delivery{static_cast<std::uint64_t>(id), {}, {}};
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      delivery.code = make_rdkafka_error(message->err);
      delivery.message = rd_kafka_err2str(message->err);
    }
    std::lock_guard lock(state->mutex);
    state->deliveries.push_back(std::move(delivery));
  }
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    state->delivered.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  state->fail({make_rdkafka_error(message->err), rd_kafka_err2str(message->err),
               message->rkt ? rd_kafka_topic_name(message->rkt) : "", message->partition});
}

}  // namespace

Producer::Producer(const ProducerConfig& config) : state_(std::make_unique<State>()) {
  std::map<std::string, std::string> properties = {
      {"client.id", "kafka-s3-sink-replay"},
      {"linger.ms", "20"},
      // Bounds what the producer holds: the replay waits (polls) when the queue is full.
      {"queue.buffering.max.kbytes", "65536"},
  };
  for (const auto& [name, value] : config.properties) properties[name] = value;
  if (auto it = properties.find("enable.idempotence");
      it != properties.end() && it->second != "true") {
    throw ConfigError(
        "kafka: enable.idempotence must stay true for the producer (no duplicates or "
        "reordering on retries)");
  }
  properties["enable.idempotence"] = "true";
  properties["bootstrap.servers"] = config.bootstrap_servers;

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) ==
        RD_KAFKA_CONF_OK) {
      continue;
    }
    rd_kafka_conf_destroy(conf);
    const std::string why = is_secret_property(name) ? "invalid value (not shown: secret)" : errstr;
    throw ConfigError("kafka: librdkafka producer property " + name + ": " + why);
  }
  rd_kafka_conf_set_log_cb(conf, forward_librdkafka_log);
  rd_kafka_conf_set_error_cb(conf, producer_error_cb);
  rd_kafka_conf_set_dr_msg_cb(conf, delivery_cb);
  rd_kafka_conf_set_opaque(conf, state_.get());
  state_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!state_->rk) {
    rd_kafka_conf_destroy(conf);
    throw ConfigError(std::string("kafka: cannot create the producer: ") + errstr);
  }
}

Producer::~Producer() {
  if (state_ && state_->rk) rd_kafka_destroy(state_->rk);
}

bool Producer::is_queue_full(const boost::system::error_code& ec) {
  return ec == make_rdkafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL);
}

boost::system::error_code Producer::produce(const ProducerRecord& record) {
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const Header& header : record.headers) {
      // A null header value stays null (NULL pointer), an empty one stays empty.
      rd_kafka_header_add(headers, header.name.data(), static_cast<ssize_t>(header.name.size()),
                          header.value ? header.value->data() : nullptr,
                          header.value ? static_cast<ssize_t>(header.value->size()) : 0);
    }
  }
  // A null pointer is a null key or value; an empty one needs a non-null pointer.
  static const char kEmpty[1] = {0};
  auto pointer = [](const std::optional<std::string_view>& bytes) -> void* {
    if (!bytes) return nullptr;
    return const_cast<char*>(bytes->empty() ? kEmpty : bytes->data());
  };
  void* const key = pointer(record.key);
  const std::size_t key_size = record.key ? record.key->size() : 0;
  void* const value = pointer(record.value);
  const std::size_t value_size = record.value ? record.value->size() : 0;
  const std::string topic(record.topic);
  const std::int32_t partition = record.partition < 0 ? RD_KAFKA_PARTITION_UA : record.partition;
  const std::int64_t timestamp = record.timestamp_ms < 0 ? 0 : record.timestamp_ms;
  void* const opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(record.delivery_id));
  // (The RD_KAFKA_V_* macros do not parenthesise their arguments: plain names only.)
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      state_->rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
      RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(timestamp),
      RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // On failure the headers stay ours ("the headers are only freed on success").
    if (headers) rd_kafka_headers_destroy(headers);
    return make_rdkafka_error(err);
  }
  return {};
}

void Producer::poll() {
  rd_kafka_poll(state_->rk, 0);
}

std::size_t Producer::in_flight() const {
  return static_cast<std::size_t>(rd_kafka_outq_len(state_->rk));
}

std::uint64_t Producer::delivered() const {
  return state_->delivered.load(std::memory_order_relaxed);
}

std::optional<DeliveryFailure> Producer::failure() const {
  std::lock_guard lock(state_->mutex);
  return state_->failure;
}

std::vector<Delivery> Producer::take_deliveries() {
  std::lock_guard lock(state_->mutex);
  return std::exchange(state_->deliveries, {});
}

boost::system::error_code Producer::partition_count(const std::string& topic,
                                                    std::chrono::milliseconds timeout, int& out) {
  out = 0;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(state_->rk, topic.c_str(), nullptr);
  if (!rkt) return make_rdkafka_error(rd_kafka_last_error());
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(state_->rk, 0, rkt, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return make_rdkafka_error(err);
  boost::system::error_code result;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) break;  // out stays 0
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = make_rdkafka_error(t.err);
      break;
    }
    out = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return result;
}

}  // namespace ks3::kafka

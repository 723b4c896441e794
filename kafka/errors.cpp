#include "kafka/errors.hpp"

#include <librdkafka/rdkafka.h>

#include <string>

namespace ks3::kafka {
namespace {

class KafkaCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "ks3.kafka"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::consumer_closed:
        return "the Kafka consumer is closed";
      case Errc::not_assigned:
        return "the partition is not assigned to this consumer";
      case Errc::unexpected_exception:
        return "unexpected exception in the Kafka consumer";
      case Errc::partition_owner_conflict:
        return "another instance consumes the same partition (static assignment)";
      case Errc::static_assignment_failed:
        return "the static assignment names a topic or partition that does not exist";
    }
    return "unknown ks3.kafka error " + std::to_string(value);
  }
};

class RdkafkaCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "rdkafka"; }
  std::string message(int value) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(value));
  }
};

}  // namespace

const boost::system::error_category& kafka_category() noexcept {
  static const KafkaCategory category;
  return category;
}

boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), kafka_category()};
}

const boost::system::error_category& rdkafka_category() noexcept {
  static const RdkafkaCategory category;
  return category;
}

boost::system::error_code make_rdkafka_error(int rd_kafka_resp_err) noexcept {
  // RD_KAFKA_RESP_ERR_NO_ERROR is 0, so "no error" maps to an empty error_code.
  return {rd_kafka_resp_err, rdkafka_category()};
}

std::string error_name(const boost::system::error_code& ec) {
  if (ec.category() == rdkafka_category()) {
    return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(ec.value()));
  }
  if (ec.category() == kafka_category()) {
    switch (static_cast<Errc>(ec.value())) {
      case Errc::consumer_closed:
        return "consumer_closed";
      case Errc::not_assigned:
        return "not_assigned";
      case Errc::unexpected_exception:
        return "unexpected_exception";
      case Errc::partition_owner_conflict:
        return "partition_owner_conflict";
      case Errc::static_assignment_failed:
        return "static_assignment_failed";
    }
  }
  return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

}  // namespace ks3::kafka

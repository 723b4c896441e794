// Kafka errors: librdkafka's error codes as a boost::system category, plus the project's own
// kafka-side failures (consumer state).
#pragma once

#include <boost/system/error_code.hpp>
#include <string>
#include <type_traits>

namespace ks3::kafka {

// Failures that are not a librdkafka error code.
enum class Errc {
  consumer_closed = 1,       // the consumer is closing or closed: nothing more is done
  not_assigned,              // the partition is not in this consumer's assignment
  unexpected_exception,      // a coroutine of the consumer (or the listener it calls) threw
  partition_owner_conflict,  // static assignment: another instance owns the partition too
  static_assignment_failed,  // static assignment: a configured topic or partition does not exist
};

const boost::system::error_category& kafka_category() noexcept;
boost::system::error_code make_error_code(Errc e) noexcept;

// librdkafka's rd_kafka_resp_err_t (an int: negative values are local errors, positive values
// are Kafka protocol errors) as an error_code; message() is rd_kafka_err2str.
const boost::system::error_category& rdkafka_category() noexcept;
boost::system::error_code make_rdkafka_error(int rd_kafka_resp_err) noexcept;

// A short stable name for metrics labels and logs: librdkafka's error name (rd_kafka_err2name,
// e.g. "REBALANCE_IN_PROGRESS", "_TRANSPORT") for rdkafka_category(), the enum name for
// kafka_category(), else the category name and value.
std::string error_name(const boost::system::error_code& ec);

}  // namespace ks3::kafka

namespace boost::system {
template <>
struct is_error_code_enum<ks3::kafka::Errc> : std::true_type {};
}  // namespace boost::system

#include "kafka/librdkafka_log.hpp"

#include "metrics/log.hpp"

namespace ks3::kafka {

void forward_librdkafka_log(const rd_kafka_t*, int level, const char* facility,
                            const char* message) {
  const log::Level ours = level <= 4   ? log::Level::warn
                          : level <= 6 ? log::Level::info
                                       : log::Level::debug;
  if (log::enabled(ours)) {
    log::write(ours, "librdkafka", {{"facility", facility}, {"msg", message}});
  }
}

}  // namespace ks3::kafka

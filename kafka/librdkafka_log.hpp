// librdkafka's log lines, forwarded to our logger: syslog levels 0-4 as warn, 5-6 info, 7 debug.
// Its errors also reach the consumer's and producer's error callbacks, where their meaning is
// decided; the log lines are diagnostics, so they go out as warnings at most. The consumer and
// the producer both install this with rd_kafka_conf_set_log_cb.
#pragma once

#include <librdkafka/rdkafka.h>

namespace ks3::kafka {

void forward_librdkafka_log(const rd_kafka_t* rk, int level, const char* facility,
                            const char* message);

}  // namespace ks3::kafka

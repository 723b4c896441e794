// The daemon: wires the configuration to the consumer, the pipeline, the S3 client and the
// observability endpoints on one io_context, and runs until stopped.
#pragma once

#include "server/config/config.hpp"

namespace ks3::server {

// Runs the sink; returns the process exit code: 0 after a graceful stop (SIGTERM/SIGINT) that
// settled within shutdown_deadline, 1 after a failure (or a stop that ran out of time), 2 when
// the sink could not start (credentials, listener, consumer settings). A second signal exits
// at once with 1.
int run_sink(const SinkConfig& config);

}  // namespace ks3::server

// What the observability HTTP server answers, as a pure function of (method, target): the Beast
// server (http_server.hpp) only parses and writes. Unit-tested without sockets.
//
//   GET|HEAD /metrics  200  Prometheus text 0.0.4
//   GET|HEAD /healthz  200 "ok: ..." | 503 "event loop stalled: ..."
//   GET|HEAD /readyz   200 "ready"   | 503 "not ready: <reasons>"
//   other paths        404
//   other methods      405 with "Allow: GET, HEAD"
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "metrics/heartbeat.hpp"
#include "metrics/readiness.hpp"

namespace ks3::metrics {

// The data behind the endpoints. Each function is called per request on the server's executor;
// an exception becomes a 500 (and a log line), never a crash.
struct Endpoints {
  std::function<std::string()> metrics_text;
  std::function<HealthStatus()> health;
  std::function<ReadinessStatus()> readiness;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header of a 405
};

// `method` as sent ("GET"); `target` is the request target ("/metrics?x=1": the query is ignored).
// HEAD answers like GET; the server drops the body.
HttpReply route_request(std::string_view method, std::string_view target,
                        const Endpoints& endpoints);

// A plain-text error reply: "<status text>: <detail>\n".
HttpReply error_reply(unsigned status, std::string_view detail);

}  // namespace ks3::metrics

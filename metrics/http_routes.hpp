// What the observability HTTP server answers, as a pure function of (method, target): the Beast
// server (http_server.hpp) only parses and writes. Unit-tested without sockets.
//
//   GET|HEAD /metrics  200  Prometheus text 0.0.4, gzip-encoded when Accept-Encoding allows it
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

// The Content-Type of the Prometheus text format, as Prometheus asks for it.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

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
  std::string allow;             // the Allow header of a 405
  std::string content_encoding;  // "gzip" when the body is gzip-encoded
  std::string vary;              // the Vary header ("Accept-Encoding" on /metrics)
};

// `method` as sent ("GET"); `target` is the request target ("/metrics?x=1": the query is ignored);
// `accept_encoding` is the request's Accept-Encoding header (empty if absent). HEAD answers like
// GET; the server drops the body.
HttpReply route_request(std::string_view method, std::string_view target,
                        const Endpoints& endpoints, std::string_view accept_encoding = {});

// Whether an Accept-Encoding header (RFC 9110 12.5.3) allows gzip: "gzip" or "x-gzip" with a
// non-zero weight, or "*" with a non-zero weight when gzip is not listed. Case-insensitive.
bool accepts_gzip(std::string_view accept_encoding);

// A plain-text error reply: "<status text>: <detail>\n".
HttpReply error_reply(unsigned status, std::string_view detail);

}  // namespace ks3::metrics

#include "metrics/http_routes.hpp"

#include <exception>

#include "metrics/log.hpp"
#include "metrics/prometheus_text.hpp"

namespace ks3::metrics {
namespace {

std::string_view status_text(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

HttpReply text_reply(unsigned status, std::string body) {
  HttpReply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.body += '\n';
  return reply;
}

HttpReply serve(std::string_view path, const Endpoints& endpoints) {
  if (path == "/metrics") {
    HttpReply reply;
    reply.content_type = std::string(prometheus::kContentType);
    reply.body = endpoints.metrics_text ? endpoints.metrics_text() : std::string();
    return reply;
  }
  if (path == "/healthz") {
    auto health = endpoints.health ? endpoints.health() : HealthStatus{true, "ok"};
    return text_reply(health.healthy ? 200 : 503, std::move(health.detail));
  }
  // path == "/readyz"
  auto ready = endpoints.readiness ? endpoints.readiness() : ReadinessStatus{};
  return ready.ready ? text_reply(200, "ready") : text_reply(503, "not ready: " + ready.reason);
}

}  // namespace

HttpReply error_reply(unsigned status, std::string_view detail) {
  return text_reply(status, std::string(status_text(status)) + ": " + std::string(detail));
}

HttpReply route_request(std::string_view method, std::string_view target,
                        const Endpoints& endpoints) {
  auto path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz" && path != "/readyz") {
    return error_reply(404, "the endpoints are /metrics, /healthz and /readyz");
  }
  if (method != "GET" && method != "HEAD") {
    // RFC 9110 15.5.6: "The origin server MUST generate an Allow header field in a 405 response".
    auto reply = error_reply(405, "use GET or HEAD");
    reply.allow = "GET, HEAD";
    return reply;
  }
  try {
    return serve(path, endpoints);
  } catch (const std::exception& e) {
    log::error("http endpoint failed", {{"path", path}, {"error", e.what()}});
    return error_reply(500, e.what());
  }
}

}  // namespace ks3::metrics

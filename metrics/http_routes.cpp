#include "metrics/http_routes.hpp"

#include <zlib.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <exception>
#include <optional>
#include <stdexcept>

#include "metrics/log.hpp"

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

// One gzip member (RFC 1952) holding `data`: zlib deflate with windowBits 15 + 16.
std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed: " + std::to_string(rc));
  return out;
}

HttpReply serve(std::string_view path, const Endpoints& endpoints,
                std::string_view accept_encoding) {
  if (path == "/metrics") {
    HttpReply reply;
    reply.content_type = std::string(kMetricsContentType);
    reply.vary = "Accept-Encoding";
    reply.body = endpoints.metrics_text ? endpoints.metrics_text() : std::string();
    if (accepts_gzip(accept_encoding)) {
      reply.body = gzip(reply.body);
      reply.content_encoding = "gzip";
    }
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

bool accepts_gzip(std::string_view accept_encoding) {
  namespace beast = boost::beast;
  // Accept-Encoding has the shape of an RFC 7230 extension list: coding *( ";" param ).
  std::optional<bool> gzip_weight, any_weight;
  for (const auto& [coding, params] : beast::http::ext_list(accept_encoding)) {
    bool allowed = true;  // no weight means q=1
    for (const auto& [name, value] : params) {
      // q=0, q=0.0, q=0.000 refuse the coding; any other weight accepts it.
      if (beast::iequals(name, "q")) allowed = value.find_first_of("123456789") != value.npos;
    }
    if (beast::iequals(coding, "gzip") || beast::iequals(coding, "x-gzip")) {
      gzip_weight = gzip_weight.value_or(false) || allowed;
    } else if (coding == "*") {
      any_weight = allowed;
    }
  }
  return gzip_weight.value_or(any_weight.value_or(false));
}

HttpReply error_reply(unsigned status, std::string_view detail) {
  return text_reply(status, std::string(status_text(status)) + ": " + std::string(detail));
}

HttpReply route_request(std::string_view method, std::string_view target,
                        const Endpoints& endpoints, std::string_view accept_encoding) {
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
    return serve(path, endpoints, accept_encoding);
  } catch (const std::exception& e) {
    log::error("http endpoint failed", {{"path", path}, {"error", e.what()}});
    return error_reply(500, e.what());
  }
}

}  // namespace ks3::metrics

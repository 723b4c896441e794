// The observability HTTP server: /metrics, /healthz, /readyz (routes in http_routes.hpp) on
// Boost.Beast, as coroutines on the given executor (normally the sink's one io_context).
//
//   metrics::HttpServer server(io.get_executor(), metrics::make_endpoints(registry, heartbeat,
//                                                                          readiness, options),
//                              options);
//   auto bound = server.start();   // throws std::runtime_error if it cannot listen
//   ...
//   server.stop();                 // closes the listener and every open connection
//
// Robustness: every connection is its own coroutine with a deadline on each read and write, so a
// slow or silent client only holds its own connection; requests are bounded in size (431/413);
// malformed requests get 400 and the connection is closed; connections beyond the limit are
// closed at once. Keep-alive (HTTP/1.1 default, Connection: close honoured) and HEAD.
#pragma once

#include <prometheus/collectable.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "metrics/heartbeat.hpp"
#include "metrics/http_routes.hpp"
#include "metrics/readiness.hpp"

namespace ks3::metrics {

struct HttpServerOptions {
  // host:port (listen_address.hpp); port 0 picks a free port (tests).
  std::string listen_address = "0.0.0.0:9400";
  // A request's header block and body (requests here carry none) are each bounded.
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 4 * 1024;
  // The whole next request must arrive within this (also the keep-alive idle timeout).
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 64;
  // /healthz turns 503 when the loop heartbeat is older than this.
  std::chrono::milliseconds health_stale_after{10'000};
};

// The usual wiring: /metrics renders what `registry` collects (a metrics::Registry) with
// prometheus-cpp's TextSerializer, /healthz checks `heartbeat`, /readyz asks `readiness`. The
// referenced objects must outlive the server.
Endpoints make_endpoints(const prometheus::Collectable& registry, const LoopHeartbeat& heartbeat,
                         const Readiness& readiness, const HttpServerOptions& options);

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor executor, Endpoints endpoints,
             HttpServerOptions options = {});
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens now (a start-up error throws std::runtime_error naming the address and the
  // cause), then serves on the executor. Returns the bound endpoint (the real port for port 0).
  boost::asio::ip::tcp::endpoint start();
  // Closes the listener and all connections (posted to the executor; safe from any thread).
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct State;  // implementation detail (shared with the connection coroutines)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ks3::metrics

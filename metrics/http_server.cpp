// The only translation unit of metrics/ that includes Beast (it compiles slowly).
#include "metrics/http_server.hpp"

#include <prometheus/text_serializer.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <set>
#include <stdexcept>

#include "metrics/listen_address.hpp"
#include "metrics/log.hpp"

namespace ks3::metrics {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct HttpServer::State {
  State(asio::any_io_executor executor, Endpoints e, HttpServerOptions o)
      : strand(asio::make_strand(std::move(executor))),
        acceptor(strand),
        endpoints(std::move(e)),
        options(std::move(o)) {}

  // Everything below is touched on the strand only (the accept loop, the connections, stop()).
  asio::strand<asio::any_io_executor> strand;
  tcp::acceptor acceptor;
  Endpoints endpoints;
  HttpServerOptions options;
  std::set<beast::tcp_stream*> connections;  // open connections, closed by stop()
  bool stopped = false;
};

namespace {

std::string endpoint_text(const tcp::endpoint& ep) {
  auto address = ep.address().to_string();
  if (ep.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(ep.port());
}

// The status to answer for a failed read, or nothing when the client is gone or silent (there is
// no one to answer: end of stream, reset, timeout).
std::optional<unsigned> status_for_read_error(const error_code& ec) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) return 400;
  return std::nullopt;
}

// Writes one reply; false if the write failed (the connection is then dropped).
asio::awaitable<bool> write_reply(beast::tcp_stream& stream, HttpReply reply, unsigned version,
                                  bool keep_alive, bool head, std::chrono::milliseconds timeout) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "kafka-s3-sink");
  res.set(http::field::content_type, reply.content_type);
  if (!reply.allow.empty()) res.set(http::field::allow, reply.allow);
  if (!reply.content_encoding.empty()) {
    res.set(http::field::content_encoding, reply.content_encoding);
  }
  if (!reply.vary.empty()) res.set(http::field::vary, reply.vary);
  res.keep_alive(keep_alive);
  res.body() = std::move(reply.body);
  res.prepare_payload();  // Content-Length of the full body, also for HEAD (RFC 9110 9.3.2)
  stream.expires_after(timeout);
  error_code ec;
  if (head) {
    http::response<http::empty_body> head_res{std::move(res.base())};
    std::tie(ec, std::ignore) =
        co_await http::async_write(stream, head_res, asio::as_tuple(asio::use_awaitable));
  } else {
    std::tie(ec, std::ignore) =
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  }
  co_return !ec;
}

// One connection: read a request, answer it, repeat while the client keeps the connection alive.
asio::awaitable<void> serve_connection(std::shared_ptr<HttpServer::State> s, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  s->connections.insert(&stream);
  struct Unregister {
    HttpServer::State& s;
    beast::tcp_stream* stream;
    ~Unregister() { s.connections.erase(stream); }
  } unregister{*s, &stream};

  const auto& opt = s->options;
  // Bounded: one request's header and body plus one read's worth of pipelined bytes.
  beast::flat_buffer buffer(opt.max_header_bytes + opt.max_body_bytes + 64 * 1024);
  while (!s->stopped) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
    parser.body_limit(opt.max_body_bytes);
    // The deadline covers the whole request: a client trickling bytes cannot hold it open.
    stream.expires_after(opt.read_timeout);
    auto [ec, bytes] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (auto status = status_for_read_error(ec)) {
        co_await write_reply(stream, error_reply(*status, ec.message()), 11, false, false,
                             opt.write_timeout);
      }
      break;
    }
    const auto& req = parser.get();
    auto reply = route_request(req.method_string(), req.target(), s->endpoints,
                               req[http::field::accept_encoding]);
    bool keep_alive = req.keep_alive() && !s->stopped;
    bool head = req.method() == http::verb::head;
    bool written = co_await write_reply(stream, std::move(reply), req.version(), keep_alive, head,
                                        opt.write_timeout);
    if (!written || !keep_alive) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> s) {
  asio::steady_timer backoff(s->strand);
  while (!s->stopped) {
    auto [ec, socket] = co_await s->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (s->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // E.g. EMFILE: out of file descriptors. Wait a little instead of spinning.
      log::warn("metrics http server: accept failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (s->connections.size() >= s->options.max_connections) {
      log::debug("metrics http server: connection limit reached, closing a new connection",
                 {{"limit", static_cast<std::uint64_t>(s->options.max_connections)}});
      socket.close(ec);
      continue;
    }
    asio::co_spawn(s->strand, serve_connection(s, std::move(socket)), asio::detached);
  }
}

}  // namespace

Endpoints make_endpoints(const prometheus::Collectable& registry, const LoopHeartbeat& heartbeat,
                         const Readiness& readiness, const HttpServerOptions& options) {
  auto stale_after = options.health_stale_after;
  return Endpoints{
      [&registry] { return prometheus::TextSerializer().Serialize(registry.Collect()); },
      [&heartbeat, stale_after] { return heartbeat.check(stale_after); },
      [&readiness] { return readiness.status(); },
  };
}

HttpServer::HttpServer(asio::any_io_executor executor, Endpoints endpoints,
                       HttpServerOptions options)
    : state_(
          std::make_shared<State>(std::move(executor), std::move(endpoints), std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

tcp::endpoint HttpServer::start() {
  auto endpoint = parse_listen_address(state_->options.listen_address);
  auto& acceptor = state_->acceptor;
  error_code ec;
  auto fail = [&](std::string_view step) {
    throw std::runtime_error("metrics http server cannot " + std::string(step) + " " +
                             endpoint_text(endpoint) + ": " + ec.message() +
                             " (choose another listen address or free the port)");
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  // Lets a restarted sink bind while old connections linger in TIME_WAIT.
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("configure");
  acceptor.bind(endpoint, ec);
  if (ec) fail("listen on");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  auto bound = acceptor.local_endpoint(ec);
  log::info("metrics http server listening", {{"address", endpoint_text(bound)}});
  asio::co_spawn(state_->strand, accept_loop(state_), asio::detached);
  return bound;
}

void HttpServer::stop() {
  asio::post(state_->strand, [s = state_] {
    if (s->stopped) return;
    s->stopped = true;
    error_code ignored;
    s->acceptor.close(ignored);
    for (auto* stream : s->connections) stream->close();
  });
}

tcp::endpoint HttpServer::local_endpoint() const {
  error_code ec;
  return state_->acceptor.local_endpoint(ec);
}

}  // namespace ks3::metrics

#include "s3/http_connection.hpp"

#include <strings.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/span.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "s3/tls_context.hpp"

namespace ks3::s3 {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::awaitable;
using boost::system::error_code;
using boost::system::result;

namespace {

constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

std::atomic<std::uint64_t> next_connection_id{1};

std::string strip_brackets(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// Bodies are written without a copy: the request references the shared buffer.
using RequestBody = http::span_body<const char>;
using WireRequest = http::request<RequestBody>;

WireRequest to_wire(const HttpRequest& request) {
  WireRequest wire;
  wire.method_string(request.method);
  wire.target(request.target);
  wire.version(11);
  for (const auto& [name, value] : request.headers) wire.insert(name, value);
  if (request.body) {
    wire.body() = beast::span<const char>(request.body->data(), request.body->size());
  }
  // S3 wants Content-Length on every PUT and POST, even an empty one ("411 Length Required").
  if (request.body || request.method == "PUT" || request.method == "POST") {
    wire.content_length(request.body ? request.body->size() : 0);
  }
  wire.keep_alive(true);
  return wire;
}

}  // namespace

std::string HttpTarget::key() const {
  return (https ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string_view find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return {};
}

struct HttpConnection::Impl {
  HttpTarget target;
  HttpTimeouts timeouts;
  std::shared_ptr<asio::ssl::context> tls_context;  // kept alive for the stream
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool usable = true;
  bool last_keep_alive = false;  // whether the last response allows another request
  std::chrono::steady_clock::time_point last_used = std::chrono::steady_clock::now();
  std::uint64_t id = next_connection_id++;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  template <class Stream>
  awaitable<result<HttpResponse>> exchange_on(Stream& stream, const HttpRequest& request,
                                              ExchangeStats& stats);
};

template <class Stream>
awaitable<result<HttpResponse>> HttpConnection::Impl::exchange_on(Stream& stream,
                                                                  const HttpRequest& request,
                                                                  ExchangeStats& stats) {
  // A cancellation that reached an operation which had already finished must still stop the
  // exchange: look at the coroutine's cancellation state before each step.
  const auto cancelled = [](const asio::cancellation_state& state) {
    return state.cancelled() != asio::cancellation_type::none;
  };
  // Write: the timeout is re-armed for every chunk, so it bounds a stall, not a large body.
  WireRequest wire = to_wire(request);
  http::request_serializer<RequestBody> serializer(wire);
  while (!serializer.is_done()) {
    if (cancelled(co_await asio::this_coro::cancellation_state)) {
      co_return error_code(asio::error::operation_aborted);
    }
    tcp().expires_after(timeouts.write);
    auto [ec, n] = co_await http::async_write_some(stream, serializer, as_result);
    stats.bytes_sent += n;
    if (ec) co_return ec;
  }

  // Read the header, then the body piece by piece, each with the read timeout.
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.response_body_limit);
  // "The server SHOULD send the same header fields in response to a HEAD request as it would
  //  have sent if the request method had been GET" (RFC 9110 9.3.2): a Content-Length
  //  without a body, so the parser must not wait for one.
  if (request.method == "HEAD") parser.skip(true);
  if (cancelled(co_await asio::this_coro::cancellation_state)) {
    co_return error_code(asio::error::operation_aborted);
  }
  tcp().expires_after(timeouts.read);
  {
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, as_result);
    stats.bytes_received += n;
    if (ec) co_return ec;
  }
  while (!parser.is_done()) {
    tcp().expires_after(timeouts.read);
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, as_result);
    stats.bytes_received += n;
    if (ec) co_return ec;
  }
  tcp().expires_never();

  auto message = parser.release();
  HttpResponse response;
  response.status = message.result_int();
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  last_keep_alive = message.keep_alive();
  co_return response;
}

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpConnection::~HttpConnection() = default;

awaitable<result<std::unique_ptr<HttpConnection>>> HttpConnection::connect(
    asio::any_io_executor executor, HttpTarget target, std::shared_ptr<asio::ssl::context> tls,
    bool verify_tls, HttpTimeouts timeouts) {
  auto impl = std::make_unique<Impl>();
  impl->target = target;
  impl->timeouts = timeouts;
  const auto deadline = std::chrono::steady_clock::now() + timeouts.connect;

  // The resolver has no timeout of its own: a timer cancels it.
  asio::ip::tcp::resolver resolver(executor);
  asio::steady_timer resolve_timer(executor);
  resolve_timer.expires_at(deadline);
  resolve_timer.async_wait([&resolver](error_code ec) {
    if (!ec) resolver.cancel();  // only on expiry; never touches a destroyed resolver
  });
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      strip_brackets(target.host), std::to_string(target.port), as_result);
  resolve_timer.cancel();
  if (resolve_ec) {
    co_return resolve_ec == asio::error::operation_aborted ? error_code(beast::error::timeout)
                                                           : resolve_ec;
  }

  if (target.https) {
    if (!tls) co_return error_code(asio::error::invalid_argument);
    impl->tls_context = tls;
    impl->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, *tls);
  } else {
    impl->plain = std::make_unique<beast::tcp_stream>(executor);
  }
  impl->tcp().expires_at(deadline);
  if (auto [ec, ep] = co_await impl->tcp().async_connect(endpoints, as_result); ec) co_return ec;
  impl->tcp().socket().set_option(asio::ip::tcp::no_delay(true));

  if (impl->tls) {
    if (!prepare_tls_connection(impl->tls->native_handle(), target.host, verify_tls)) {
      co_return asio::ssl::error::make_error_code(asio::ssl::error::unspecified_system_error);
    }
    impl->tcp().expires_at(deadline);
    auto [ec] = co_await impl->tls->async_handshake(asio::ssl::stream_base::client, as_result);
    if (ec) co_return ec;
  }
  impl->tcp().expires_never();
  co_return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(impl)));
}

awaitable<result<HttpResponse>> HttpConnection::exchange(const HttpRequest& request,
                                                         ExchangeStats& stats) {
  if (!impl_->usable) co_return error_code(asio::error::not_connected);
  // Until the exchange ends well, the connection counts as failed: a cancelled coroutine or
  // an error leaves it unusable, never half-read and back in the pool.
  impl_->usable = false;
  // (Not a ?: between two co_awaits: g++ 12 mis-compiles co_await inside a conditional.)
  result<HttpResponse> response{boost::system::in_place_error, asio::error::not_connected};
  if (impl_->tls) {
    response = co_await impl_->exchange_on(*impl_->tls, request, stats);
  } else {
    response = co_await impl_->exchange_on(*impl_->plain, request, stats);
  }
  impl_->last_used = std::chrono::steady_clock::now();
  if (!response) {
    close();
    co_return response;
  }
  impl_->usable = impl_->last_keep_alive;
  co_return response;
}

bool HttpConnection::reusable() const {
  return impl_->usable;
}

void HttpConnection::close() {
  impl_->usable = false;
  error_code ignored;
  impl_->tcp().socket().close(ignored);
}

const HttpTarget& HttpConnection::target() const {
  return impl_->target;
}
std::chrono::steady_clock::time_point HttpConnection::last_used() const {
  return impl_->last_used;
}
std::uint64_t HttpConnection::id() const {
  return impl_->id;
}

}  // namespace ks3::s3

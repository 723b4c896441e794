// One keep-alive HTTP/1.1 connection to an S3 endpoint, plain TCP or TLS, with a timeout on
// every step (connect, TLS handshake, each write, each read). Beast stays inside the .cpp.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "s3/http_message.hpp"

namespace ks3::s3 {

struct HttpTimeouts {
  // Resolving the name and establishing TCP (and TLS) together.
  std::chrono::milliseconds connect{5000};
  // The longest a write may go without progress (each chunk of the request gets this long).
  std::chrono::milliseconds write{30000};
  // The longest the server may stay silent: for the response headers after the request was
  // sent, and between chunks of the response body.
  std::chrono::milliseconds read{30000};
};

struct HttpTarget {
  std::string host;  // host name or IP literal ("[::1]" for IPv6)
  std::uint16_t port = 0;
  bool https = false;

  // "http://host:port": the pool key and for messages.
  std::string key() const;
};

class HttpConnection {
 public:
  // Connects (resolve, TCP connect, and TLS handshake with SNI and certificate checks when
  // target.https). `tls` is required for https (shared: the connection keeps it alive).
  static boost::asio::awaitable<boost::system::result<std::unique_ptr<HttpConnection>>> connect(
      boost::asio::any_io_executor executor, HttpTarget target,
      std::shared_ptr<boost::asio::ssl::context> tls, bool verify_tls, HttpTimeouts timeouts);

  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends the request and reads the whole response. Any transport failure (timeout, reset,
  // truncated or malformed response, body over the limit) returns its error code and leaves
  // the connection unusable: it must be discarded, never reused.
  boost::asio::awaitable<boost::system::result<HttpResponse>> exchange(const HttpRequest& request,
                                                                       ExchangeStats& stats);

  // False after any failure, a cancelled exchange, or a response that closes the connection.
  bool reusable() const;
  // Closes the socket at once (no TLS close_notify: a connection is closed either because it
  // failed or because it sat idle too long, and S3 does not need the notification).
  void close();

  const HttpTarget& target() const;
  std::chrono::steady_clock::time_point last_used() const;
  // A process-wide sequence number, for logs and tests.
  std::uint64_t id() const;

 private:
  struct Impl;
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ks3::s3

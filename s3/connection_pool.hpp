// Keep-alive connections to one endpoint (scheme, host, port), bounded in number. acquire()
// waits (asynchronously) for a free slot, reuses an idle connection or opens a new one, and
// returns a Lease that gives the connection back when it is destroyed. A connection that saw
// any transport error, or that the server asked to close, is discarded, never reused.
//
// Single-threaded like the rest of the client: use it from the io_context's thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "s3/http_connection.hpp"

namespace ks3::s3 {

struct ConnectionPoolOptions {
  std::size_t max_connections = 16;
  // Idle connections older than this are closed instead of reused: servers drop idle
  // keep-alive connections (S3 after about 20 s), and a request on a dropped one fails.
  std::chrono::milliseconds idle_timeout{10000};
  HttpTimeouts timeouts;
  bool verify_tls = true;
};

struct ConnectionPoolStats {
  std::uint64_t opened = 0;     // connections established
  std::uint64_t reused = 0;     // leases served by an idle connection
  std::uint64_t discarded = 0;  // connections dropped after a failure or "Connection: close"
  std::size_t idle = 0;
  std::size_t leased = 0;
};

class ConnectionPool {
 public:
  class Lease;

  ConnectionPool(boost::asio::any_io_executor executor, HttpTarget target,
                 std::shared_ptr<boost::asio::ssl::context> tls, ConnectionPoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Waits for a slot (at most max_connections leases exist at once), then returns an idle
  // connection or a new one. Fails with the connect error (or operation_aborted if the caller
  // was cancelled while waiting). `slot_granted`, when given, is set to the moment a slot was
  // free (left alone if none was): what came before is queueing, what follows the request.
  boost::asio::awaitable<boost::system::result<Lease>> acquire(
      std::optional<std::chrono::steady_clock::time_point>* slot_granted = nullptr);

  ConnectionPoolStats stats() const;
  const HttpTarget& target() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Exclusive use of one connection. On destruction the connection goes back to the pool if it
// is still reusable (and discard() was not called); otherwise it is closed.
class ConnectionPool::Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  HttpConnection& operator*() const { return *connection_; }
  HttpConnection* operator->() const { return connection_.get(); }
  // Closes the connection when the lease ends instead of returning it.
  void discard() { discard_ = true; }
  // True when this lease got an idle connection that had already served a request.
  bool reused() const { return reused_; }

 private:
  friend class ConnectionPool;
  void give_back();

  std::shared_ptr<State> state_;
  std::unique_ptr<HttpConnection> connection_;
  bool discard_ = false;
  bool reused_ = false;
};

}  // namespace ks3::s3

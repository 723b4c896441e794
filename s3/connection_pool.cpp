#include "s3/connection_pool.hpp"

#include <deque>

#include "s3/async_semaphore.hpp"

namespace ks3::s3 {

// Shared by the pool and its leases, so a lease that outlives the pool stays safe.
struct ConnectionPool::State {
  State(boost::asio::any_io_executor ex, HttpTarget t,
        std::shared_ptr<boost::asio::ssl::context> tls_context, ConnectionPoolOptions o)
      : executor(ex),
        target(std::move(t)),
        tls(std::move(tls_context)),
        options(o),
        slots(ex, o.max_connections == 0 ? 1 : o.max_connections) {}

  boost::asio::any_io_executor executor;
  HttpTarget target;
  std::shared_ptr<boost::asio::ssl::context> tls;
  ConnectionPoolOptions options;
  AsyncSemaphore slots;                              // one permit per connection that may exist
  std::deque<std::unique_ptr<HttpConnection>> idle;  // most recently used at the back
  ConnectionPoolStats stats;
  bool closed = false;

  // Closes idle connections that have sat longer than the idle timeout.
  void drop_stale_idle() {
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty() && now - idle.front()->last_used() > options.idle_timeout) {
      idle.front()->close();
      idle.pop_front();
    }
  }
};

ConnectionPool::ConnectionPool(boost::asio::any_io_executor executor, HttpTarget target,
                               std::shared_ptr<boost::asio::ssl::context> tls,
                               ConnectionPoolOptions options)
    : state_(std::make_shared<State>(executor, std::move(target), std::move(tls), options)) {}

ConnectionPool::~ConnectionPool() {
  state_->closed = true;
  for (auto& connection : state_->idle) connection->close();
  state_->idle.clear();
}

boost::asio::awaitable<boost::system::result<ConnectionPool::Lease>> ConnectionPool::acquire(
    std::optional<std::chrono::steady_clock::time_point>* slot_granted) {
  const std::shared_ptr<State> state = state_;
  if (auto ec = co_await state->slots.acquire(); ec) co_return ec;
  if (slot_granted) *slot_granted = std::chrono::steady_clock::now();
  // From here the lease owns the slot: every return path below gives it back via ~Lease.
  Lease lease;
  lease.state_ = state;
  state->drop_stale_idle();
  if (!state->idle.empty()) {
    lease.connection_ = std::move(state->idle.back());
    state->idle.pop_back();
    lease.reused_ = true;
    ++state->stats.reused;
    ++state->stats.leased;
    co_return lease;
  }
  auto connected =
      co_await HttpConnection::connect(state->executor, state->target, state->tls,
                                       state->options.verify_tls, state->options.timeouts);
  if (!connected) co_return connected.error();
  lease.connection_ = std::move(*connected);
  ++state->stats.opened;
  ++state->stats.leased;
  co_return lease;
}

ConnectionPoolStats ConnectionPool::stats() const {
  ConnectionPoolStats stats = state_->stats;
  stats.idle = state_->idle.size();
  return stats;
}

const HttpTarget& ConnectionPool::target() const {
  return state_->target;
}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    state_ = std::move(other.state_);
    connection_ = std::move(other.connection_);
    discard_ = other.discard_;
    reused_ = other.reused_;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() {
  give_back();
}

void ConnectionPool::Lease::give_back() {
  if (!state_) return;
  if (connection_) {
    --state_->stats.leased;
    if (!discard_ && connection_->reusable() && !state_->closed) {
      state_->idle.push_back(std::move(connection_));
    } else {
      connection_->close();
      ++state_->stats.discarded;
      connection_.reset();
    }
  }
  state_->slots.release();
  state_.reset();
}

}  // namespace ks3::s3

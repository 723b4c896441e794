// A condition for coroutines on one io_context: wait_until(predicate) suspends until the
// predicate holds, re-checking it whenever notify_all() is called. There are no lost wake-ups:
// the predicate is checked before every wait, and everything runs on one thread.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks3::server {

class AsyncCondition {
 public:
  explicit AsyncCondition(boost::asio::any_io_executor executor)
      : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

  template <typename Predicate>
  boost::asio::awaitable<void> wait_until(Predicate predicate) {
    while (!predicate()) {
      // The timer never expires; notify_all() cancels every pending wait (the expiry stays at
      // "never", so the next wait suspends again).
      co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

  void notify_all() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace ks3::server

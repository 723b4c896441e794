#include "s3/async_semaphore.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ks3::s3 {

AsyncSemaphore::AsyncSemaphore(boost::asio::any_io_executor executor, std::size_t permits)
    : executor_(std::move(executor)), available_(permits) {}

bool AsyncSemaphore::try_acquire() {
  if (available_ == 0 || !waiters_.empty()) return false;
  --available_;
  return true;
}

boost::asio::awaitable<boost::system::error_code> AsyncSemaphore::acquire() {
  if (try_acquire()) co_return boost::system::error_code{};
  auto waiter = std::make_shared<Waiter>(executor_);
  waiter->timer.expires_at(boost::asio::steady_timer::time_point::max());
  waiters_.push_back(waiter);
  co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  // release() hands the permit over by setting `granted` before it cancels the wait; any
  // other wake-up is a cancellation of this coroutine.
  if (waiter->granted) co_return boost::system::error_code{};
  std::erase(waiters_, waiter);
  co_return boost::asio::error::operation_aborted;
}

void AsyncSemaphore::release() {
  if (waiters_.empty()) {
    ++available_;
    return;
  }
  auto waiter = std::move(waiters_.front());
  waiters_.pop_front();
  waiter->granted = true;
  waiter->timer.cancel();
}

}  // namespace ks3::s3

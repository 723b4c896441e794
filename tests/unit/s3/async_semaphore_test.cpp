// The coroutine semaphore behind the connection pool and the multipart in-flight limits.
// Timers only: no network.
#include "s3/async_semaphore.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

namespace ks3::s3 {
namespace {

namespace asio = boost::asio;

TEST(AsyncSemaphore, WaitersGetPermitsInOrder) {
  asio::io_context io;
  AsyncSemaphore semaphore(io.get_executor(), 1);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          auto ec = co_await semaphore.acquire();
          EXPECT_FALSE(ec);
          order.push_back(i);
        },
        asio::detached);
  }
  io.poll();
  EXPECT_EQ(order, std::vector<int>{0});  // one permit: the others wait
  EXPECT_EQ(semaphore.waiting(), 2u);
  semaphore.release();
  io.poll();
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
  semaphore.release();
  io.poll();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  semaphore.release();
  EXPECT_EQ(semaphore.available(), 1u);
}

TEST(AsyncSemaphore, CancelledWaiterLeavesWithoutAPermit) {
  asio::io_context io;
  AsyncSemaphore semaphore(io.get_executor(), 0);
  asio::cancellation_signal cancel;
  boost::system::error_code result;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result = co_await semaphore.acquire();
        done = true;
      },
      asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  io.poll();
  EXPECT_FALSE(done);
  cancel.emit(asio::cancellation_type::terminal);
  io.poll();
  EXPECT_TRUE(done);
  EXPECT_EQ(result, asio::error::operation_aborted);
  EXPECT_EQ(semaphore.waiting(), 0u);
  semaphore.release();  // goes to the free count, not to the cancelled waiter
  EXPECT_EQ(semaphore.available(), 1u);
}

TEST(AsyncSemaphore, PermitReleasesOnDestruction) {
  asio::io_context io;
  AsyncSemaphore semaphore(io.get_executor(), 1);
  ASSERT_TRUE(semaphore.try_acquire());
  {
    SemaphorePermit permit(semaphore);
    SemaphorePermit moved = std::move(permit);
    EXPECT_FALSE(permit);
    EXPECT_TRUE(moved);
    EXPECT_EQ(semaphore.available(), 0u);
  }
  EXPECT_EQ(semaphore.available(), 1u);
}

}  // namespace
}  // namespace ks3::s3

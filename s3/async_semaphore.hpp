// A counting semaphore for coroutines on one io_context: acquire() suspends the caller (never
// a thread) until a permit is free. This is how the S3 client applies backpressure: the
// connection pool bounds open connections, multipart uploads bound parts in flight.
//
// Not thread-safe: every call must run on the io_context's thread (the project runs one
// io_context; CPU work on other threads posts back to it).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <list>
#include <memory>

namespace ks3::s3 {

class AsyncSemaphore {
 public:
  AsyncSemaphore(boost::asio::any_io_executor executor, std::size_t permits);
  AsyncSemaphore(const AsyncSemaphore&) = delete;
  AsyncSemaphore& operator=(const AsyncSemaphore&) = delete;

  // Takes a permit, waiting in FIFO order while none is free. Returns operation_aborted if
  // the waiting coroutine was cancelled (it then holds no permit).
  boost::asio::awaitable<boost::system::error_code> acquire();
  bool try_acquire();
  // Gives a permit back: to the longest waiter, else to the free count.
  void release();

  std::size_t available() const { return available_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor executor) : timer(executor) {}
    boost::asio::steady_timer timer;  // a wait that release() ends by cancelling it
    bool granted = false;
  };

  boost::asio::any_io_executor executor_;
  std::size_t available_;
  // A list, not a deque: libstdc++'s deque allocates about 600 bytes even when empty, and every
  // object being uploaded has a semaphore of its own (its per-object part limit).
  std::list<std::shared_ptr<Waiter>> waiters_;
};

// Holds one permit and returns it on destruction (move-only).
class SemaphorePermit {
 public:
  SemaphorePermit() = default;
  explicit SemaphorePermit(AsyncSemaphore& semaphore) : semaphore_(&semaphore) {}
  SemaphorePermit(SemaphorePermit&& other) noexcept : semaphore_(other.semaphore_) {
    other.semaphore_ = nullptr;
  }
  SemaphorePermit& operator=(SemaphorePermit&& other) noexcept {
    if (this != &other) {
      reset();
      semaphore_ = other.semaphore_;
      other.semaphore_ = nullptr;
    }
    return *this;
  }
  ~SemaphorePermit() { reset(); }

  void reset() {
    if (semaphore_) semaphore_->release();
    semaphore_ = nullptr;
  }
  explicit operator bool() const { return semaphore_ != nullptr; }

 private:
  AsyncSemaphore* semaphore_ = nullptr;
};

}  // namespace ks3::s3

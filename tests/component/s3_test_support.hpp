// Shared by the S3 component tests: run a coroutine to completion on an io_context that also
// serves the fake S3, a client config with test-sized timeouts, and an observer that records.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "s3/client.hpp"
#include "s3/client_observer.hpp"
#include "tests/component/fake_s3.hpp"

namespace ks3::test {

// Runs `awaitable` on `io` until it finishes (the fake S3's accept loop would keep run()
// going forever); fails the test after `limit`. Rethrows an exception from the coroutine.
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> awaitable,
         std::chrono::seconds limit = std::chrono::seconds(30)) {
  std::optional<T> result;
  std::exception_ptr error;
  bool timed_out = false;
  boost::asio::steady_timer watchdog(io, limit);
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (!ec) {
      timed_out = true;
      io.stop();
    }
  });
  boost::asio::co_spawn(io, std::move(awaitable), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    watchdog.cancel();
    io.stop();
  });
  io.restart();
  io.run();
  io.restart();
  if (timed_out) throw std::runtime_error("test coroutine did not finish in time");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline s3::Credentials test_credentials() {
  return {"AKIDTESTFAKE000001", "fake/secret+key/for/tests", "", std::nullopt};
}

// Millisecond timeouts and backoffs: fast tests, still real timers.
inline s3::ClientConfig test_config(const FakeS3& fake) {
  s3::ClientConfig config;
  config.endpoint = fake.endpoint();
  config.region = "us-east-1";
  config.bucket = "test-bucket";
  config.timeouts.connect = std::chrono::milliseconds(2000);
  config.timeouts.write = std::chrono::milliseconds(2000);
  config.timeouts.read = std::chrono::milliseconds(2000);
  config.max_connections = 8;
  config.retry.max_attempts = 4;
  config.retry.base_delay = std::chrono::milliseconds(1);
  config.retry.max_delay = std::chrono::milliseconds(10);
  config.retry.deadline = std::chrono::milliseconds(10000);
  return config;
}

class RecordingObserver : public s3::ClientObserver {
 public:
  void on_request_done(std::string_view operation, unsigned status,
                       std::chrono::nanoseconds duration, std::uint64_t sent,
                       std::uint64_t received) override {
    done.push_back({std::string(operation), status});
    durations.push_back(duration);
    bytes_sent += sent;
    bytes_received += received;
  }
  void on_connection_wait(std::chrono::nanoseconds waited) override {
    connection_waits.push_back(waited);
  }
  void on_retry(std::string_view operation, std::string_view reason) override {
    retries.push_back(std::string(operation) + ":" + std::string(reason));
  }
  void on_uploads_in_flight(int delta) override { uploads_in_flight += delta; }
  void on_parts_in_flight(int delta) override {
    parts_in_flight += delta;
    max_parts_in_flight = std::max(max_parts_in_flight, parts_in_flight);
  }
  void on_part_uploaded(std::chrono::nanoseconds, std::uint64_t, bool ok) override {
    ++(ok ? parts_ok : parts_failed);
  }

  std::vector<std::pair<std::string, unsigned>> done;
  std::vector<std::chrono::nanoseconds> durations;  // of each request, as `done`
  std::vector<std::chrono::nanoseconds> connection_waits;
  std::vector<std::string> retries;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  int uploads_in_flight = 0;
  int parts_in_flight = 0;
  int max_parts_in_flight = 0;
  int parts_ok = 0;
  int parts_failed = 0;
};

}  // namespace ks3::test

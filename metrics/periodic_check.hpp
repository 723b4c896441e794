// A readiness condition kept up to date by a periodic probe, e.g. "s3": HeadBucket every 5 s.
// The probe is any coroutine (the S3 client stays out of metrics/):
//
//   metrics::PeriodicCheck s3_check(io.get_executor(), readiness, "s3",
//       [&]() -> asio::awaitable<std::optional<std::string>> {
//         auto r = co_await client.head_bucket(bucket);
//         if (r) co_return std::nullopt;                              // ready
//         co_return "s3 unreachable: " + r.error().message();         // the /readyz reason
//       },
//       {.interval = 5s, .timeout = 10s});
//   s3_check.start();
//
// The first probe runs at start(); until it answers, the condition keeps whatever state it was
// declared with. A probe that exceeds the timeout makes the condition not ready
// ("s3 check timed out after 10.0 s"); an exception from the probe is reported the same way
// (with its message), never propagated.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "metrics/readiness.hpp"

namespace ks3::metrics {

struct PeriodicCheckOptions {
  std::chrono::milliseconds interval{5'000};  // from the end of one probe to the next
  std::chrono::milliseconds timeout{10'000};  // per probe
};

class PeriodicCheck {
 public:
  // nullopt: the condition holds; a string: the reason it does not.
  using Probe = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

  PeriodicCheck(boost::asio::any_io_executor executor, Readiness& readiness, std::string condition,
                Probe probe, PeriodicCheckOptions options = {});
  ~PeriodicCheck();  // stop()
  PeriodicCheck(const PeriodicCheck&) = delete;
  PeriodicCheck& operator=(const PeriodicCheck&) = delete;

  void start();
  // Cancels the wait and the probe in flight (posted to the executor; safe from any thread).
  // The Readiness passed in must outlive the loop's last run of the check.
  void stop();

  struct State;  // implementation detail (shared with the probe coroutine)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ks3::metrics

// The live metric values: Counter, Gauge, Histogram. Every update is lock-free and allocation-free
// (one relaxed atomic operation, two for a histogram), so they can sit on the per-record hot path.
// Relaxed ordering is enough: a scrape only needs each value to be eventually visible, not ordered
// with respect to other memory.
//
// Obtain them from a Registry (registry.hpp) once and keep the reference; never construct them for
// exposition yourself.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "metrics/snapshot.hpp"

namespace ks3::metrics {

// A monotonically increasing count (Prometheus counter). Integral, so increments never lose
// precision; exposed as a float64 like every Prometheus value.
// alignas(64): children updated from different threads never share a cache line.
class alignas(64) Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (Prometheus gauge).
class alignas(64) Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  // C++20 atomic<double>::fetch_add (a compare-and-swap loop in libstdc++, lock-free on x86-64).
  void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void sub(double v) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
  void inc() noexcept { add(1); }
  void dec() noexcept { sub(1); }
  // Seconds since the Unix epoch, the Prometheus convention for timestamps (*_timestamp_seconds).
  void set_to_current_time() noexcept;
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Distribution of observed values in fixed buckets (Prometheus histogram). Buckets are counted
// non-cumulatively (one atomic add per observation); the snapshot makes them cumulative.
class Histogram {
 public:
  // `bounds`: finite, strictly increasing upper bounds (checked by the Registry).
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);

  // Records one observation. NaN is ignored (it would poison _sum forever).
  void observe(double value) noexcept;
  // Records `n` observations of the same value (e.g. one per record of an object).
  void observe_n(double value, std::uint64_t n) noexcept;
  template <typename Rep, typename Period>
  void observe_duration(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  const std::vector<double>& bounds() const noexcept { return *bounds_; }
  // Cumulative counts; `count` equals the +Inf bucket by construction.
  HistogramValue snapshot() const;

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  // bounds_->size() + 1 slots; the last is the +Inf bucket.
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Bucket helpers (the same shapes as the Prometheus client libraries offer).
// `count` bounds: start, start*factor, start*factor^2, ... (start > 0, factor > 1).
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);
// `count` bounds: start, start+width, start+2*width, ... (width > 0).
std::vector<double> linear_buckets(double start, double width, std::size_t count);

}  // namespace ks3::metrics

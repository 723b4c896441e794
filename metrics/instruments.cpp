#include "metrics/instruments.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ks3::metrics {

void Gauge::set_to_current_time() noexcept {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  set(std::chrono::duration<double>(now).count());
}

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_->size() + 1)) {}

void Histogram::observe(double value) noexcept {
  observe_n(value, 1);
}

void Histogram::observe_n(double value, std::uint64_t n) noexcept {
  if (std::isnan(value) || n == 0) return;
  // Prometheus buckets are "less than or equal": the first bound >= value takes it.
  auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  auto index = static_cast<std::size_t>(it - bounds_->begin());
  counts_[index].fetch_add(n, std::memory_order_relaxed);
  sum_.fetch_add(value * static_cast<double>(n), std::memory_order_relaxed);
}

HistogramValue Histogram::snapshot() const {
  HistogramValue out;
  out.cumulative_counts.reserve(bounds_->size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_->size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out.cumulative_counts.push_back(running);
  }
  running += counts_[bounds_->size()].load(std::memory_order_relaxed);
  out.count = running;
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (!(start > 0) || !(factor > 1)) {
    throw std::invalid_argument("exponential_buckets needs start > 0 and factor > 1");
  }
  std::vector<double> out;
  out.reserve(count);
  double bound = start;
  for (std::size_t i = 0; i < count; ++i, bound *= factor) out.push_back(bound);
  return out;
}

std::vector<double> linear_buckets(double start, double width, std::size_t count) {
  if (!(width > 0)) throw std::invalid_argument("linear_buckets needs width > 0");
  std::vector<double> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(start + width * static_cast<double>(i));
  return out;
}

}  // namespace ks3::metrics

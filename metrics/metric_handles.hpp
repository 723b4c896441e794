// Handles on prometheus-cpp metrics with the short names the sink's call sites use
// (counter.inc(n), gauge.set(v), histogram.observe(v), family.with({"topic"})). A handle is one
// pointer: copy it freely. The metric itself lives in its prometheus::Family, which lives in the
// prometheus::Registry; a handle stays valid until its series is removed (Family::remove).
//
// Hot path: look the child up once (family.with() takes the family's lock and hashes the labels)
// and keep the handle; an update is then one atomic compare-exchange (prometheus-cpp keeps every
// value as std::atomic<double>). A histogram observation takes the histogram's mutex: observe per
// object or per request, not per record.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/label_value.hpp"

namespace ks3::metrics {

// A monotonically increasing count.
class Counter {
 public:
  using Native = prometheus::Counter;
  explicit Counter(Native& native) : native_(&native) {}

  void inc(std::uint64_t n = 1) const { native_->Increment(static_cast<double>(n)); }
  double value() const { return native_->Value(); }

 private:
  Native* native_;
};

// A value that goes up and down.
class Gauge {
 public:
  using Native = prometheus::Gauge;
  explicit Gauge(Native& native) : native_(&native) {}

  void set(double v) const { native_->Set(v); }
  void add(double v) const { native_->Increment(v); }
  void sub(double v) const { native_->Decrement(v); }
  void inc() const { native_->Increment(); }
  void dec() const { native_->Decrement(); }
  // Seconds since the Unix epoch, the convention for *_timestamp_seconds.
  void set_to_current_time() const { native_->SetToCurrentTime(); }
  double value() const { return native_->Value(); }

 private:
  Native* native_;
};

// Distribution of observed values in fixed buckets.
class Histogram {
 public:
  using Native = prometheus::Histogram;
  explicit Histogram(Native& native) : native_(&native) {}

  // NaN is ignored: it would poison the _sum series forever.
  void observe(double value) const {
    if (!std::isnan(value)) native_->Observe(value);
  }
  template <typename Rep, typename Period>
  void observe_duration(std::chrono::duration<Rep, Period> d) const {
    observe(std::chrono::duration<double>(d).count());
  }
  // The current buckets (cumulative), count and sum, as prometheus-cpp reports them.
  prometheus::ClientMetric::Histogram collect() const { return native_->Collect().histogram; }

 private:
  Native* native_;
};

// A prometheus::Family with its label names fixed (and, for histograms, its buckets), so a child
// is named by its label values alone: family.with({"orders", "3"}).
template <typename Handle>
class Family {
 public:
  using Native = prometheus::Family<typename Handle::Native>;

  Family(Native& native, std::vector<std::string> label_names, std::vector<double> buckets = {})
      : native_(&native), label_names_(std::move(label_names)), buckets_(std::move(buckets)) {}

  // The child for these label values (one per label name, in order), created on first use.
  // Invalid UTF-8 in a value is replaced (label_value.hpp): /metrics must stay valid UTF-8.
  // Throws std::invalid_argument when the number of values does not match the label names.
  Handle with(std::initializer_list<std::string_view> values) const {
    return Handle(add(labels(values)));
  }
  // Deletes the child's series (a later with() starts it again from 0). Handles on it dangle:
  // only use this for children that are looked up again after it (e.g. a revoked partition).
  void remove(std::initializer_list<std::string_view> values) const {
    auto l = labels(values);
    if (native_->Has(l)) native_->Remove(&add(l));
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  prometheus::Labels labels(std::initializer_list<std::string_view> values) const {
    if (values.size() != label_names_.size()) {
      throw std::invalid_argument("metric family " + native_->GetName() + " takes " +
                                  std::to_string(label_names_.size()) + " label values, got " +
                                  std::to_string(values.size()));
    }
    prometheus::Labels out;
    auto value = values.begin();
    for (const auto& name : label_names_) out.emplace(name, label_value(*value++));
    return out;
  }
  typename Handle::Native& add(const prometheus::Labels& l) const {
    if constexpr (std::is_same_v<Handle, Histogram>) {
      return native_->Add(l, buckets_);
    } else {
      return native_->Add(l);
    }
  }

  Native* native_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
};

}  // namespace ks3::metrics

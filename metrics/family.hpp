// A metric family: one name, help text and set of label names; one child metric per distinct set
// of label values (e.g. kafka_s3_sink_consumer_lag_records{topic="t",partition="0"}).
//
// Hot-path pattern: look the child up once (on partition assignment, at start-up) and keep the
// reference; then each update is a single atomic operation with no lock and no allocation:
//
//   Counter& consumed = sink.records_consumed.with({topic});   // once; takes a lock
//   consumed.inc();                                            // per record; lock-free
//
// Children are never destroyed while the registry lives, so a cached reference stays valid.
// remove() only hides a child from the exposition (e.g. a revoked partition's lag); a later
// with() for the same label values shows it again.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/instruments.hpp"
#include "metrics/snapshot.hpp"

namespace ks3::metrics {

// Everything the registry needs from a family, whatever its metric type.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  virtual const Descriptor& descriptor() const = 0;
  // Appends a snapshot of the visible children, ordered by label values.
  virtual FamilySnapshot collect() const = 0;
};

// Throws std::invalid_argument naming the family when `values` does not match its label names.
void check_label_arity(const Descriptor& descriptor, std::size_t value_count);

template <typename T>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  Family(Descriptor descriptor, Factory factory)
      : descriptor_(std::move(descriptor)), factory_(std::move(factory)) {}

  // The child for these label values (one per label name, in order), created on first use.
  T& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }
  T& with(std::span<const std::string> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }
  T& with(std::vector<std::string> values) {
    check_label_arity(descriptor_, values.size());
    std::lock_guard lock(mutex_);
    auto [it, inserted] = children_.try_emplace(std::move(values));
    if (inserted) it->second.metric = factory_();
    it->second.visible = true;
    return *it->second.metric;
  }

  // Hides the child from the exposition (its value is kept; a cached reference stays valid).
  void remove(std::initializer_list<std::string_view> values) {
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard lock(mutex_);
    if (auto it = children_.find(key); it != children_.end()) it->second.visible = false;
  }

  const Descriptor& descriptor() const override { return descriptor_; }

  FamilySnapshot collect() const override {
    FamilySnapshot out{descriptor_, {}};
    std::lock_guard lock(mutex_);
    out.samples.reserve(children_.size());
    // std::map iterates in label-value order: the exposition order is stable across scrapes.
    for (const auto& [labels, child] : children_) {
      if (!child.visible) continue;
      Sample sample{labels, 0, {}};
      fill(sample, *child.metric);
      out.samples.push_back(std::move(sample));
    }
    return out;
  }

 private:
  struct Child {
    std::unique_ptr<T> metric;
    bool visible = true;
  };

  static void fill(Sample& s, const Counter& c) { s.value = static_cast<double>(c.value()); }
  static void fill(Sample& s, const Gauge& g) { s.value = g.value(); }
  static void fill(Sample& s, const Histogram& h) { s.histogram = h.snapshot(); }

  Descriptor descriptor_;
  Factory factory_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, Child> children_;
};

}  // namespace ks3::metrics

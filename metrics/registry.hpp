// The metrics registry: owns every metric family and the collectors (metrics computed at scrape
// time), and produces a consistent, ordered snapshot for the exposition writer.
//
//   metrics::Registry registry;
//   auto& requests = registry.counter_family("kafka_s3_sink_s3_requests_total",
//                                            "S3 requests by operation and HTTP status code.",
//                                            {"operation", "code"});
//   requests.with({"PutObject", "200"}).inc();
//   std::string text = metrics::prometheus::render(registry.collect());
//
// Registration (counter_family, add_collector, ...) happens at start-up and throws
// std::invalid_argument with a precise message on a bad name, a name clash, or a counter without
// the `_total` suffix. Registration and collect() are thread-safe; updates of the metrics
// themselves are lock-free (instruments.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "metrics/family.hpp"
#include "metrics/instruments.hpp"
#include "metrics/snapshot.hpp"

namespace ks3::metrics {

// Metrics whose values are read at scrape time (process metrics from /proc, values owned by
// another component). collect() runs on the scraping thread: it must be thread-safe with respect
// to what it reads.
class Collector {
 public:
  virtual ~Collector() = default;
  // The families this collector emits (checked against the registry's names at registration).
  virtual std::vector<Descriptor> describe() const = 0;
  // Appends one FamilySnapshot per family it has values for (a family may be left out).
  virtual void collect(std::vector<FamilySnapshot>& out) const = 0;
};

// A collector for one family whose samples come from a callback, e.g. lag read from the consumer:
//   registry.add_collector(std::make_shared<CallbackCollector>(descriptor, [&](auto& samples) {
//     samples.push_back({{"topic", "0"}, 42.0, {}});
//   }));
class CallbackCollector final : public Collector {
 public:
  using Callback = std::function<void(std::vector<Sample>& samples)>;
  CallbackCollector(Descriptor descriptor, Callback callback)
      : descriptor_(std::move(descriptor)), callback_(std::move(callback)) {}
  // A single unlabelled value.
  static std::shared_ptr<CallbackCollector> single(std::string name, std::string help,
                                                   MetricType type, std::function<double()> value);

  std::vector<Descriptor> describe() const override { return {descriptor_}; }
  void collect(std::vector<FamilySnapshot>& out) const override;

 private:
  Descriptor descriptor_;
  Callback callback_;
};

class Registry {
 public:
  using CollectorId = std::uint64_t;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Families. Registering the same name again with the same type and labels returns the existing
  // family (so independent components can share one); anything else that clashes throws.
  Family<Counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  Family<Gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bucket_bounds);

  // Unlabelled shortcuts: the family's only child.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> bucket_bounds);

  CollectorId add_collector(std::shared_ptr<Collector> collector);
  // After this returns, the collector is no longer called by future collect() calls (a collect()
  // already running keeps its own reference until it finishes).
  void remove_collector(CollectorId id);

  // Every family with at least one sample, ordered by name; samples ordered by label values.
  std::vector<FamilySnapshot> collect() const;

 private:
  template <typename T>
  Family<T>& add_family(Descriptor descriptor, typename Family<T>::Factory factory);
  void reserve_names(const Descriptor& descriptor);  // requires mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  std::map<CollectorId, std::pair<std::shared_ptr<Collector>, std::vector<std::string>>>
      collectors_;
  std::set<std::string> reserved_names_;  // every sample name in use (incl. _bucket/_sum/_count)
  CollectorId next_collector_id_ = 1;
};

// Checks a descriptor against the Prometheus data model and this project's conventions; throws
// std::invalid_argument naming the family and the rule. Exposed for tests.
void validate_descriptor(const Descriptor& descriptor);

}  // namespace ks3::metrics

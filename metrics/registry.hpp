// What /metrics exposes: a prometheus-cpp registry (the kafka_s3_sink_* families, built by
// sink_metrics.hpp) plus collectables whose values are read at scrape time (process metrics).
//
//   metrics::Registry registry;
//   metrics::SinkMetrics sink(registry);
//   registry.add_collector(std::make_shared<metrics::ProcessCollector>());
//   std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
//
// Thread-safe (prometheus-cpp locks its families; the collectables list has its own lock).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <vector>

namespace ks3::metrics {

class Registry final : public prometheus::Registry {
 public:
  // `collector` is called on every scrape, on the scraping thread: it must be thread-safe with
  // respect to what it reads.
  void add_collector(std::shared_ptr<prometheus::Collectable> collector);

  // The registry's families and every collector's, ordered by name, series ordered by labels
  // (a stable exposition is easier to read and to diff).
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors_;
};

}  // namespace ks3::metrics

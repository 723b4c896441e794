#include "metrics/registry.hpp"

#include <algorithm>
#include <iterator>

namespace ks3::metrics {

void Registry::add_collector(std::shared_ptr<prometheus::Collectable> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::vector<prometheus::MetricFamily> Registry::Collect() const {
  auto families = prometheus::Registry::Collect();
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& collector : collectors) {
    auto more = collector->Collect();
    std::move(more.begin(), more.end(), std::back_inserter(families));
  }
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(families.begin(), families.end(), by_name);
  for (auto& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return families;
}

}  // namespace ks3::metrics

#include "metrics/registry.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

using namespace ks3::metrics;

namespace {

// A collectable with one fixed gauge family, like the process metrics.
class FixedCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::ClientMetric metric;
    metric.gauge.value = 7;
    return {{"b_collected", "From a collector.", prometheus::MetricType::Gauge, {metric}}};
  }
};

}  // namespace

TEST(Registry, MergesCollectorsAndOrdersFamiliesByNameAndSeriesByLabels) {
  Registry r;
  auto& c = prometheus::BuildCounter().Name("c_total").Help("C.").Register(r);
  c.Add({{"p", "2"}}).Increment();
  c.Add({{"p", "10"}}).Increment(3);
  prometheus::BuildGauge().Name("a_gauge").Help("A.").Register(r).Add({}).Set(1);
  r.add_collector(std::make_shared<FixedCollector>());
  EXPECT_EQ(prometheus::TextSerializer().Serialize(r.Collect()),
            "# HELP a_gauge A.\n# TYPE a_gauge gauge\na_gauge 1\n"
            "# HELP b_collected From a collector.\n# TYPE b_collected gauge\nb_collected 7\n"
            "# HELP c_total C.\n# TYPE c_total counter\nc_total{p=\"10\"} 3\nc_total{p=\"2\"} 1\n");
}

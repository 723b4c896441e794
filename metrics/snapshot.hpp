// A point-in-time copy of metric values, the hand-off between the registry (which owns live,
// atomically updated metrics) and the exposition writers (pure functions of a snapshot).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ks3::metrics {

enum class MetricType { counter, gauge, histogram };

// What a family is: its name, help text, type and label names (fixed for the family; each child
// has one value per label name). For histograms, `bucket_bounds` are the finite upper bounds in
// increasing order; the +Inf bucket is implicit.
struct Descriptor {
  std::string name;
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<std::string> label_names;
  std::vector<double> bucket_bounds;
};

// Histogram state of one child. `cumulative_counts[i]` counts observations <= bucket_bounds[i];
// `count` (the +Inf bucket) counts all of them.
struct HistogramValue {
  std::vector<std::uint64_t> cumulative_counts;
  std::uint64_t count = 0;
  double sum = 0;
};

// One child of a family: its label values (same order as Descriptor::label_names) and its value.
// Counters and gauges use `value`; histograms use `histogram`.
struct Sample {
  std::vector<std::string> label_values;
  double value = 0;
  HistogramValue histogram;
};

struct FamilySnapshot {
  Descriptor descriptor;
  std::vector<Sample> samples;
};

}  // namespace ks3::metrics

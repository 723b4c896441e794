#include "metrics/registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace ks3::metrics;

namespace {

const Sample* find_sample(const std::vector<FamilySnapshot>& families, std::string_view name,
                          const std::vector<std::string>& labels) {
  for (const auto& f : families) {
    if (f.descriptor.name != name) continue;
    for (const auto& s : f.samples) {
      if (s.label_values == labels) return &s;
    }
  }
  return nullptr;
}

}  // namespace

TEST(Registry, CachedChildIsTheSameObject) {
  Registry r;
  auto& f = r.counter_family("x_total", "X.", {"topic"});
  auto& a = f.with({"t1"});
  auto& b = f.with({"t1"});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &f.with({"t2"}));
}

TEST(Registry, SameFamilyTwiceReturnsItDifferentShapeThrows) {
  Registry r;
  auto& f1 = r.counter_family("x_total", "X.", {"topic"});
  auto& f2 = r.counter_family("x_total", "X.", {"topic"});
  EXPECT_EQ(&f1, &f2);
  EXPECT_THROW(r.counter_family("x_total", "X.", {"other"}), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("x_total", "X.", {"topic"}), std::invalid_argument);
}

TEST(Registry, RejectsBadNamesAndConventions) {
  Registry r;
  EXPECT_THROW(r.counter("requests", "No _total."), std::invalid_argument);
  EXPECT_THROW(r.gauge("1abc", "Starts with a digit."), std::invalid_argument);
  EXPECT_THROW(r.gauge("a-b", "Dash."), std::invalid_argument);
  EXPECT_THROW(r.gauge("ok_name", ""), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("g1", "G.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("g2", "G.", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("g3", "G.", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("h1", "H.", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h2", "H.", {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h3", "H.", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h4", "H.", {std::nan("")}), std::invalid_argument);
  EXPECT_NO_THROW(r.gauge("ns:sub_name", "Colons are allowed in metric names."));
}

TEST(Registry, ErrorMessageNamesTheMetricAndTheRule) {
  Registry r;
  try {
    r.counter("kafka_s3_sink_records", "Records.");
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("kafka_s3_sink_records"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("_total"), std::string::npos);
  }
}

TEST(Registry, HistogramSampleNamesClashWithOtherFamilies) {
  Registry r;
  r.histogram("rpc_seconds", "RPC.", {1});
  EXPECT_THROW(r.gauge("rpc_seconds_count", "Clash."), std::invalid_argument);
  r.gauge("queue_sum", "Queue.");
  EXPECT_THROW(r.histogram("queue", "Clash.", {1}), std::invalid_argument);
}

TEST(Registry, TrailingInfBucketIsImplicit) {
  Registry r;
  auto& h = r.histogram("h_seconds", "H.", {1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.bounds(), std::vector<double>{1});
}

TEST(Registry, WrongLabelCountThrows) {
  Registry r;
  auto& f = r.gauge_family("g", "G.", {"a", "b"});
  EXPECT_THROW(f.with({"only-one"}), std::invalid_argument);
}

TEST(Registry, CollectorNamesAreReservedAndReleased) {
  Registry r;
  auto id = r.add_collector(
      CallbackCollector::single("cb_value", "Value.", MetricType::gauge, [] { return 7.0; }));
  EXPECT_THROW(r.gauge("cb_value", "Clash."), std::invalid_argument);
  auto families = r.collect();
  auto* s = find_sample(families, "cb_value", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 7.0);
  r.remove_collector(id);
  EXPECT_EQ(find_sample(r.collect(), "cb_value", {}), nullptr);
  EXPECT_NO_THROW(r.gauge("cb_value", "Now free."));
}

TEST(Gauge, SetAddSubIncDec) {
  Registry r;
  auto& g = r.gauge("g", "G.");
  g.set(10);
  g.add(2.5);
  g.sub(0.5);
  g.inc();
  g.dec();
  g.dec();
  EXPECT_DOUBLE_EQ(g.value(), 11);
  g.set_to_current_time();
  EXPECT_GT(g.value(), 1.6e9);
}

TEST(Histogram, IgnoresNanAndCountsBoundariesInclusively) {
  Registry r;
  auto& h = r.histogram("h", "H.", {1, 2});
  h.observe(std::nan(""));
  h.observe(1);
  h.observe(2);
  h.observe(3);
  h.observe_duration(std::chrono::milliseconds(1500));
  auto v = h.snapshot();
  EXPECT_EQ(v.cumulative_counts, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(v.count, 4u);
  EXPECT_DOUBLE_EQ(v.sum, 7.5);
}

TEST(Buckets, ExponentialAndLinear) {
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(linear_buckets(0.5, 0.5, 3), (std::vector<double>{0.5, 1, 1.5}));
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(linear_buckets(0, 0, 3), std::invalid_argument);
}

// Several threads update shared children while another registers families and scrapes: no
// increment is lost, and nothing crashes (run under the sanitizer build to check races).
TEST(Concurrency, CountersFromSeveralThreadsLoseNothing) {
  Registry r;
  auto& family = r.counter_family("hits_total", "Hits.", {"worker"});
  auto& shared = r.counter("shared_total", "Shared.");
  auto& hist = r.histogram("obs_seconds", "Obs.", {0.5});
  auto& gauge = r.gauge("level", "Level.");
  constexpr int kThreads = 4;
  constexpr int kIterations = 200'000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    int registrations = 0;
    while (!done.load()) {
      auto families = r.collect();
      EXPECT_FALSE(families.empty());
      r.gauge_family("dyn", "Dyn.", {"i"}).with({std::to_string(registrations++ % 50)}).inc();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      auto& mine = family.with({std::to_string(t)});
      for (int i = 0; i < kIterations; ++i) {
        mine.inc();
        shared.inc();
        hist.observe(i % 2 == 0 ? 0.25 : 1.0);
        gauge.add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  scraper.join();

  EXPECT_EQ(shared.value(), std::uint64_t{kThreads} * kIterations);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(family.with({std::to_string(t)}).value(), std::uint64_t{kIterations});
  }
  auto h = hist.snapshot();
  EXPECT_EQ(h.count, std::uint64_t{kThreads} * kIterations);
  EXPECT_EQ(h.cumulative_counts[0], std::uint64_t{kThreads} * kIterations / 2);
  EXPECT_DOUBLE_EQ(h.sum, kThreads * (kIterations / 2) * 1.25);
  EXPECT_DOUBLE_EQ(gauge.value(), double{kThreads} * kIterations);
}

#include "metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ks3::metrics {
namespace {

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_name_char(char c, bool allow_colon) {
  return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
}

// Prometheus data model: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]*.
bool valid_identifier(const std::string& s, bool allow_colon) {
  if (s.empty() || !is_name_start(s.front(), allow_colon)) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return is_name_char(c, allow_colon); });
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "gauge";
}

[[noreturn]] void reject(const Descriptor& d, const std::string& why) {
  throw std::invalid_argument("metric " + d.name + ": " + why);
}

// The names a family's samples use in the text format.
std::vector<std::string> sample_names(const Descriptor& d) {
  if (d.type == MetricType::histogram) {
    return {d.name, d.name + "_bucket", d.name + "_sum", d.name + "_count"};
  }
  return {d.name};
}

bool same_shape(const Descriptor& a, const Descriptor& b) {
  return a.type == b.type && a.label_names == b.label_names && a.bucket_bounds == b.bucket_bounds;
}

// A trailing +Inf is implicit in every histogram; accept it from callers and drop it.
std::vector<double> without_inf(std::vector<double> bounds) {
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) bounds.pop_back();
  return bounds;
}

}  // namespace

void validate_descriptor(const Descriptor& d) {
  if (!valid_identifier(d.name, true)) {
    reject(d, "invalid name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  if (d.help.empty()) reject(d, "help text is empty (say what it measures, in which unit)");
  if (d.type == MetricType::counter && !ends_with(d.name, "_total")) {
    reject(d, "counter names end in _total (Prometheus naming convention)");
  }
  std::set<std::string> seen;
  for (const auto& label : d.label_names) {
    if (!valid_identifier(label, false) || label.starts_with("__")) {
      reject(d, "invalid label name '" + label + "' (must match [a-zA-Z_][a-zA-Z0-9_]*, no __)");
    }
    if (d.type == MetricType::histogram && label == "le") {
      reject(d, "a histogram cannot have a label named le (reserved for buckets)");
    }
    if (!seen.insert(label).second) reject(d, "label name '" + label + "' given twice");
  }
  if (d.type != MetricType::histogram && !d.bucket_bounds.empty()) {
    reject(d, "bucket bounds given for a " + std::string(type_name(d.type)));
  }
  for (std::size_t i = 0; i < d.bucket_bounds.size(); ++i) {
    if (!std::isfinite(d.bucket_bounds[i])) reject(d, "bucket bounds must be finite");
    if (i > 0 && !(d.bucket_bounds[i - 1] < d.bucket_bounds[i])) {
      reject(d, "bucket bounds must be strictly increasing");
    }
  }
}

void check_label_arity(const Descriptor& d, std::size_t value_count) {
  if (value_count != d.label_names.size()) {
    throw std::invalid_argument("metric " + d.name + ": " + std::to_string(value_count) +
                                " label values given, the family has " +
                                std::to_string(d.label_names.size()) + " labels");
  }
}

void CallbackCollector::collect(std::vector<FamilySnapshot>& out) const {
  FamilySnapshot family{descriptor_, {}};
  callback_(family.samples);
  for (const auto& s : family.samples) check_label_arity(descriptor_, s.label_values.size());
  out.push_back(std::move(family));
}

std::shared_ptr<CallbackCollector> CallbackCollector::single(std::string name, std::string help,
                                                             MetricType type,
                                                             std::function<double()> value) {
  Descriptor d{std::move(name), std::move(help), type, {}, {}};
  return std::make_shared<CallbackCollector>(
      std::move(d), [value = std::move(value)](std::vector<Sample>& samples) {
        samples.push_back(Sample{{}, value(), {}});
      });
}

void Registry::reserve_names(const Descriptor& d) {
  for (const auto& n : sample_names(d)) {
    if (reserved_names_.contains(n)) reject(d, "name " + n + " is already used by another metric");
  }
  for (auto& n : sample_names(d)) reserved_names_.insert(std::move(n));
}

template <typename T>
Family<T>& Registry::add_family(Descriptor d, typename Family<T>::Factory factory) {
  validate_descriptor(d);
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(d.name); it != families_.end()) {
    auto* existing = dynamic_cast<Family<T>*>(it->second.get());
    if (existing == nullptr || !same_shape(existing->descriptor(), d)) {
      reject(d, "registered twice with a different type, labels or buckets");
    }
    return *existing;
  }
  reserve_names(d);
  auto family = std::make_unique<Family<T>>(d, std::move(factory));
  auto& ref = *family;
  families_.emplace(d.name, std::move(family));
  return ref;
}

Family<Counter>& Registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  Descriptor d{std::move(name), std::move(help), MetricType::counter, std::move(label_names), {}};
  return add_family<Counter>(std::move(d), [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  Descriptor d{std::move(name), std::move(help), MetricType::gauge, std::move(label_names), {}};
  return add_family<Gauge>(std::move(d), [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bucket_bounds) {
  bucket_bounds = without_inf(std::move(bucket_bounds));
  auto shared = std::make_shared<const std::vector<double>>(bucket_bounds);
  Descriptor d{std::move(name), std::move(help), MetricType::histogram, std::move(label_names),
               std::move(bucket_bounds)};
  return add_family<Histogram>(std::move(d),
                               [shared] { return std::make_unique<Histogram>(shared); });
}

Counter& Registry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& Registry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& Registry::histogram(std::string name, std::string help,
                               std::vector<double> bucket_bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(bucket_bounds)).with({});
}

Registry::CollectorId Registry::add_collector(std::shared_ptr<Collector> collector) {
  auto descriptors = collector->describe();
  for (const auto& d : descriptors) validate_descriptor(d);
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  try {
    for (const auto& d : descriptors) {
      reserve_names(d);
      for (auto& n : sample_names(d)) names.push_back(std::move(n));
    }
  } catch (...) {
    for (const auto& n : names) reserved_names_.erase(n);  // all or nothing
    throw;
  }
  auto id = next_collector_id_++;
  collectors_.emplace(id, std::make_pair(std::move(collector), std::move(names)));
  return id;
}

void Registry::remove_collector(CollectorId id) {
  std::lock_guard lock(mutex_);
  auto it = collectors_.find(id);
  if (it == collectors_.end()) return;
  for (const auto& n : it->second.second) reserved_names_.erase(n);
  collectors_.erase(it);
}

std::vector<FamilySnapshot> Registry::collect() const {
  // Copy what to visit under the lock, then collect without it: a slow collector never blocks
  // registration, and families are never destroyed while the registry lives.
  std::vector<const FamilyBase*> families;
  std::vector<std::shared_ptr<Collector>> collectors;
  {
    std::lock_guard lock(mutex_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
    for (const auto& [id, entry] : collectors_) collectors.push_back(entry.first);
  }
  std::vector<FamilySnapshot> out;
  out.reserve(families.size() + collectors.size());
  for (const auto* family : families) out.push_back(family->collect());
  for (const auto& collector : collectors) collector->collect(out);

  std::erase_if(out, [](const FamilySnapshot& f) { return f.samples.empty(); });
  for (auto& family : out) {
    std::stable_sort(
        family.samples.begin(), family.samples.end(),
        [](const Sample& a, const Sample& b) { return a.label_values < b.label_values; });
  }
  std::stable_sort(out.begin(), out.end(), [](const FamilySnapshot& a, const FamilySnapshot& b) {
    return a.descriptor.name < b.descriptor.name;
  });
  return out;
}

}  // namespace ks3::metrics

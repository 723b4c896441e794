#include "metrics/readiness.hpp"

#include <algorithm>

#include "metrics/log.hpp"

namespace ks3::metrics {
namespace {

ReadinessStatus combine(const auto& conditions) {
  ReadinessStatus status;
  for (const auto& c : conditions) {
    if (c.ready) continue;
    status.ready = false;
    if (!status.reason.empty()) status.reason += "; ";
    status.reason += c.reason.empty() ? c.name + " not ready" : c.reason;
  }
  return status;
}

}  // namespace

Readiness::Readiness(Gauge* ready_gauge) : ready_gauge_(ready_gauge) {
  if (ready_gauge_ != nullptr) ready_gauge_->set(1);
}

Readiness::Condition& Readiness::find_or_add(std::string_view condition) {
  auto it = std::find_if(conditions_.begin(), conditions_.end(),
                         [&](const Condition& c) { return c.name == condition; });
  if (it != conditions_.end()) return *it;
  return conditions_.emplace_back(Condition{std::string(condition), false, {}});
}

void Readiness::declare(std::string_view condition, std::string initial_reason) {
  std::lock_guard lock(mutex_);
  auto exists = std::any_of(conditions_.begin(), conditions_.end(),
                            [&](const Condition& c) { return c.name == condition; });
  if (exists) return;
  conditions_.push_back(Condition{std::string(condition), false, std::move(initial_reason)});
  // The start-up state is not an event: update the gauge, log only later changes.
  auto status = combine(conditions_);
  if (ready_gauge_ != nullptr) ready_gauge_->set(status.ready ? 1 : 0);
  last_ready_ = status.ready;
  last_reason_ = status.reason;
}

void Readiness::set_ready(std::string_view condition) {
  std::lock_guard lock(mutex_);
  auto& c = find_or_add(condition);
  c.ready = true;
  c.reason.clear();
  publish_locked(condition);
}

void Readiness::set_not_ready(std::string_view condition, std::string reason) {
  std::lock_guard lock(mutex_);
  auto& c = find_or_add(condition);
  c.ready = false;
  c.reason = std::move(reason);
  publish_locked(condition);
}

ReadinessStatus Readiness::status() const {
  std::lock_guard lock(mutex_);
  return combine(conditions_);
}

void Readiness::publish_locked(std::string_view changed) {
  auto status = combine(conditions_);
  if (status.ready == last_ready_ && status.reason == last_reason_) return;
  if (ready_gauge_ != nullptr) ready_gauge_->set(status.ready ? 1 : 0);
  if (status.ready) {
    log::info("ready", {{"condition", changed}});
  } else {
    log::warn("not ready", {{"condition", changed}, {"reason", status.reason}});
  }
  last_ready_ = status.ready;
  last_reason_ = status.reason;
}

}  // namespace ks3::metrics

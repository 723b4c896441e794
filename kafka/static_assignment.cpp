#include "kafka/static_assignment.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace ks3::kafka {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A partition number: decimal digits with an optional '-' (reported as negative, not as junk).
std::optional<std::int64_t> parse_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string join(const std::vector<std::int32_t>& partitions) {
  std::string out;
  for (std::int32_t p : partitions) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

}  // namespace

bool StaticAssignment::owns(std::string_view topic, std::int32_t partition) const {
  if (form == Form::ordinal) {
    return partition >= 0 && static_cast<std::uint32_t>(partition) % replicas == ordinal;
  }
  auto it = partitions.find(std::string(topic));
  return it != partitions.end() &&
         std::binary_search(it->second.begin(), it->second.end(), partition);
}

std::string StaticAssignment::describe() const {
  if (form == Form::ordinal) {
    return "ordinal " + std::to_string(ordinal) + " of " + std::to_string(replicas) +
           ": partition p of every topic where p % " + std::to_string(replicas) +
           " == " + std::to_string(ordinal);
  }
  std::string out = "listed:";
  for (const auto& [topic, list] : partitions) out += " " + topic + "[" + join(list) + "]";
  return out;
}

std::string StaticAssignment::rule_tag() const {
  if (form == Form::ordinal) return std::to_string(ordinal) + "/" + std::to_string(replicas);
  return "listed";
}

std::optional<std::uint32_t> ordinal_from_host_name(std::string_view host) {
  // A fully qualified name: the pod name is the first label.
  host = host.substr(0, host.find('.'));
  const std::size_t dash = host.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == host.size()) return std::nullopt;
  const std::string_view digits = host.substr(dash + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

PartitionListParse parse_partition_list(std::string_view text) {
  PartitionListParse out;
  constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trimmed(rest.substr(0, comma));
    if (!item.empty()) {
      // "3-7" is a range; "-1" (and "3--1") are negative numbers.
      const std::size_t dash = item.find('-', 1);
      const std::string_view first_text = trimmed(item.substr(0, dash));
      const std::string_view last_text =
          dash == std::string_view::npos ? first_text : trimmed(item.substr(dash + 1));
      const auto first = parse_number(first_text);
      const auto last = parse_number(last_text);
      if (!first || !last) {
        out.error = "'" + std::string(item) +
                    "' is not a partition number or range (write e.g. 0,1,2 or 0-3)";
        return out;
      }
      if (*first < 0 || *last < 0) {
        out.error = "partition " + std::to_string(std::min(*first, *last)) +
                    " is negative; partitions are numbered from 0";
        return out;
      }
      if (*first > kMax || *last > kMax || *last < *first) {
        out.error = "'" + std::string(item) + "' is not a valid partition range";
        return out;
      }
      for (std::int64_t p = *first; p <= *last; ++p) {
        out.partitions.push_back(static_cast<std::int32_t>(p));
        if (out.partitions.size() > 100000) {
          out.error = "'" + std::string(item) + "' lists too many partitions";
          return out;
        }
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (out.partitions.empty()) {
    out.error = "lists no partition (write e.g. 0,1,2 or 0-3)";
    return out;
  }
  std::sort(out.partitions.begin(), out.partitions.end());
  if (auto dup = std::adjacent_find(out.partitions.begin(), out.partitions.end());
      dup != out.partitions.end()) {
    out.error = "partition " + std::to_string(*dup) + " is listed twice";
  }
  return out;
}

AssignmentPlan plan_assignment(const StaticAssignment& rule, const std::vector<std::string>& topics,
                               const std::map<std::string, std::int32_t>& partition_counts) {
  AssignmentPlan plan;
  auto count_of = [&](const std::string& topic) -> std::optional<std::int32_t> {
    auto it = partition_counts.find(topic);
    if (it == partition_counts.end()) return std::nullopt;
    return it->second;
  };
  if (rule.form == StaticAssignment::Form::ordinal) {
    for (const std::string& topic : topics) {
      auto count = count_of(topic);
      if (!count) {
        plan.error = "topic " + topic + " does not exist (kafka.topics; cluster metadata)";
        return plan;
      }
      for (std::int32_t p = 0; p < *count; ++p) {
        if (rule.owns(topic, p)) plan.partitions.push_back(TopicPartition{topic, p});
      }
    }
  } else {
    for (const auto& [topic, list] : rule.partitions) {
      auto count = count_of(topic);
      if (!count) {
        plan.error = "topic " + topic + " does not exist (kafka.assign.topics; cluster metadata)";
        return plan;
      }
      for (std::int32_t p : list) {
        if (p >= *count) {
          plan.error = "partition " + std::to_string(p) + " of topic " + topic +
                       " does not exist: the topic has " + std::to_string(*count) +
                       " partitions (kafka.assign.topics." + topic + ")";
          return plan;
        }
        plan.partitions.push_back(TopicPartition{topic, p});
      }
    }
  }
  std::sort(plan.partitions.begin(), plan.partitions.end());
  plan.partitions.erase(std::unique(plan.partitions.begin(), plan.partitions.end()),
                        plan.partitions.end());
  return plan;
}

}  // namespace ks3::kafka

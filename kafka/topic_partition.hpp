// A Kafka topic partition as a value type (comparable, hashable), used as a map key everywhere.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ks3::kafka {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

// "topic[partition]": for logs and error messages.
std::string to_string(const TopicPartition& tp);

// Transparent hash: lookups by (string_view topic, partition) do not allocate.
struct TopicPartitionRef {
  std::string_view topic;
  std::int32_t partition = 0;
};

struct TopicPartitionHash {
  using is_transparent = void;
  std::size_t operator()(const TopicPartition& tp) const noexcept {
    return (*this)(TopicPartitionRef{tp.topic, tp.partition});
  }
  std::size_t operator()(const TopicPartitionRef& tp) const noexcept {
    return std::hash<std::string_view>{}(tp.topic) * 31u + static_cast<std::size_t>(tp.partition);
  }
};

struct TopicPartitionEqual {
  using is_transparent = void;
  static TopicPartitionRef ref(const TopicPartition& tp) { return {tp.topic, tp.partition}; }
  static TopicPartitionRef ref(const TopicPartitionRef& tp) { return tp; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return ref(a).topic == ref(b).topic && ref(a).partition == ref(b).partition;
  }
};

}  // namespace ks3::kafka

template <>
struct std::hash<ks3::kafka::TopicPartition> : ks3::kafka::TopicPartitionHash {};

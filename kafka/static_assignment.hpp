// Static partition assignment (kafka.assign; pure: no librdkafka here). Instead of joining a
// consumer group's rebalancing, an instance owns a fixed set of partitions: an explicit list per
// topic, or every partition p of the configured topics with p % replicas == ordinal (a
// StatefulSet pod's ordinal). The consumer assigns them with rd_kafka_assign and still commits
// to kafka.group_id (docs/DESIGN.md, "Static assignment").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/topic_partition.hpp"

namespace ks3::kafka {

struct StaticAssignment {
  enum class Form { listed, ordinal };
  Form form = Form::listed;
  // listed: topic -> its partitions, ascending and unique.
  std::map<std::string, std::vector<std::int32_t>> partitions;
  // ordinal: partition p of every topic goes to ordinal p % replicas.
  std::uint32_t replicas = 1;
  std::uint32_t ordinal = 0;

  bool owns(std::string_view topic, std::int32_t partition) const;
  // The rule in one line, e.g. "ordinal 1 of 2: partition p of every topic where p % 2 == 1"
  // or "listed: events[0,1,2,3]" (--validate, the start-up log).
  std::string describe() const;
  // The short form carried in owner tags: "1/2" (ordinal/replicas) or "listed".
  std::string rule_tag() const;
};

// The ordinal of a StatefulSet pod from its host name: the number after the last '-'
// ("kafka-s3-sink-1" -> 1). nullopt when the name does not end in "-<digits>" or the number does
// not fit in 32 bits.
std::optional<std::uint32_t> ordinal_from_host_name(std::string_view host);

// "0, 1,2" or "0-3,8" (ranges inclusive) -> the partitions, ascending. `error` (empty on
// success) says what is wrong: not a number, negative, a partition listed twice, an empty list.
struct PartitionListParse {
  std::vector<std::int32_t> partitions;
  std::string error;
};
PartitionListParse parse_partition_list(std::string_view text);

// The partitions to assign, from the number of partitions of each topic in the cluster's
// metadata (a topic missing from `partition_counts` does not exist). `error` (empty on success)
// names the topic, and the partition when a listed one does not exist. The ordinal form takes
// the partitions of `topics`; the listed form its own topics (which the configuration checked
// against `topics`).
struct AssignmentPlan {
  std::vector<TopicPartition> partitions;  // sorted
  std::string error;
};
AssignmentPlan plan_assignment(const StaticAssignment& rule, const std::vector<std::string>& topics,
                               const std::map<std::string, std::int32_t>& partition_counts);

}  // namespace ks3::kafka

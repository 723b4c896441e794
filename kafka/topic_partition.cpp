#include "kafka/topic_partition.hpp"

namespace ks3::kafka {

std::string to_string(const TopicPartition& tp) {
  return tp.topic + "[" + std::to_string(tp.partition) + "]";
}

}  // namespace ks3::kafka

// kafka.assign: the static assignment rule from the configuration (kafka/static_assignment.hpp).
// Every mistake names its key: both forms at once, a regex subscription (the partition set must
// be fixed), replicas without an ordinal or the reverse, an ordinal not below replicas, an
// ordinal "auto" on a host whose name does not end in "-<number>", partitions that are negative,
// listed twice or not numbers, listed topics that kafka.topics does not name.
#include <algorithm>
#include <cstdint>

#include "server/config/config.hpp"
#include "server/config/config_schema.hpp"
#include "server/config/config_values.hpp"

namespace ks3::server {
namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// The ordinal form: kafka.assign.replicas with kafka.assign.ordinal (a number or auto).
std::optional<kafka::StaticAssignment> ordinal_rule(AssignSettings& assign,
                                                    std::string_view host_name,
                                                    std::vector<ConfigIssue>& issues) {
  if (!assign.replicas) {
    issues.push_back({"kafka.assign.replicas",
                      "set the number of instances sharing the partitions (kafka.assign.ordinal "
                      "is set)"});
    return std::nullopt;
  }
  const std::uint32_t replicas = *assign.replicas;
  const std::string range = "0 to " + std::to_string(replicas - 1);
  const std::string text(trim(assign.ordinal));
  if (text.empty()) {
    issues.push_back({"kafka.assign.ordinal",
                      "set this instance's ordinal (" + range +
                          ") or auto (the number at the end of the host name, as a StatefulSet "
                          "pod is named); kafka.assign.replicas is set"});
    return std::nullopt;
  }
  std::uint32_t ordinal = 0;
  if (text == "auto") {
    auto from_host = kafka::ordinal_from_host_name(host_name);
    if (!from_host) {
      issues.push_back(
          {"kafka.assign.ordinal",
           "auto takes the number after the last '-' of the host name (a StatefulSet pod's "
           "name, e.g. kafka-s3-sink-1), and the host name '" +
               std::string(host_name) +
               "' has none; set the ordinal instead (e.g. "
               "KAFKA_S3_SINK_KAFKA__ASSIGN__ORDINAL=1)"});
      return std::nullopt;
    }
    ordinal = *from_host;
    assign.ordinal_source = "the host name " + std::string(host_name);
  } else {
    auto number = parse_unsigned(text);
    if (!number || *number > UINT32_MAX) {
      issues.push_back({"kafka.assign.ordinal",
                        "'" + text + "' is not an ordinal: write " + range + ", or auto"});
      return std::nullopt;
    }
    ordinal = static_cast<std::uint32_t>(*number);
    assign.ordinal_source = "kafka.assign.ordinal";
  }
  if (ordinal >= replicas) {
    issues.push_back({"kafka.assign.ordinal",
                      "ordinal " + std::to_string(ordinal) + " (from " + assign.ordinal_source +
                          ") is not below kafka.assign.replicas (" + std::to_string(replicas) +
                          "): ordinals run from " + range});
    return std::nullopt;
  }
  kafka::StaticAssignment rule;
  rule.form = kafka::StaticAssignment::Form::ordinal;
  rule.replicas = replicas;
  rule.ordinal = ordinal;
  return rule;
}

// The listed form: kafka.assign.topics. kafka.topics is either empty (it becomes the listed
// topics) or names exactly the listed topics.
std::optional<kafka::StaticAssignment> listed_rule(const AssignSettings& assign,
                                                   KafkaSettings& kafka,
                                                   std::vector<ConfigIssue>& issues) {
  kafka::StaticAssignment rule;
  rule.form = kafka::StaticAssignment::Form::listed;
  const std::size_t before = issues.size();
  std::vector<std::string> listed;
  for (const auto& [topic, text] : assign.topics) {
    listed.push_back(topic);
    kafka::PartitionListParse parsed = kafka::parse_partition_list(text);
    if (!parsed.error.empty()) {
      issues.push_back({"kafka.assign.topics." + topic, parsed.error});
      continue;
    }
    rule.partitions[topic] = std::move(parsed.partitions);
  }
  if (kafka.topics.empty() && kafka.topics_regex.empty()) {
    kafka.topics = listed;
  } else {
    for (const std::string& topic : listed) {
      if (!contains(kafka.topics, topic)) {
        issues.push_back({"kafka.assign.topics." + topic,
                          "topic " + topic +
                              " is not in kafka.topics (list it there, or leave kafka.topics "
                              "empty to consume exactly the listed topics)"});
      }
    }
    for (const std::string& topic : kafka.topics) {
      if (!topic.starts_with('^') && !contains(listed, topic)) {
        issues.push_back({"kafka.assign.topics", "kafka.topics lists " + topic +
                                                     " but kafka.assign.topics gives it no "
                                                     "partitions"});
      }
    }
  }
  if (issues.size() != before) return std::nullopt;
  return rule;
}

}  // namespace

std::vector<ConfigIssue> resolve_assignment(SinkConfig& config, std::string_view host_name) {
  std::vector<ConfigIssue> issues;
  KafkaSettings& kafka = config.kafka;
  AssignSettings& assign = kafka.assign;
  assign.rule.reset();
  assign.ordinal_source.clear();
  if (!assign.given()) return issues;
  assign.host_name = std::string(host_name);
  // A regex subscription's partition set changes with the topics that appear: no fixed rule.
  if (!kafka.topics_regex.empty()) {
    issues.push_back({"kafka.topics_regex",
                      "cannot be used with kafka.assign: a static assignment needs a fixed set "
                      "of topics; list them in kafka.topics"});
  }
  for (const std::string& topic : kafka.topics) {
    if (topic.starts_with('^')) {
      issues.push_back({"kafka.topics", "'" + topic +
                                            "' is a regex, which kafka.assign does not allow: "
                                            "a static assignment needs a fixed set of topics"});
    }
  }
  if (assign.check_interval.count() <= 0) {
    issues.push_back({"kafka.assign.check_interval",
                      "must be more than 0: how often the owners of the assigned partitions "
                      "are checked (e.g. 10s)"});
  }
  const bool by_ordinal = assign.replicas || !assign.ordinal.empty();
  if (by_ordinal && !assign.topics.empty()) {
    issues.push_back({"kafka.assign",
                      "give either kafka.assign.topics (partitions per topic) or "
                      "kafka.assign.replicas with kafka.assign.ordinal, not both"});
    return issues;
  }
  auto rule =
      by_ordinal ? ordinal_rule(assign, host_name, issues) : listed_rule(assign, kafka, issues);
  if (rule && issues.empty()) assign.rule = std::move(rule);
  return issues;
}

std::string assignment_comment(const SinkConfig& config) {
  const AssignSettings& assign = config.kafka.assign;
  if (!assign.rule) {
    return "# kafka assignment: consumer group " + config.kafka.group_id +
           " (subscribe and rebalance; kafka.assign is not set)\n";
  }
  std::string line = "# kafka assignment: static, " + assign.rule->describe();
  if (assign.rule->form == kafka::StaticAssignment::Form::ordinal) {
    line += " (ordinal from " + assign.ordinal_source + ")";
  }
  return line + "; offsets committed to group " + config.kafka.group_id + ", no rebalancing\n";
}

}  // namespace ks3::server

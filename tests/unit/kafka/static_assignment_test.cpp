// The static assignment rule (kafka.assign): ordinal parsing from host names, partition lists,
// and the partitions planned from the cluster's metadata.
#include "kafka/static_assignment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ks3::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

StaticAssignment by_ordinal(std::uint32_t ordinal, std::uint32_t replicas) {
  StaticAssignment rule;
  rule.form = StaticAssignment::Form::ordinal;
  rule.ordinal = ordinal;
  rule.replicas = replicas;
  return rule;
}

TEST(StaticAssignment, OrdinalFromStatefulSetHostNames) {
  EXPECT_EQ(ordinal_from_host_name("kafka-s3-sink-1"), 1u);
  EXPECT_EQ(ordinal_from_host_name("kafka-s3-sink-0"), 0u);
  EXPECT_EQ(ordinal_from_host_name("sink-12.sink.lake.svc.cluster.local"), 12u);
  EXPECT_EQ(ordinal_from_host_name("kafka-s3-sink"), std::nullopt);
  EXPECT_EQ(ordinal_from_host_name("kafka-s3-sink-"), std::nullopt);
  EXPECT_EQ(ordinal_from_host_name("sink-1a"), std::nullopt);
  EXPECT_EQ(ordinal_from_host_name("42"), std::nullopt);
  EXPECT_EQ(ordinal_from_host_name(""), std::nullopt);
  EXPECT_EQ(ordinal_from_host_name("sink-99999999999"), std::nullopt);  // beyond 32 bits
}

TEST(StaticAssignment, PartitionListsAndRanges) {
  EXPECT_THAT(parse_partition_list("3, 1,2").partitions, ElementsAre(1, 2, 3));
  EXPECT_THAT(parse_partition_list("0-3,8").partitions, ElementsAre(0, 1, 2, 3, 8));
  EXPECT_THAT(parse_partition_list(" 5 ").partitions, ElementsAre(5));
  EXPECT_TRUE(parse_partition_list("0-3,8").error.empty());
}

TEST(StaticAssignment, BadPartitionListsSayWhy) {
  EXPECT_THAT(parse_partition_list("0,-1").error, HasSubstr("partition -1 is negative"));
  EXPECT_THAT(parse_partition_list("-2").error, HasSubstr("negative"));
  EXPECT_THAT(parse_partition_list("1,2,1").error, HasSubstr("partition 1 is listed twice"));
  EXPECT_THAT(parse_partition_list("0-3,2").error, HasSubstr("partition 2 is listed twice"));
  EXPECT_THAT(parse_partition_list("a").error, HasSubstr("'a' is not a partition number"));
  EXPECT_THAT(parse_partition_list("1.5").error, HasSubstr("not a partition number"));
  EXPECT_THAT(parse_partition_list("3-1").error, HasSubstr("not a valid partition range"));
  EXPECT_THAT(parse_partition_list("").error, HasSubstr("no partition"));
  EXPECT_THAT(parse_partition_list(" , ").error, HasSubstr("no partition"));
  EXPECT_THAT(parse_partition_list("99999999999").error, HasSubstr("not a valid"));
}

TEST(StaticAssignment, OrdinalRuleTakesEveryReplicasthPartition) {
  auto plan = plan_assignment(by_ordinal(1, 2), {"events", "audit"}, {{"events", 6}, {"audit", 3}});
  ASSERT_TRUE(plan.error.empty()) << plan.error;
  EXPECT_THAT(plan.partitions,
              ElementsAre(TopicPartition{"audit", 1}, TopicPartition{"events", 1},
                          TopicPartition{"events", 3}, TopicPartition{"events", 5}));
  EXPECT_TRUE(by_ordinal(0, 3).owns("x", 3));
  EXPECT_FALSE(by_ordinal(0, 3).owns("x", 4));
  EXPECT_FALSE(by_ordinal(0, 3).owns("x", -3));
}

TEST(StaticAssignment, TwoOrdinalsSplitSixteenPartitionsWithoutOverlap) {
  std::vector<int> owners(16, 0);
  for (std::uint32_t ordinal = 0; ordinal < 2; ++ordinal) {
    auto plan = plan_assignment(by_ordinal(ordinal, 2), {"events"}, {{"events", 16}});
    for (const auto& tp : plan.partitions) ++owners[static_cast<std::size_t>(tp.partition)];
  }
  EXPECT_EQ(owners, std::vector<int>(16, 1));
}

TEST(StaticAssignment, MissingTopicsAndPartitionsAreNamed) {
  auto missing_topic = plan_assignment(by_ordinal(0, 2), {"events"}, {{"other", 4}});
  EXPECT_THAT(missing_topic.error, HasSubstr("topic events does not exist"));

  StaticAssignment listed;
  listed.partitions = {{"events", {0, 1, 7}}};
  auto beyond = plan_assignment(listed, {"events"}, {{"events", 4}});
  EXPECT_THAT(beyond.error, HasSubstr("partition 7 of topic events does not exist"));
  EXPECT_THAT(beyond.error, HasSubstr("4 partitions"));
  EXPECT_THAT(beyond.error, HasSubstr("kafka.assign.topics.events"));

  auto fine = plan_assignment(listed, {"events"}, {{"events", 8}});
  ASSERT_TRUE(fine.error.empty());
  EXPECT_THAT(fine.partitions, ElementsAre(TopicPartition{"events", 0}, TopicPartition{"events", 1},
                                           TopicPartition{"events", 7}));
}

TEST(StaticAssignment, DescribesTheRule) {
  EXPECT_EQ(by_ordinal(1, 2).describe(),
            "ordinal 1 of 2: partition p of every topic where p % 2 == 1");
  EXPECT_EQ(by_ordinal(1, 2).rule_tag(), "1/2");
  StaticAssignment listed;
  listed.partitions = {{"events", {0, 1}}, {"audit", {3}}};
  EXPECT_EQ(listed.describe(), "listed: audit[3] events[0,1]");
  EXPECT_EQ(listed.rule_tag(), "listed");
}

}  // namespace
}  // namespace ks3::kafka

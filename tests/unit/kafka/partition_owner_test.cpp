// Owner tags of statically assigned partitions: encoding in front of the cut journal, decoding
// (never failing), and the decisions at start-up and while running.
#include "kafka/partition_owner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ks3::kafka {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

OwnerTag tag(std::string instance, std::string rule = "1/2", std::string host = "sink-1",
             std::int64_t at = 1'000'000) {
  return OwnerTag{std::move(instance), std::move(rule), std::move(host), at, false};
}

TEST(PartitionOwner, RoundTripsInFrontOfTheJournal) {
  OwnerTag owner = tag("0123456789abcdef");
  const std::string metadata = encode_owner(owner) + "ks3j1:10,20";
  EXPECT_EQ(metadata, "ks3o1:0123456789abcdef,1000000,l,1/2,sink-1;ks3j1:10,20");
  SplitMetadata split = split_owner(metadata);
  ASSERT_TRUE(split.owner);
  EXPECT_EQ(*split.owner, owner);
  EXPECT_EQ(split.rest, "ks3j1:10,20");

  owner.released = true;
  split = split_owner(encode_owner(owner));
  ASSERT_TRUE(split.owner);
  EXPECT_TRUE(split.owner->released);
  EXPECT_EQ(split.rest, "");
}

TEST(PartitionOwner, MetadataWithoutATagIsAllJournal) {
  SplitMetadata split = split_owner("ks3j1:5");
  EXPECT_FALSE(split.owner);
  EXPECT_EQ(split.rest, "ks3j1:5");
  EXPECT_FALSE(split_owner("").owner);
}

TEST(PartitionOwner, DamagedTagsDecodeAsNoOwner) {
  EXPECT_FALSE(split_owner("ks3o1:abc,12,l,1/2").owner);  // no end
  EXPECT_EQ(split_owner("ks3o1:abc,12,l,1/2").rest, "");
  EXPECT_FALSE(split_owner("ks3o1:abc,x,l,1/2,h;ks3j1:1").owner);
  EXPECT_EQ(split_owner("ks3o1:abc,x,l,1/2,h;ks3j1:1").rest, "ks3j1:1");
  EXPECT_FALSE(split_owner("ks3o1:abc,1,q,1/2,h;").owner);
  EXPECT_FALSE(split_owner("ks3o1:,1,l,1/2,h;").owner);
  EXPECT_FALSE(split_owner("ks3o1:a,1,l,1/2;").owner);
}

TEST(PartitionOwner, SeparatorsInHostNamesAreReplacedAndLengthIsBounded) {
  OwnerTag owner = tag("ab", "listed", "odd;host,name" + std::string(200, 'x'));
  const std::string encoded = encode_owner(owner);
  EXPECT_LT(encoded.size(), 120u);
  SplitMetadata split = split_owner(encoded + "ks3j1:1");
  ASSERT_TRUE(split.owner);
  EXPECT_EQ(split.owner->host.substr(0, 13), "odd_host_name");
  EXPECT_EQ(split.rest, "ks3j1:1");
}

TEST(PartitionOwner, StartUpDecisions) {
  const OwnerTag me = tag("me", "1/2", "sink-1");
  const std::int64_t now = 10'000'000;
  EXPECT_EQ(check_at_start(me, std::nullopt, now, 60s), StartOwnership::free);
  OwnerTag released = tag("other", "0/2", "sink-0", now - 1000);
  released.released = true;
  EXPECT_EQ(check_at_start(me, released, now, 60s), StartOwnership::released);
  // This pod's previous run (another process, same rule, same host).
  EXPECT_EQ(check_at_start(me, tag("old", "1/2", "sink-1", now - 1000), now, 60s),
            StartOwnership::predecessor);
  // A foreign owner that committed a moment ago: alive.
  EXPECT_EQ(check_at_start(me, tag("other", "0/2", "sink-0", now - 1000), now, 60s),
            StartOwnership::conflict);
  EXPECT_EQ(check_at_start(me, tag("other", "1/2", "elsewhere", now - 1000), now, 60s),
            StartOwnership::conflict);
  EXPECT_EQ(check_at_start(me, tag("other", "listed", "sink-1", now - 1000), now, 60s),
            StartOwnership::conflict);
  // Quiet for the takeover window: taken over.
  EXPECT_EQ(check_at_start(me, tag("other", "0/2", "sink-0", now - 60'000), now, 60s),
            StartOwnership::stale);
  // A commit "from the future" (clock skew) counts as recent.
  EXPECT_EQ(check_at_start(me, tag("other", "0/2", "sink-0", now + 5000), now, 60s),
            StartOwnership::conflict);
}

TEST(PartitionOwner, RunningDecision) {
  const OwnerTag me = tag("me");
  EXPECT_FALSE(overwritten_by_another(me, tag("me", "1/2", "sink-1", 5)));
  EXPECT_TRUE(overwritten_by_another(me, tag("other")));
  // No tag after our own commit: a consumer-group member or a tool committed since.
  EXPECT_TRUE(overwritten_by_another(me, std::nullopt));
}

TEST(PartitionOwner, DescribesOwners) {
  EXPECT_EQ(describe_owner(tag("abc", "0/2", "sink-0", 1'764'630'245'000)),
            "instance abc (rule 0/2 on host sink-0, committed 2025-12-01T23:04:05Z)");
  OwnerTag released = tag("abc", "0/2", "sink-0", 0);
  released.released = true;
  EXPECT_EQ(describe_owner(released), "instance abc (rule 0/2 on host sink-0, released)");
  EXPECT_THAT(describe_owner(std::nullopt), HasSubstr("no owner tag"));
}

}  // namespace
}  // namespace ks3::kafka

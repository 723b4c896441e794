// The bounded record key -> object key map of mode: mirror (server/mirror/key_map.hpp).
#include "server/mirror/key_map.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

TEST(MirrorKeyMap, RemembersTheLastObjectKeyPerTopicAndRecordKey) {
  MirrorKeyMap map(10);
  map.put("t", "k", "a.json", 1);
  map.put("t", "k", "b.json", 1);
  map.put("u", "k", "c.json", 2);
  EXPECT_EQ(map.find("t", "k"), "b.json");
  EXPECT_EQ(map.find("u", "k"), "c.json");
  EXPECT_FALSE(map.find("t", "other"));
  EXPECT_EQ(map.size(), 2u);
  map.erase("t", "k");
  EXPECT_FALSE(map.find("t", "k"));
  EXPECT_EQ(map.size(), 1u);
}

TEST(MirrorKeyMap, TopicAndKeyDoNotBlendIntoEachOther) {
  MirrorKeyMap map(10);
  map.put("ab", "c", "1", 1);
  map.put("a", "bc", "2", 1);
  EXPECT_EQ(map.find("ab", "c"), "1");
  EXPECT_EQ(map.find("a", "bc"), "2");
}

TEST(MirrorKeyMap, DropsTheLeastRecentlyChangedEntryPastItsBound) {
  MirrorKeyMap map(2);
  map.put("t", "a", "A", 1);
  map.put("t", "b", "B", 1);
  map.put("t", "a", "A2", 1);  // a is now the most recent
  map.put("t", "c", "C", 1);   // drops b
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.evictions(), 1u);
  EXPECT_FALSE(map.find("t", "b"));
  EXPECT_EQ(map.find("t", "a"), "A2");
  EXPECT_EQ(map.find("t", "c"), "C");
}

TEST(MirrorKeyMap, ForgetsARevokedPartitionsEntries) {
  MirrorKeyMap map(10);
  map.put("t", "a", "A", 1);
  map.put("t", "b", "B", 2);
  map.put("t", "c", "C", 1);
  map.forget_partition(1);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.find("t", "b"), "B");
  map.put("t", "a", "A", 3);  // still usable afterwards
  EXPECT_EQ(map.find("t", "a"), "A");
}

TEST(MirrorKeyMap, SizeZeroTurnsItOff) {
  MirrorKeyMap map(0);
  map.put("t", "a", "A", 1);
  EXPECT_FALSE(map.find("t", "a"));
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace ks3::server

// The mirror's key log (server/mirror/key_log.hpp): names, the binary-safe body, and the pure
// decisions of what a load reads and what a collection deletes.
#include "server/mirror/key_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ks3::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

KeyLogEntry put(std::string key, std::string object) {
  return KeyLogEntry{std::move(key), std::move(object)};
}
KeyLogEntry erase(std::string key) {
  return KeyLogEntry{std::move(key), std::nullopt};
}

TEST(MirrorKeyLog, NamesSortByOffsetAndParseBack) {
  const std::string folder = key_log_folder("docs/", "edfi.dms.document", 3);
  EXPECT_EQ(folder, "docs/_ks3/mirror/keys/edfi.dms.document/3/");
  const std::string key = key_log_key(folder, KeyLogKind::delta, 4711);
  EXPECT_EQ(key, folder + "deltas/00000000000000004711");
  EXPECT_EQ(key_log_key(folder, KeyLogKind::snapshot, 9),
            folder + "snapshots/00000000000000000009");
  const std::string deltas = key_log_subfolder(folder, KeyLogKind::delta);
  EXPECT_EQ(parse_key_log_key(deltas, key), 4711);
  EXPECT_LT(key_log_key(folder, KeyLogKind::delta, 999),
            key_log_key(folder, KeyLogKind::delta, 1000));
  EXPECT_FALSE(parse_key_log_key(deltas, deltas + "4711"));
  EXPECT_FALSE(parse_key_log_key(deltas, deltas + "0000000000000000471x"));
  EXPECT_FALSE(parse_key_log_key(deltas, deltas + "00000000000000004711.tmp"));
  EXPECT_FALSE(parse_key_log_key(deltas, folder + "snapshots/00000000000000004711"));
}

TEST(MirrorKeyLog, ADeltaRoundTripsAnyKeyBytes) {
  KeyLogBody delta;
  delta.kind = KeyLogKind::delta;
  delta.partition = 2;
  delta.first = 100;
  delta.end = 250;
  // Record keys are bytes: newlines, spaces, NUL and an empty key survive.
  delta.entries = {put("{\"id\":1}", "Ed-Fi/Student/a.json"), erase(std::string("a\nb \0c", 6)),
                   put("", "x"), put("k", "")};
  const std::string bytes = encode_key_log(delta);
  EXPECT_TRUE(bytes.starts_with("ks3-mirror-keys 1 delta 2 100 250 4\n")) << bytes;
  KeyLogDecoded decoded = decode_key_log(bytes);
  ASSERT_TRUE(decoded.body) << decoded.error;
  EXPECT_EQ(decoded.body->kind, KeyLogKind::delta);
  EXPECT_EQ(decoded.body->partition, 2);
  EXPECT_EQ(decoded.body->first, 100);
  EXPECT_EQ(decoded.body->end, 250);
  EXPECT_EQ(decoded.body->entries, delta.entries);
}

TEST(MirrorKeyLog, ASnapshotRoundTripsAndHasNoErases) {
  KeyLogBody snapshot;
  snapshot.kind = KeyLogKind::snapshot;
  snapshot.partition = 0;
  snapshot.first = -1;
  snapshot.end = 7;
  snapshot.entries = {put("1", "a.json"), put("2", "b.json")};
  KeyLogDecoded decoded = decode_key_log(encode_key_log(snapshot));
  ASSERT_TRUE(decoded.body) << decoded.error;
  EXPECT_EQ(decoded.body->kind, KeyLogKind::snapshot);
  EXPECT_EQ(decoded.body->entries, snapshot.entries);
  snapshot.entries.push_back(erase("3"));
  EXPECT_THAT(decode_key_log(encode_key_log(snapshot)).error, HasSubstr("erase in a snapshot"));
}

TEST(MirrorKeyLog, DecodingRefusesDamageAndNewerVersionsByName) {
  KeyLogBody delta;
  delta.first = 0;
  delta.end = 5;
  delta.entries = {put("key", "object.json"), erase("gone")};
  const std::string good = encode_key_log(delta);
  ASSERT_TRUE(decode_key_log(good).body);
  EXPECT_THAT(decode_key_log("{\"version\":1}").error, HasSubstr("not a mirror key log"));
  std::string newer = good;
  newer.replace(newer.find(" 1 "), 3, " 2 ");
  EXPECT_THAT(decode_key_log(newer).error, HasSubstr("newer kafka-s3-sink"));
  EXPECT_THAT(decode_key_log(good.substr(0, good.size() - 3)).error, HasSubstr("truncated"));
  EXPECT_THAT(decode_key_log(good + "x").error, HasSubstr("after the last entry"));
  std::string more = good;
  more.replace(more.find(" 2\n"), 3, " 3\n");
  EXPECT_FALSE(decode_key_log(more).body);
  std::string backwards = good;
  backwards.replace(backwards.find(" 0 5 "), 5, " 5 5 ");
  EXPECT_THAT(decode_key_log(backwards).error, HasSubstr("offsets"));
  std::string huge = "ks3-mirror-keys 1 delta 0 0 5 999999999999\n";
  EXPECT_THAT(decode_key_log(huge).error, HasSubstr("more entries"));
}

TEST(MirrorKeyLog, ALoadReadsTheNewestCommittedSnapshotThenTheDeltasUpToTheCommit) {
  const std::vector<std::int64_t> snapshots{100, 300, 500};
  const std::vector<std::int64_t> deltas{50, 100, 150, 280, 310, 350, 420, 520, 600};
  // Committed 450: snapshot 300 (500 is not committed yet), deltas (300, 450].
  KeyLogLoadPlan plan = plan_key_log_load(snapshots, deltas, 450);
  EXPECT_EQ(plan.snapshot, 300);
  EXPECT_THAT(plan.deltas, ElementsAre(310, 350, 420));
  // Deltas past the commit were written by a run that crashed before committing them: their
  // records are replayed, so they must not be applied ahead of them.
  plan = plan_key_log_load(snapshots, deltas, 99);
  EXPECT_FALSE(plan.snapshot);
  EXPECT_THAT(plan.deltas, ElementsAre(50));
  // No commit (a new group): everything known.
  plan = plan_key_log_load(snapshots, deltas, -1);
  EXPECT_EQ(plan.snapshot, 500);
  EXPECT_THAT(plan.deltas, ElementsAre(520, 600));
  plan = plan_key_log_load({}, {}, 10);
  EXPECT_FALSE(plan.snapshot);
  EXPECT_THAT(plan.deltas, IsEmpty());
}

TEST(MirrorKeyLog, CollectionKeepsWhatALoadAtTheCommitOrLaterNeeds) {
  const std::vector<std::int64_t> snapshots{100, 300, 500};
  const std::vector<std::int64_t> deltas{50, 100, 150, 280, 310, 350, 420, 520};
  KeyLogGarbage garbage = plan_key_log_gc(snapshots, deltas, 450);
  EXPECT_THAT(garbage.snapshots, ElementsAre(100));
  EXPECT_THAT(garbage.deltas, ElementsAre(50, 100, 150, 280));
  // Whatever is collected, a load at this commit or a later one reads the same.
  for (std::int64_t committed : {450, 499, 500, 600}) {
    std::vector<std::int64_t> kept_snapshots{300, 500};
    std::vector<std::int64_t> kept_deltas{310, 350, 420, 520};
    KeyLogLoadPlan before = plan_key_log_load(snapshots, deltas, committed);
    KeyLogLoadPlan after = plan_key_log_load(kept_snapshots, kept_deltas, committed);
    EXPECT_EQ(before.snapshot, after.snapshot) << committed;
    EXPECT_EQ(before.deltas, after.deltas) << committed;
  }
  EXPECT_THAT(plan_key_log_gc(snapshots, deltas, 99).deltas, IsEmpty());
  EXPECT_THAT(plan_key_log_gc(snapshots, deltas, -1).deltas, IsEmpty());
}

TEST(MirrorKeyLog, NetChangesKeepEachKeysLastChangeInOrder) {
  auto net =
      net_key_changes({put("a", "1"), put("b", "2"), erase("a"), put("c", "3"), put("b", "4")});
  EXPECT_THAT(net, ElementsAre(erase("a"), put("c", "3"), put("b", "4")));
}

}  // namespace
}  // namespace ks3::server

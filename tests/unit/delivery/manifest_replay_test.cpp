#include "server/delivery/manifest_replay.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ks3::server {
namespace {

using Cuts = std::vector<std::int64_t>;

TEST(ManifestReplay, CutsAfterTheStartFromBothBoundaries) {
  // Listing order is offset order, but the decision does not rely on it.
  std::vector<ManifestName> names{{20, 35}, {0, 10}, {10, 20}};
  auto d = decide_replay(names, {}, 10);
  EXPECT_EQ(d.cuts, (Cuts{20, 35})) << "cuts at or before the start do not matter";
  EXPECT_EQ(d.overlapping, 0u);
  d = decide_replay(names, {}, -1);
  EXPECT_EQ(d.cuts, (Cuts{0, 10, 20, 35})) << "no commit: every recorded cut";
}

TEST(ManifestReplay, AMissingManifestStillCutsAtTheNextOnesStart) {
  // [10, 20) was never written (a crash before its PUT: its objects never completed); the
  // objects of [20, 35) start at 20 and must be cut there again.
  std::vector<ManifestName> names{{0, 10}, {20, 35}};
  EXPECT_EQ(decide_replay(names, {}, 0).cuts, (Cuts{10, 20, 35}));
}

TEST(ManifestReplay, DisagreeingRunsGiveTheUnionOfTheirCuts) {
  // One run cut at 50, another (other rotation settings) at 30 and 60.
  std::vector<ManifestName> names{{0, 50}, {0, 30}, {30, 60}, {50, 80}};
  auto d = decide_replay(names, {}, 0);
  EXPECT_EQ(d.cuts, (Cuts{30, 50, 60, 80}));
  EXPECT_EQ(d.overlapping, 3u) << "[0,50) holds 30, [30,60) holds 50, [50,80) holds 60";
}

TEST(ManifestReplay, S3WinsOverTheJournal) {
  std::vector<ManifestName> names{{100, 120}, {120, 130}};
  std::vector<std::int64_t> journal{95, 120, 125, 140};
  auto d = decide_replay(names, journal, 100);
  EXPECT_EQ(d.cuts, (Cuts{120, 130}));
  EXPECT_EQ(d.journal_only, (Cuts{125, 140})) << "journal cuts no manifest records are dropped";
}

TEST(ManifestReplay, NothingRecorded) {
  auto d = decide_replay({}, {}, 42);
  EXPECT_TRUE(d.cuts.empty());
  EXPECT_EQ(d.overlapping, 0u);
  EXPECT_TRUE(d.journal_only.empty());
}

}  // namespace
}  // namespace ks3::server

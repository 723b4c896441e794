// The mirror's planner (server/mirror/planner.hpp): coalescing, per-key order, the commit
// watermark, move detection and delete resolution, without any I/O.
#include "server/mirror/planner.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace ks3::server {
namespace {

MirrorChange upsert(std::string record_key, std::string object_key, std::string body) {
  MirrorChange c;
  c.kind = MirrorChangeKind::upsert;
  c.record_key = std::move(record_key);
  c.object_key = std::move(object_key);
  c.body = std::make_shared<const std::string>(std::move(body));
  return c;
}

MirrorChange remove(std::optional<std::string> record_key, std::string object_key = "") {
  MirrorChange c;
  c.kind = MirrorChangeKind::remove;
  c.record_key = std::move(record_key);
  c.object_key = std::move(object_key);
  return c;
}

struct Planner : ::testing::Test {
  MirrorPlanner planner{100, MirrorDeletes::remove};
  std::uint64_t p = planner.assign("t", 0, -1);
};

TEST_F(Planner, AWriteIsCommittedOnlyOnceDurable) {
  auto outcome = planner.add(p, 0, upsert("k", "a.json", "v0"));
  EXPECT_EQ(outcome.requests, 1u);
  auto request = planner.next_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->action, MirrorAction::put);
  EXPECT_EQ(request->object_key, "a.json");
  EXPECT_EQ(*request->body, "v0");
  EXPECT_EQ(request->topic, "t");
  EXPECT_EQ(planner.watermark(p), 0);
  EXPECT_FALSE(planner.settled(p));
  planner.completed(request->id);
  EXPECT_TRUE(planner.settled(p));
  EXPECT_EQ(planner.commit_due(p), 1);
  planner.committed(p, 1);
  EXPECT_FALSE(planner.commit_due(p));
}

TEST_F(Planner, ChangesOfOneKeyWaitingTogetherCoalesceIntoOneRequest) {
  planner.add(p, 0, upsert("k", "a.json", "v0"));
  EXPECT_EQ(planner.add(p, 1, upsert("k", "a.json", "v1")).coalesced, 1u);
  EXPECT_EQ(planner.add(p, 2, upsert("k", "a.json", "v2")).coalesced, 1u);
  EXPECT_EQ(planner.waiting_requests(), 1u);
  auto request = planner.next_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(*request->body, "v2");
  EXPECT_FALSE(planner.next_request());
  planner.completed(request->id);
  EXPECT_EQ(planner.commit_due(p), 3);  // the replaced changes are done with the last one
}

TEST_F(Planner, AKeysRequestsGoOutOneAtATimeInOffsetOrder) {
  planner.add(p, 0, upsert("k", "a.json", "v0"));
  auto first = planner.next_request();
  ASSERT_TRUE(first);
  planner.add(p, 1, remove(std::string("k"), "a.json"));
  EXPECT_FALSE(planner.next_request()) << "a second request of a.json while one is in flight";
  planner.add(p, 2, upsert("k", "a.json", "v2"));  // replaces the waiting delete
  EXPECT_EQ(planner.commit_due(p), 0);
  planner.completed(first->id);
  EXPECT_EQ(planner.commit_due(p), 1);
  auto second = planner.next_request();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->action, MirrorAction::put);
  EXPECT_EQ(*second->body, "v2");
  planner.completed(second->id);
  EXPECT_EQ(planner.commit_due(p), 3);
}

TEST_F(Planner, DifferentKeysGoOutInParallelAndTheWatermarkWaitsForTheOldest) {
  planner.add(p, 0, upsert("a", "a.json", "A"));
  planner.add(p, 1, upsert("b", "b.json", "B"));
  planner.add(p, 2, upsert("c", "c.json", "C"));
  auto a = planner.next_request();
  auto b = planner.next_request();
  auto c = planner.next_request();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(planner.in_flight_requests(), 3u);
  planner.completed(c->id);
  planner.completed(b->id);
  EXPECT_EQ(planner.watermark(p), 0) << "offset 0 is not durable yet";
  planner.completed(a->id);
  EXPECT_EQ(planner.watermark(p), 3);
}

TEST_F(Planner, AMovedDocumentDeletesItsOldObject) {
  planner.add(p, 0, upsert("k", "Student/u1.json", "v0"));
  planner.completed(planner.next_request()->id);
  auto outcome = planner.add(p, 1, upsert("k", "School/u1.json", "v1"));
  EXPECT_TRUE(outcome.moved);
  EXPECT_EQ(outcome.requests, 2u);
  std::map<std::string, MirrorAction> requests;
  while (auto r = planner.next_request()) {
    requests[r->object_key] = r->action;
    planner.completed(r->id);
  }
  EXPECT_EQ(requests.at("Student/u1.json"), MirrorAction::remove);
  EXPECT_EQ(requests.at("School/u1.json"), MirrorAction::put);
  EXPECT_EQ(planner.commit_due(p), 2);
}

TEST_F(Planner, AMoveBeforeTheFirstWriteWasSentNeverWritesTheOldObject) {
  planner.add(p, 0, upsert("k", "A.json", "v0"));
  planner.add(p, 1, upsert("k", "B.json", "v1"));
  std::map<std::string, MirrorAction> requests;
  while (auto r = planner.next_request()) requests[r->object_key] = r->action;
  EXPECT_EQ(requests.at("A.json"), MirrorAction::remove);  // the waiting PUT was replaced
  EXPECT_EQ(requests.at("B.json"), MirrorAction::put);
}

TEST_F(Planner, ATombstoneFindsItsObjectThroughTheKeyMap) {
  planner.add(p, 0, upsert("k", "Student/u1.json", "v0"));
  planner.completed(planner.next_request()->id);
  auto outcome = planner.add(p, 1, remove(std::string("k")));  // a tombstone names no object
  EXPECT_FALSE(outcome.unresolved);
  auto request = planner.next_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->action, MirrorAction::remove);
  EXPECT_EQ(request->object_key, "Student/u1.json");
  planner.completed(request->id);
  // The tombstone after a "__deleted" row: already gone, nothing to send, still committed.
  outcome = planner.add(p, 2, remove(std::string("k")));
  EXPECT_TRUE(outcome.unresolved);
  EXPECT_EQ(outcome.requests, 0u);
  EXPECT_FALSE(planner.next_request());
  EXPECT_EQ(planner.commit_due(p), 3);
}

TEST_F(Planner, ADeletedRowDeletesTheObjectItNamesAndAStaleMappedOne) {
  planner.add(p, 0, upsert("k", "A.json", "v0"));
  planner.completed(planner.next_request()->id);
  auto outcome = planner.add(p, 1, remove(std::string("k"), "A.json"));
  EXPECT_EQ(outcome.requests, 1u);  // the map agrees: one request
  planner.completed(planner.next_request()->id);
  planner.add(p, 2, upsert("k", "A.json", "v2"));
  planner.completed(planner.next_request()->id);
  outcome = planner.add(p, 3, remove(std::string("k"), "B.json"));
  EXPECT_EQ(outcome.requests, 2u);  // B named by the row, A known from the map
}

TEST(MirrorPlannerMarkers, DeletesBecomeMarkerObjects) {
  MirrorPlanner planner(100, MirrorDeletes::marker);
  const auto p = planner.assign("t", 3, 10);
  planner.add(p, 10, remove(std::string("k"), "A.json"));
  auto request = planner.next_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->action, MirrorAction::marker);
  EXPECT_EQ(*request->body,
            R"({"__deleted":true,"topic":"t","partition":3,"offset":10,"key":"k"})");
}

TEST(MirrorPlannerBounds, PastTheKeyMapBoundATombstoneIsUnresolved) {
  MirrorPlanner planner(2, MirrorDeletes::remove);
  const auto p = planner.assign("t", 0, -1);
  for (int i = 0; i < 3; ++i) {
    planner.add(p, i, upsert("k" + std::to_string(i), "o" + std::to_string(i), "v"));
  }
  EXPECT_EQ(planner.key_map().evictions(), 1u);
  EXPECT_TRUE(planner.add(p, 3, remove(std::string("k0"))).unresolved);
  EXPECT_FALSE(planner.add(p, 4, remove(std::string("k2"))).unresolved);
}

TEST_F(Planner, RecordsWithoutAChangeStillAdvanceTheWatermark) {
  planner.add(p, 5, MirrorChange{});
  EXPECT_EQ(planner.commit_due(p), 6);
  planner.add(p, 6, remove(std::nullopt));  // a tombstone with a null key
  EXPECT_EQ(planner.commit_due(p), 7);
}

TEST_F(Planner, ARevokedPartitionIsForgotten) {
  planner.add(p, 0, upsert("k", "A.json", "v0"));
  auto request = planner.next_request();
  planner.revoke(p);
  planner.completed(request->id);  // late completion: ignored
  EXPECT_FALSE(planner.commit_due(p));
  EXPECT_EQ(planner.key_map().size(), 0u);
  const auto again = planner.assign("t", 0, 0);
  EXPECT_TRUE(planner.add(again, 1, remove(std::string("k"))).unresolved);
}

TEST_F(Planner, HeldBytesCountWaitingAndInFlightBodies) {
  planner.add(p, 0, upsert("a", "A", std::string(100, 'x')));
  planner.add(p, 1, upsert("a", "A", std::string(40, 'x')));  // replaces the 100 bytes
  EXPECT_EQ(planner.held_bytes(), 40u);
  auto r = planner.next_request();
  planner.add(p, 2, upsert("a", "A", std::string(10, 'x')));
  EXPECT_EQ(planner.held_bytes(), 50u);
  planner.completed(r->id);
  planner.completed(planner.next_request()->id);
  EXPECT_EQ(planner.held_bytes(), 0u);
}

// A model check: random upserts and deletes over a few keys and two partitions, requests
// completed in random order (at most 3 in flight); applying requests in completion order to a
// map must give the state of the last change per key, and in the end every record is
// committable.
TEST(MirrorPlannerModel, RandomTrafficConvergesToTheLastChangePerKey) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    MirrorPlanner planner(1000, MirrorDeletes::remove);
    const std::uint64_t parts[2] = {planner.assign("t", 0, -1), planner.assign("t", 1, -1)};
    std::int64_t next[2] = {0, 0};
    std::map<std::string, std::string> bucket, expected;
    std::vector<MirrorRequest> flying;
    auto apply = [&](const MirrorRequest& r) {
      if (r.action == MirrorAction::remove) {
        bucket.erase(r.object_key);
      } else {
        bucket[r.object_key] = *r.body;
      }
    };
    for (int step = 0; step < 400; ++step) {
      const int choice = static_cast<int>(rng() % 10);
      if (choice < 6) {
        const int part = static_cast<int>(rng() % 2);
        // Keys hash to a partition, as Kafka's partitioner does.
        const std::string key = "k" + std::to_string(static_cast<int>(rng() % 5) * 2 + part);
        const std::string object = key + ".json";
        const std::int64_t offset = next[part]++;
        if (rng() % 4 == 0) {
          planner.add(parts[part], offset, remove(key, rng() % 2 ? object : ""));
          expected.erase(object);
        } else {
          const std::string body = key + "@" + std::to_string(offset);
          planner.add(parts[part], offset, upsert(key, object, body));
          expected[object] = body;
        }
      } else if (choice < 8) {
        if (flying.size() < 3) {
          if (auto r = planner.next_request()) flying.push_back(*r);
        }
      } else if (!flying.empty()) {
        const std::size_t i = rng() % flying.size();
        apply(flying[i]);
        planner.completed(flying[i].id);
        flying.erase(flying.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    for (;;) {
      while (flying.size() < 3) {
        auto r = planner.next_request();
        if (!r) break;
        flying.push_back(*r);
      }
      if (flying.empty()) break;
      const std::size_t i = rng() % flying.size();
      apply(flying[i]);
      planner.completed(flying[i].id);
      flying.erase(flying.begin() + static_cast<std::ptrdiff_t>(i));
    }
    EXPECT_EQ(bucket, expected) << "round " << round;
    EXPECT_EQ(planner.commit_due(parts[0]), next[0]);
    EXPECT_EQ(planner.commit_due(parts[1]), next[1]);
  }
}

}  // namespace
}  // namespace ks3::server

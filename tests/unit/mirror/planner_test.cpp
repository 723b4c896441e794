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

TEST_F(Planner, ARevokeDropsThePartitionsWaitingChanges) {
  // A change sent after the revoke could land after the next owner's write of the same key.
  planner.add(p, 0, upsert("k", "A.json", "v0"));
  auto in_flight = planner.next_request();
  planner.add(p, 1, upsert("k", "A.json", "v1"));  // waits behind v0
  planner.add(p, 2, upsert("j", "B.json", "w"));   // ready, never started
  EXPECT_EQ(planner.waiting_requests(), 2u);
  planner.revoke(p);
  EXPECT_EQ(planner.waiting_requests(), 0u);
  EXPECT_EQ(planner.held_bytes(), 2u);  // v0, still in flight
  EXPECT_FALSE(planner.next_request());
  planner.completed(in_flight->id);
  EXPECT_FALSE(planner.next_request());
  EXPECT_EQ(planner.held_bytes(), 0u);
}

TEST_F(Planner, ARevokeKeepsAWaitingChangeThatAnotherPartitionStillNeeds) {
  const auto q = planner.assign("t", 1, -1);
  planner.add(q, 0, upsert("k", "A.json", "from q"));
  auto in_flight = planner.next_request();
  planner.add(q, 1, upsert("k", "A.json", "q again"));
  planner.add(p, 0, upsert("j", "A.json", "from p"));  // the same object: replaces q's change
  planner.revoke(p);
  planner.completed(in_flight->id);
  auto request = planner.next_request();
  ASSERT_TRUE(request) << "q's offset 1 would never be done";
  planner.completed(request->id);
  EXPECT_EQ(planner.commit_due(q), 2);
}

TEST(MirrorPlannerKeyLog, KeyChangesAreTakenOncePerCommitAsNetChanges) {
  MirrorPlanner planner(100, MirrorDeletes::remove, true);
  const auto p = planner.assign("t", 0, 10);
  planner.add(p, 10, upsert("a", "A1", "x"));
  planner.add(p, 11, upsert("a", "A1", "y"));  // the same object: no key change
  planner.add(p, 12, upsert("b", "B", "x"));
  planner.add(p, 13, upsert("a", "A2", "z"));  // a move
  planner.add(p, 14, remove(std::string("b")));
  planner.add(p, 15, upsert("c", "C", "x"));
  KeyLogBody delta = planner.take_key_changes(p, 15);
  EXPECT_EQ(delta.kind, KeyLogKind::delta);
  EXPECT_EQ(delta.first, 10);
  EXPECT_EQ(delta.end, 15);
  EXPECT_EQ(delta.entries, (std::vector<KeyLogEntry>{{"a", "A2"}, {"b", std::nullopt}}));
  EXPECT_TRUE(planner.take_key_changes(p, 15).entries.empty()) << "taken once";
  delta = planner.take_key_changes(p, 16);
  EXPECT_EQ(delta.first, 15);
  EXPECT_EQ(delta.entries, (std::vector<KeyLogEntry>{{"c", "C"}}));
  std::optional<KeyLogBody> snapshot = planner.key_snapshot(p);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->end, 16);
  EXPECT_EQ(snapshot->entries, (std::vector<KeyLogEntry>{{"a", "A2"}, {"c", "C"}}));
  // Without the key log nothing is kept.
  MirrorPlanner off(100, MirrorDeletes::remove);
  const auto q = off.assign("t", 0, -1);
  off.add(q, 0, upsert("a", "A", "x"));
  EXPECT_TRUE(off.take_key_changes(q, 1).entries.empty());
}

TEST(MirrorPlannerKeyLog, LoadedKeysResolveTombstonesAndMovesWithoutBeingLoggedAgain) {
  MirrorPlanner planner(100, MirrorDeletes::remove, true);
  const auto p = planner.assign("t", 0, 50);
  planner.load_keys(p, {{"gone", "G.json"}, {"moves", "M1.json"}, {"x", "X"}, {"x", std::nullopt}});
  EXPECT_EQ(planner.key_map().size(), 2u);
  auto outcome = planner.add(p, 50, remove(std::string("gone")));
  EXPECT_FALSE(outcome.unresolved);
  auto request = planner.next_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->action, MirrorAction::remove);
  EXPECT_EQ(request->object_key, "G.json");
  EXPECT_TRUE(planner.add(p, 51, upsert("moves", "M2.json", "v")).moved);
  EXPECT_EQ(planner.next_request()->object_key, "M1.json");
  EXPECT_EQ(planner.take_key_changes(p, 52).entries,
            (std::vector<KeyLogEntry>{{"gone", std::nullopt}, {"moves", "M2.json"}}));
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

// A model check of the key log across crashes: random traffic of two partitions with moves
// (a record key's object changes) and tombstone-only deletes (the object is found through the
// key map only), requests completed in random order, deltas written before each commit and
// snapshots and collections at random, some commits lost after their delta. Two runs crash at
// random points (some requests in flight land, the others never do, uncommitted records are
// replayed by the next run, which loads the key maps as MirrorSink does); the bucket must end with
// exactly the last state of every document. Without the key log (load skipped) the tombstones and
// moves of documents written before a crash leave objects behind, which this check catches.
struct KeyLogModel {
  struct Record {
    std::string key;
    std::optional<std::string> object;  // nullopt: a tombstone
    std::string body;
  };
  std::mt19937 rng;
  std::vector<Record> records[2];
  std::map<std::int64_t, std::string> deltas[2], snapshots[2];
  std::map<std::string, std::string> bucket;
  std::int64_t committed[2] = {-1, -1};

  explicit KeyLogModel(unsigned seed) : rng(seed) {
    for (int part = 0; part < 2; ++part) {
      for (int i = 0; i < 150; ++i) {
        // 20 documents per partition, each created early, changed, moved and deleted later at
        // random: many deletes and moves meet a document last written by an earlier run.
        const int n = i < 20 ? i : static_cast<int>(rng() % 20);
        const std::string key = "k" + std::to_string(n * 2 + part);
        if (i >= 20 && rng() % 4 == 0) {
          records[part].push_back({key, std::nullopt, ""});
        } else {
          // Two possible objects per key: switching between them is a move.
          const std::string object = key + (i >= 20 && rng() % 3 == 0 ? "-b" : "-a") + ".json";
          records[part].push_back({key, object, key + "@" + std::to_string(i)});
        }
      }
    }
  }

  std::map<std::string, std::string> expected() const {
    std::map<std::string, std::string> out, where;
    for (const auto& part : records) {
      for (const Record& r : part) {
        if (auto it = where.find(r.key); it != where.end()) out.erase(it->second);
        where.erase(r.key);
        if (r.object) {
          out[*r.object] = r.body;
          where[r.key] = *r.object;
        }
      }
    }
    return out;
  }

  // One run from the committed offsets; stops after `steps` steps (a crash) or at the end.
  void run(std::optional<int> steps, bool load) {
    MirrorPlanner planner(1000, MirrorDeletes::remove, true);
    std::uint64_t ids[2];
    std::int64_t next[2];
    for (int part = 0; part < 2; ++part) {
      ids[part] = planner.assign("t", part, committed[part]);
      next[part] = std::max<std::int64_t>(committed[part], 0);
      std::vector<std::int64_t> s, d;
      for (const auto& [at, body] : snapshots[part]) s.push_back(at);
      for (const auto& [end, body] : deltas[part]) d.push_back(end);
      const KeyLogLoadPlan plan = plan_key_log_load(s, d, committed[part]);
      if (!load) continue;
      if (plan.snapshot) {
        planner.load_keys(ids[part], decode_key_log(snapshots[part][*plan.snapshot]).body->entries);
      }
      for (std::int64_t end : plan.deltas) {
        planner.load_keys(ids[part], decode_key_log(deltas[part][end]).body->entries);
      }
    }
    std::vector<MirrorRequest> flying;
    auto land = [&](std::size_t i) {
      const MirrorRequest& r = flying[i];
      if (r.action == MirrorAction::remove) {
        bucket.erase(r.object_key);
      } else {
        bucket[r.object_key] = *r.body;
      }
      planner.completed(r.id);
      flying.erase(flying.begin() + static_cast<std::ptrdiff_t>(i));
    };
    auto commit = [&](int part, bool may_be_lost = true) {
      auto due = planner.commit_due(ids[part]);
      if (!due) return;
      KeyLogBody delta = planner.take_key_changes(ids[part], *due);
      if (!delta.entries.empty()) deltas[part][*due] = encode_key_log(delta);
      if (may_be_lost && rng() % 6 == 0)
        return;  // the commit is lost (a delta past the commit stays)
      planner.committed(ids[part], *due);
      committed[part] = *due;
    };
    for (int step = 0; !steps || step < *steps; ++step) {
      const int part = static_cast<int>(rng() % 2);
      const int choice = static_cast<int>(rng() % 12);
      const bool more = next[0] < 150 || next[1] < 150;
      if (choice < 5 && next[part] < 150) {
        const Record& r = records[part][static_cast<std::size_t>(next[part])];
        MirrorChange change = r.object ? upsert(r.key, *r.object, r.body) : remove(r.key);
        planner.add(ids[part], next[part]++, std::move(change));
      } else if (choice < 7) {
        if (flying.size() < 4) {
          if (auto r = planner.next_request()) flying.push_back(*r);
        }
      } else if (choice < 9 && !flying.empty()) {
        land(rng() % flying.size());
      } else if (choice < 11) {
        commit(part);
      } else if (auto snapshot = planner.key_snapshot(ids[part])) {
        snapshots[part][snapshot->end] = encode_key_log(*snapshot);
        std::vector<std::int64_t> s, d;
        for (const auto& [at, body] : snapshots[part]) s.push_back(at);
        for (const auto& [end, body] : deltas[part]) d.push_back(end);
        const KeyLogGarbage garbage = plan_key_log_gc(s, d, committed[part]);
        for (std::int64_t at : garbage.snapshots) snapshots[part].erase(at);
        for (std::int64_t end : garbage.deltas) deltas[part].erase(end);
      }
      if (!steps && !more && flying.empty() && planner.waiting_requests() == 0) break;
    }
    if (steps) {
      // The crash: some requests had reached S3, the others never will.
      for (std::size_t i = flying.size(); i-- > 0;) {
        if (rng() % 2) land(i);
      }
      return;
    }
    commit(0, false);
    commit(1, false);
  }
};

TEST(MirrorPlannerModel, TheKeyLogMakesCrashesConvergeWithTombstonesAndMoves) {
  int without_log_failures = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    for (bool load : {true, false}) {
      KeyLogModel model(seed);
      model.run(static_cast<int>(model.rng() % 500) + 150, load);
      model.run(static_cast<int>(model.rng() % 500) + 150, load);
      model.run(std::nullopt, load);
      EXPECT_EQ(model.committed[0], 150);
      EXPECT_EQ(model.committed[1], 150);
      if (load) {
        EXPECT_EQ(model.bucket, model.expected()) << "seed " << seed;
      } else if (model.bucket != model.expected()) {
        ++without_log_failures;
      }
    }
  }
  // The check can fail: without loading the key log most runs leave objects behind.
  EXPECT_GT(without_log_failures, 20);
}

}  // namespace
}  // namespace ks3::server

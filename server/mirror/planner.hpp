// The mirror's planner (mode: mirror): records' changes in, S3 requests out, and the offset each
// partition may commit. Pure: no I/O, no clock; the shell (mirror_sink.hpp) sends the requests
// and reports them durable. See README "Landing Ed-Fi DMS documents" and docs/DESIGN.md.
//
// Rules:
//  - Per object key at most one request is in flight, and requests of a key start in the order
//    of the records (offset order within a partition): S3 sees a key's PUTs and DELETEs in
//    order even though requests of different keys run in parallel.
//  - Changes of a key that arrive while an earlier one waits (not yet sent) replace it: only
//    the latest state of the key is sent (coalescing: several changes, one request).
//  - A record is done when every request carrying it (or carrying a later change that replaced
//    it) is durable. A partition commits up to its first record not done (the watermark):
//    never past a write or delete that is not durable.
//  - Move detection: an upsert whose record key last went to another object key deletes that
//    object (the bounded key map, key_map.hpp). A delete removes the object named by the
//    record and the one the key map knows for its record key (a tombstone names none itself).
//  - Replays converge: PUT and DELETE of a key are idempotent, and a replay applies the same
//    changes in the same per-key order.
//  - Key log (mirror.key_log, key_log.hpp): the key map changes of a partition's records are
//    kept until the shell takes them as a delta (for the records before the offset it is about
//    to commit) and writes it to S3 before that commit; on assignment the shell loads the
//    partition's map back (load_keys) before its first record.
//  - A revoked partition's changes that wait (not yet sent) are dropped: the next owner replays
//    them, and sending them later could overwrite its newer writes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/config/mirror_settings.hpp"
#include "server/mirror/key_log.hpp"
#include "server/mirror/key_map.hpp"
#include "server/mirror/mirror_change.hpp"

namespace ks3::server {

enum class MirrorAction {
  put,     // PutObject of a document
  remove,  // DeleteObject
  marker,  // PutObject of a delete marker (mirror.deletes: marker)
};

struct MirrorRequest {
  std::uint64_t id = 0;
  MirrorAction action = MirrorAction::put;
  std::string object_key;
  std::shared_ptr<const std::string> body;  // put and marker
  std::string topic;                        // of the latest change it carries (metrics)
};

// What planning one record did (for metrics and logs).
struct MirrorPlanOutcome {
  std::size_t requests = 0;   // requests queued for it
  std::size_t coalesced = 0;  // waiting changes it replaced
  bool moved = false;         // its document's object key changed: the old object is deleted
  bool unresolved = false;    // a delete whose object could not be found
};

class MirrorPlanner {
 public:
  // `key_log`: keep the key map changes for take_key_changes (else they are not recorded).
  MirrorPlanner(std::size_t key_map_capacity, MirrorDeletes deletes, bool key_log = false);

  // A partition assigned to this sink; consumption starts at `committed_offset` (-1: none yet,
  // the first record decides). Returns the id used by the calls below (never reused).
  std::uint64_t assign(std::string topic, std::int32_t partition, std::int64_t committed_offset);
  // Forgets the partition: its progress and its key map entries (another instance may own its
  // documents next). Its waiting changes are dropped (unless a change of another partition
  // replaced into them); requests in flight go on, their completion is ignored.
  void revoke(std::uint64_t partition_id);

  // Key log: puts (or erases) entries of the partition's map as loaded from S3, before its
  // first record; they are not recorded as changes.
  void load_keys(std::uint64_t partition_id, const std::vector<KeyLogEntry>& entries);
  // The delta of the partition's key changes of the records before `end` (its next commit)
  // since the previous one: kind delta, [first, end), the net change per key (entries empty when
  // there is none). Taken once: the next delta starts at `end`.
  KeyLogBody take_key_changes(std::uint64_t partition_id, std::int64_t end);
  // Every entry of the partition's map now, as a snapshot at the partition's next offset
  // (nullopt before its first record or commit).
  std::optional<KeyLogBody> key_snapshot(std::uint64_t partition_id) const;

  // The change of the record at `offset` of the partition (records of a partition come in
  // offset order).
  MirrorPlanOutcome add(std::uint64_t partition_id, std::int64_t offset, MirrorChange change);

  // The next request that may start now (its key has none in flight), or nullopt.
  std::optional<MirrorRequest> next_request();
  // The request is durable in S3.
  void completed(std::uint64_t request_id);

  // The offset the partition may commit now (the next record not done), when it is past the
  // last acknowledged commit.
  std::optional<std::int64_t> commit_due(std::uint64_t partition_id) const;
  void committed(std::uint64_t partition_id, std::int64_t offset);
  // The first offset not done (-1 before any record or commit).
  std::int64_t watermark(std::uint64_t partition_id) const;
  // True when no change of the partition waits or is in flight.
  bool settled(std::uint64_t partition_id) const;

  std::size_t waiting_requests() const { return waiting_; }
  std::size_t in_flight_requests() const { return in_flight_.size(); }
  // Body bytes held by waiting and in-flight requests (for backpressure).
  std::uint64_t held_bytes() const { return held_bytes_; }
  const MirrorKeyMap& key_map() const { return key_map_; }

 private:
  struct Position {
    std::uint64_t partition_id = 0;
    std::int64_t offset = 0;
  };
  struct Change {
    MirrorAction action = MirrorAction::put;
    std::shared_ptr<const std::string> body;
    std::string topic;
    std::vector<Position> positions;  // the records it stands for (replaced changes included)
  };
  struct Slot {
    std::optional<Change> waiting;
    bool in_flight = false;
    bool queued = false;  // in ready_
  };
  struct InFlight {
    std::string object_key;
    std::vector<Position> positions;
    std::uint64_t bytes = 0;
  };
  struct Partition {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t next_offset = -1;  // after the last record seen (or the committed offset)
    std::int64_t committed = -1;
    std::map<std::int64_t, std::uint32_t> outstanding;  // offset -> changes not yet durable
    // Key log: where the next delta starts, and the key changes since (in offset order).
    std::int64_t key_log_end = -1;
    std::vector<std::pair<std::int64_t, KeyLogEntry>> key_changes;
  };

  // Queues `change` for `object_key`, replacing a waiting one; returns true when it replaced.
  bool enqueue(const std::string& object_key, Change change);
  Change removal(const Partition& p, std::uint64_t partition_id, std::int64_t offset,
                 const std::optional<std::string>& record_key) const;
  void release(const std::vector<Position>& positions);
  void record_key_change(Partition& p, std::int64_t offset, const std::string& record_key,
                         std::optional<std::string> object_key);

  MirrorKeyMap key_map_;
  MirrorDeletes deletes_;
  bool key_log_ = false;
  std::map<std::uint64_t, Partition> partitions_;
  std::uint64_t next_partition_id_ = 1;
  std::unordered_map<std::string, Slot> slots_;
  std::deque<std::string> ready_;  // object keys with a waiting change and none in flight
  std::unordered_map<std::uint64_t, InFlight> in_flight_;
  std::uint64_t next_request_id_ = 1;
  std::size_t waiting_ = 0;
  std::uint64_t held_bytes_ = 0;
};

}  // namespace ks3::server

#include "server/mirror/planner.hpp"

#include <algorithm>

#include "server/mirror/delete_marker.hpp"

namespace ks3::server {

MirrorPlanner::MirrorPlanner(std::size_t key_map_capacity, MirrorDeletes deletes, bool key_log)
    : key_map_(key_map_capacity), deletes_(deletes), key_log_(key_log && key_map_capacity > 0) {}

std::uint64_t MirrorPlanner::assign(std::string topic, std::int32_t partition,
                                    std::int64_t committed_offset) {
  const std::uint64_t id = next_partition_id_++;
  Partition& p = partitions_[id];
  p.topic = std::move(topic);
  p.partition = partition;
  p.next_offset = committed_offset;
  p.committed = committed_offset;
  p.key_log_end = committed_offset;
  return id;
}

void MirrorPlanner::revoke(std::uint64_t partition_id) {
  key_map_.forget_partition(partition_id);
  partitions_.erase(partition_id);
  // Waiting changes of the partition are never sent: they are not durable, so not committed,
  // and the next owner replays them; sent after the revoke they could land after its writes of
  // the same documents. A change that also carries another partition's records (a change of
  // that partition replaced into it) still goes out, or those records would never be done.
  for (auto it = slots_.begin(); it != slots_.end();) {
    Slot& slot = it->second;
    if (slot.waiting) {
      std::vector<Position>& positions = slot.waiting->positions;
      std::erase_if(positions, [&](const Position& position) {
        return position.partition_id == partition_id;
      });
      if (positions.empty()) {
        held_bytes_ -= slot.waiting->body ? slot.waiting->body->size() : 0;
        slot.waiting.reset();
        --waiting_;
      }
    }
    // A key queued in ready_ without its slot is skipped there.
    it = !slot.waiting && !slot.in_flight ? slots_.erase(it) : std::next(it);
  }
}

void MirrorPlanner::load_keys(std::uint64_t partition_id, const std::vector<KeyLogEntry>& entries) {
  auto found = partitions_.find(partition_id);
  if (found == partitions_.end()) return;
  const std::string& topic = found->second.topic;
  for (const KeyLogEntry& entry : entries) {
    if (entry.object_key) {
      key_map_.put(topic, entry.record_key, *entry.object_key, partition_id);
    } else {
      key_map_.erase(topic, entry.record_key);
    }
  }
}

void MirrorPlanner::record_key_change(Partition& p, std::int64_t offset,
                                      const std::string& record_key,
                                      std::optional<std::string> object_key) {
  if (!key_log_) return;
  if (p.key_log_end < 0) p.key_log_end = offset;  // no commit yet: the first record starts it
  p.key_changes.push_back({offset, KeyLogEntry{record_key, std::move(object_key)}});
}

KeyLogBody MirrorPlanner::take_key_changes(std::uint64_t partition_id, std::int64_t end) {
  KeyLogBody delta;
  delta.kind = KeyLogKind::delta;
  delta.end = end;
  auto found = partitions_.find(partition_id);
  if (found == partitions_.end()) return delta;
  Partition& p = found->second;
  delta.partition = p.partition;
  delta.first = p.key_log_end < 0 ? end : std::min(p.key_log_end, end);
  auto past = std::find_if(p.key_changes.begin(), p.key_changes.end(),
                           [end](const auto& change) { return change.first >= end; });
  std::vector<KeyLogEntry> changes;
  changes.reserve(static_cast<std::size_t>(past - p.key_changes.begin()));
  for (auto it = p.key_changes.begin(); it != past; ++it) changes.push_back(std::move(it->second));
  p.key_changes.erase(p.key_changes.begin(), past);
  if (end > p.key_log_end) p.key_log_end = end;
  delta.entries = net_key_changes(std::move(changes));
  return delta;
}

std::optional<KeyLogBody> MirrorPlanner::key_snapshot(std::uint64_t partition_id) const {
  auto found = partitions_.find(partition_id);
  if (found == partitions_.end() || found->second.next_offset < 0) return std::nullopt;
  KeyLogBody snapshot;
  snapshot.kind = KeyLogKind::snapshot;
  snapshot.partition = found->second.partition;
  snapshot.first = -1;
  snapshot.end = found->second.next_offset;
  for (auto& [record_key, object_key] : key_map_.entries_of(partition_id)) {
    snapshot.entries.push_back(KeyLogEntry{std::move(record_key), std::move(object_key)});
  }
  return snapshot;
}

MirrorPlanner::Change MirrorPlanner::removal(const Partition& p, std::uint64_t partition_id,
                                             std::int64_t offset,
                                             const std::optional<std::string>& record_key) const {
  Change change;
  change.topic = p.topic;
  change.positions.push_back({partition_id, offset});
  if (deletes_ == MirrorDeletes::marker) {
    change.action = MirrorAction::marker;
    std::optional<std::string_view> key;
    if (record_key) key = *record_key;
    change.body =
        std::make_shared<const std::string>(delete_marker_body(p.topic, p.partition, offset, key));
  } else {
    change.action = MirrorAction::remove;
  }
  return change;
}

MirrorPlanOutcome MirrorPlanner::add(std::uint64_t partition_id, std::int64_t offset,
                                     MirrorChange change) {
  MirrorPlanOutcome outcome;
  auto found = partitions_.find(partition_id);
  if (found == partitions_.end()) return outcome;  // revoked: nothing is committed for it
  Partition& p = found->second;
  p.next_offset = offset + 1;
  auto queue = [&](const std::string& object_key, Change c) {
    ++p.outstanding[offset];
    ++outcome.requests;
    if (enqueue(object_key, std::move(c))) ++outcome.coalesced;
  };
  switch (change.kind) {
    case MirrorChangeKind::none:
      break;
    case MirrorChangeKind::upsert: {
      if (change.record_key) {
        // Move detection: the document's previous object, under another key, goes away.
        auto old = key_map_.find(p.topic, *change.record_key);
        if (old && *old != change.object_key) {
          const std::string old_key(*old);
          outcome.moved = true;
          queue(old_key, removal(p, partition_id, offset, change.record_key));
        }
        // An update at the same key changes nothing the key log must keep.
        if (!old || *old != change.object_key) {
          record_key_change(p, offset, *change.record_key, change.object_key);
        }
        key_map_.put(p.topic, *change.record_key, change.object_key, partition_id);
      }
      Change put;
      put.action = MirrorAction::put;
      put.body = std::move(change.body);
      put.topic = p.topic;
      put.positions.push_back({partition_id, offset});
      queue(change.object_key, std::move(put));
      break;
    }
    case MirrorChangeKind::remove: {
      std::vector<std::string> targets;
      if (!change.object_key.empty()) targets.push_back(change.object_key);
      if (change.record_key) {
        if (auto old = key_map_.find(p.topic, *change.record_key);
            old && *old != change.object_key) {
          targets.emplace_back(*old);
        }
        key_map_.erase(p.topic, *change.record_key);
        // Logged even when the map did not know the key: the log may (an evicted entry).
        record_key_change(p, offset, *change.record_key, std::nullopt);
      }
      outcome.unresolved = targets.empty();
      for (const std::string& target : targets) {
        queue(target, removal(p, partition_id, offset, change.record_key));
      }
      break;
    }
  }
  return outcome;
}

bool MirrorPlanner::enqueue(const std::string& object_key, Change change) {
  Slot& slot = slots_[object_key];
  held_bytes_ += change.body ? change.body->size() : 0;
  bool replaced = false;
  if (slot.waiting) {
    // The waiting change is never sent: the new one carries its records, so they are done
    // when the new one is durable.
    std::vector<Position>& older = slot.waiting->positions;
    change.positions.insert(change.positions.begin(), older.begin(), older.end());
    held_bytes_ -= slot.waiting->body ? slot.waiting->body->size() : 0;
    replaced = true;
  } else {
    ++waiting_;
  }
  slot.waiting = std::move(change);
  if (!slot.in_flight && !slot.queued) {
    ready_.push_back(object_key);
    slot.queued = true;
  }
  return replaced;
}

std::optional<MirrorRequest> MirrorPlanner::next_request() {
  while (!ready_.empty()) {
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto it = slots_.find(key);
    if (it == slots_.end()) continue;
    Slot& slot = it->second;
    slot.queued = false;
    if (slot.in_flight || !slot.waiting) continue;
    Change change = std::move(*slot.waiting);
    slot.waiting.reset();
    --waiting_;
    slot.in_flight = true;
    MirrorRequest request;
    request.id = next_request_id_++;
    request.action = change.action;
    request.object_key = key;
    request.body = change.body;
    request.topic = std::move(change.topic);
    in_flight_.emplace(request.id, InFlight{std::move(key), std::move(change.positions),
                                            change.body ? change.body->size() : 0});
    return request;
  }
  return std::nullopt;
}

void MirrorPlanner::release(const std::vector<Position>& positions) {
  for (const Position& position : positions) {
    auto p = partitions_.find(position.partition_id);
    if (p == partitions_.end()) continue;  // revoked meanwhile
    auto o = p->second.outstanding.find(position.offset);
    if (o == p->second.outstanding.end()) continue;
    if (--o->second == 0) p->second.outstanding.erase(o);
  }
}

void MirrorPlanner::completed(std::uint64_t request_id) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end()) return;
  InFlight done = std::move(it->second);
  in_flight_.erase(it);
  release(done.positions);
  held_bytes_ -= done.bytes;
  auto slot = slots_.find(done.object_key);
  if (slot == slots_.end()) return;
  slot->second.in_flight = false;
  if (slot->second.waiting) {
    if (!slot->second.queued) {
      ready_.push_back(done.object_key);
      slot->second.queued = true;
    }
  } else {
    slots_.erase(slot);
  }
}

std::int64_t MirrorPlanner::watermark(std::uint64_t partition_id) const {
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) return -1;
  const Partition& p = it->second;
  return p.outstanding.empty() ? p.next_offset : p.outstanding.begin()->first;
}

std::optional<std::int64_t> MirrorPlanner::commit_due(std::uint64_t partition_id) const {
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) return std::nullopt;
  const std::int64_t mark = watermark(partition_id);
  if (mark < 0 || mark <= it->second.committed) return std::nullopt;
  return mark;
}

void MirrorPlanner::committed(std::uint64_t partition_id, std::int64_t offset) {
  auto it = partitions_.find(partition_id);
  if (it != partitions_.end() && offset > it->second.committed) it->second.committed = offset;
}

bool MirrorPlanner::settled(std::uint64_t partition_id) const {
  auto it = partitions_.find(partition_id);
  return it == partitions_.end() || it->second.outstanding.empty();
}

}  // namespace ks3::server

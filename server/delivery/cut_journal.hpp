// Cut journal of one Kafka partition (pure: no I/O): the cuts that depend on the moment (idle
// flush, memory pressure, shutdown) and are not covered by the committed offset yet, carried in
// the offset-commit metadata string of that partition. On assignment the pipeline decodes the
// committed metadata and replays those cuts, so a replay closes objects where the first run did
// (docs/DESIGN.md, "Delivery: exactly-once object set").
//
// Encoding: "ks3j1:" followed by the cut offsets in ascending order, comma-separated, in decimal
// (e.g. "ks3j1:1234,5678"); no cut at all encodes as "" (no metadata). Kafka brokers refuse
// metadata longer than offset.metadata.max.bytes ("The maximum size for a metadata entry
// associated with an offset commit", default 4096), so the journal holds at most `max_pending`
// cuts (at most 20 digits + 1 separator each): when it is full, the caller makes no moment cut
// until commits catch up and prune() frees room.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::server {

class CutJournal {
 public:
  static constexpr std::string_view kPrefix = "ks3j1:";
  // 100 cuts take at most 6 + 100 * 20 = 2006 bytes: well under the 4096-byte default limit.
  static constexpr std::size_t kDefaultMaxPending = 100;
  static constexpr std::size_t kMaxPendingLimit = 200;  // 4006 bytes at most

  explicit CutJournal(std::size_t max_pending = kDefaultMaxPending);

  // Records a moment cut "before the record at offset `cut_offset`". Returns false, and records
  // nothing, when the journal is full. Keeps the cuts ascending and unique.
  bool add(std::int64_t cut_offset);
  // Drops the cuts at or below `committed`: a replay starts at `committed` and starts every
  // object fresh there anyway.
  void prune(std::int64_t committed);

  bool full() const { return cuts_.size() >= max_pending_; }
  bool empty() const { return cuts_.empty(); }
  std::size_t max_pending() const { return max_pending_; }
  std::span<const std::int64_t> cuts() const { return cuts_; }

  // The commit metadata string ("" when empty).
  std::string encode() const;

  struct Decoded;
  // Decodes commit metadata. Never fails: metadata that is not a journal of this version (e.g.
  // written by another tool), or a damaged one, decodes as an empty journal with a warning that
  // says why (the text of the metadata is not repeated beyond a short sanitized excerpt).
  static Decoded decode(std::string_view metadata, std::size_t max_pending = kDefaultMaxPending);

 private:
  std::size_t max_pending_;
  std::vector<std::int64_t> cuts_;
};

struct CutJournal::Decoded {
  CutJournal journal;
  std::optional<std::string> warning;
};

// Replays journaled cuts over the records of a partition, in offset order: cut_before(offset)
// is true when one or more journaled cuts fall in (previous record's offset, offset], that is,
// "cut before the first record with offset >= the journaled offset" (offsets may have gaps, e.g.
// after compaction or transaction markers). Each journaled cut causes at most one cut.
class CutReplay {
 public:
  CutReplay() = default;
  explicit CutReplay(std::span<const std::int64_t> ascending_cuts);

  bool cut_before(std::int64_t record_offset);
  bool done() const { return next_ == cuts_.size(); }
  // The next cut not replayed yet.
  std::optional<std::int64_t> next() const {
    return done() ? std::nullopt : std::optional<std::int64_t>(cuts_[next_]);
  }

 private:
  std::vector<std::int64_t> cuts_;
  std::size_t next_ = 0;
};

}  // namespace ks3::server

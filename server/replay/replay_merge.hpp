// Replay, pure half 3: the records of one source partition in offset order (no I/O).
//
// One partition's records can be spread over several objects at once: with a template that
// reads the record ({{value.resourcename}}, {{key}}, {{timestamp:...}}) each object group of the
// partition has its own objects, and their offset ranges interleave. PartitionMerge is a k-way
// merge by record offset: an object is opened only when its start offset is below the offset of
// every record waiting in the objects already open, so at most one object per interleaving group
// is held (decompressed) at a time, and a layout with one object at a time (the default template)
// holds one.
//
// Records without an `offset` field (format.fields without offset) sort by their object's start
// offset, i.e. object after object in start-offset order, lines in order. A record whose offset
// is not above the last one produced (two objects holding the same records, e.g. after the
// template changed while data was not committed) is skipped and counted, so the target topic
// gets each source offset once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/replay/envelope_decoder.hpp"
#include "server/replay/replay_plan.hpp"

namespace ks3::server::replay {

class PartitionMerge {
 public:
  PartitionMerge(PartitionPlan plan, DecodeOptions options);
  ~PartitionMerge();
  PartitionMerge(PartitionMerge&&) noexcept;
  PartitionMerge& operator=(PartitionMerge&&) noexcept;

  // The object whose bytes next() needs before it can answer, or nullptr.
  const ObjectRef* object_to_open() const;
  // The decompressed bytes of object_to_open(). Throws ReplayError (naming the object and the
  // line) when its first line is not an envelope.
  void open(std::string text);

  enum class Next { record, duplicate, done };
  // The next record in offset order into `out` (Next::record), or a record skipped as a
  // duplicate, or the end. Call only when object_to_open() is nullptr. Throws ReplayError for
  // a line that is not an envelope.
  Next next(ReplayRecord& out);

  const PartitionPlan& plan() const { return plan_; }
  std::size_t open_objects() const { return open_.size(); }
  std::uint64_t duplicates() const { return duplicates_; }

 private:
  struct Cursor;
  bool advance(Cursor& cursor);

  PartitionPlan plan_;
  DecodeOptions options_;
  std::size_t next_object_ = 0;
  std::vector<std::unique_ptr<Cursor>> open_;  // a min-heap by (offset, object index)
  std::optional<std::int64_t> last_offset_;
  std::uint64_t duplicates_ = 0;
};

}  // namespace ks3::server::replay

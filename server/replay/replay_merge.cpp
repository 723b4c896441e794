#include "server/replay/replay_merge.hpp"

#include <algorithm>
#include <tuple>

namespace ks3::server::replay {

struct PartitionMerge::Cursor {
  std::size_t object_index = 0;
  std::string text;
  std::size_t position = 0;
  std::size_t line = 0;
  ReplayRecord current;
  std::int64_t order = 0;  // the record's offset, or the object's start offset without one
};

namespace {

// std::*_heap keep the largest first: "greater" puts the smallest (offset, object) first.
struct Later {
  template <typename C>
  bool operator()(const C& a, const C& b) const {
    return std::tie(a->order, a->object_index, a->line) >
           std::tie(b->order, b->object_index, b->line);
  }
};

}  // namespace

PartitionMerge::PartitionMerge(PartitionPlan plan, DecodeOptions options)
    : plan_(std::move(plan)), options_(options) {}
PartitionMerge::~PartitionMerge() = default;
PartitionMerge::PartitionMerge(PartitionMerge&&) noexcept = default;
PartitionMerge& PartitionMerge::operator=(PartitionMerge&&) noexcept = default;

const ObjectRef* PartitionMerge::object_to_open() const {
  if (next_object_ >= plan_.objects.size()) return nullptr;
  const ObjectRef& candidate = plan_.objects[next_object_];
  if (open_.empty() || candidate.start_offset <= open_.front()->order) return &candidate;
  return nullptr;
}

bool PartitionMerge::advance(Cursor& cursor) {
  const ObjectRef& object = plan_.objects[cursor.object_index];
  while (cursor.position < cursor.text.size()) {
    std::size_t end = cursor.text.find('\n', cursor.position);
    if (end == std::string::npos) end = cursor.text.size();
    const std::string_view line(cursor.text.data() + cursor.position, end - cursor.position);
    cursor.position = end + 1;
    ++cursor.line;
    if (line.empty()) continue;
    if (auto error = decode_envelope(line, options_, cursor.current)) {
      throw ReplayError("s3 object '" + object.key + "' line " + std::to_string(cursor.line) +
                        ": " + *error);
    }
    cursor.order = cursor.current.offset.value_or(object.start_offset);
    return true;
  }
  return false;
}

void PartitionMerge::open(std::string text) {
  if (next_object_ >= plan_.objects.size()) return;
  auto cursor = std::make_unique<Cursor>();
  cursor->object_index = next_object_++;
  cursor->text = std::move(text);
  if (!advance(*cursor)) return;  // an empty object
  open_.push_back(std::move(cursor));
  std::push_heap(open_.begin(), open_.end(), Later{});
}

PartitionMerge::Next PartitionMerge::next(ReplayRecord& out) {
  if (open_.empty()) return Next::done;
  std::pop_heap(open_.begin(), open_.end(), Later{});
  Cursor& cursor = *open_.back();
  out = std::move(cursor.current);
  if (advance(cursor)) {
    std::push_heap(open_.begin(), open_.end(), Later{});
  } else {
    open_.pop_back();  // frees the object's bytes
  }
  if (out.offset) {
    if (last_offset_ && *out.offset <= *last_offset_) {
      ++duplicates_;
      return Next::duplicate;
    }
    last_offset_ = out.offset;
  }
  return Next::record;
}

}  // namespace ks3::server::replay

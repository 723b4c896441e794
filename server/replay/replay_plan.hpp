// Replay, pure half 1: which objects under a prefix are this sink's JSONL objects, and in what
// order they are read back (no I/O).
//
// An object key is matched against the key template the sink wrote it with (the sink's
// `key_template`, after its `s3.prefix`, followed by ".jsonl" and ".gz", ".zst" or nothing):
// {{partition}} and {{start_offset}} are required in every template, so each object yields its
// partition and the offset of its first record; {{topic}} (when present) its topic. Other
// variables ({{key}}, {{value.x}}, {{timestamp:...}}) match any text without '/' (timestamps: any
// text). Keys that do not match (CSV or raw objects, the dead-letter prefix, foreign files) are
// skipped and reported.
//
// The plan lists the objects per (topic, partition) in start-offset order; PartitionMerge
// (replay_merge.hpp) reads them back in record-offset order.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/compress/compressor.hpp"

namespace ks3::server::replay {

// A bad option or a bad object found while replaying; the message says which and why.
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One object of a bucket listing.
struct ListedObject {
  std::string key;
  std::uint64_t size = 0;
};

// An object of this sink, as its key describes it.
struct ObjectRef {
  std::string key;
  std::uint64_t size = 0;
  std::string topic;  // from {{topic}} (key-safe text decoded); empty when the template has none
  std::int32_t partition = 0;
  std::int64_t start_offset = 0;
  Compression compression = Compression::none;
};

class KeyPattern {
 public:
  // `key_template` as in the sink's configuration; `key_prefix` is its s3.prefix. Throws
  // ReplayError when the template lacks {{partition}} or {{start_offset}} or does not parse.
  static KeyPattern parse(std::string_view key_template, std::string key_prefix = {});

  // The object the key names, or nullopt when the key is not a JSONL object of this template.
  std::optional<ObjectRef> match(std::string_view key, std::uint64_t size = 0) const;

  bool has_topic() const;

 private:
  enum class Kind { literal, topic, partition, start_offset, text, any_text };
  struct Piece {
    Kind kind = Kind::literal;
    std::string text;        // literal
    std::size_t width = 20;  // start_offset: its padding ({{start_offset:N}}, key_template.hpp)
  };
  struct Captures {
    std::optional<std::string> topic;
    std::optional<std::int64_t> partition;
    std::optional<std::int64_t> start_offset;
  };
  bool match_from(std::size_t piece, std::string_view rest, Captures& captures) const;

  std::string prefix_;
  std::vector<Piece> pieces_;
};

// The objects of one source partition, in start-offset order.
struct PartitionPlan {
  std::string topic;
  std::int32_t partition = 0;
  std::vector<ObjectRef> objects;
};

struct ReplayPlan {
  std::vector<PartitionPlan> partitions;  // by (topic, partition)
  std::vector<std::string> skipped;       // keys that are not objects of the template
  std::vector<std::string> topics;        // the source topics found (sorted, unique)
  std::size_t object_count = 0;
  std::uint64_t total_bytes = 0;  // stored (compressed) bytes
  std::int32_t max_partition = -1;
};

// Orders the listing. With `source_topic` set, only objects of that topic are planned (the
// others are skipped); without it, objects of more than one topic are an error (they would be
// merged into one target topic), naming the topics found.
ReplayPlan make_plan(const std::vector<ListedObject>& listing, const KeyPattern& pattern,
                     std::string_view source_topic = {});

}  // namespace ks3::server::replay

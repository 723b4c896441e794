// The mirror's key log (mode: mirror, mirror.key_log): the record key -> object key map
// (key_map.hpp) made durable in S3 per Kafka partition, so that a restart, or another instance
// taking the partition over, still resolves the tombstones and moves of documents written before
// the committed offset. Pure: names, encoding, decoding and the decisions of what to read and
// what to delete; the shell (mirror_sink.cpp) does the S3 requests. docs/DESIGN.md, "Mirror mode".
//
// Layout under <s3.prefix>_ks3/mirror/keys/<topic>/<partition>/:
//   deltas/<end:20 digits>      the net key changes of the records [first, end) of the partition
//   snapshots/<at:20 digits>    every entry of the partition's map after the records before `at`
// Offsets are zero-padded so that a listing is in offset order. A delta is written after every
// request of its records is durable and before `end` is committed; a snapshot holds the map as
// it was after the records before `at`, whether or not they are durable yet, and is used only
// once `at` is committed.
//
// Body (version 1, binary-safe: record keys are bytes):
//   "ks3-mirror-keys 1 <delta|snapshot> <partition> <first> <end> <entries>\n" then per entry
//   "p <key bytes> <object key bytes>\n<key><object key>\n"   (a put)
//   "e <key bytes>\n<key>\n"                                   (an erase; deltas only)
// A snapshot's `first` is -1 and its `end` is `at`; its entries go least recently changed first.
//
// Loading with committed offset C (-1: none): the newest snapshot at or before C, then every
// delta whose end is after it and at or before C, in end order (all of them when C is -1).
// Applying the deltas in end order leaves each key as it was after the records before the
// highest delta end that changed it, which is its state at C because the deltas of one
// partition cover [snapshot, C) without a gap (a commit always follows its delta).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::server {

inline constexpr int kKeyLogVersion = 1;
// Under s3.prefix, in the sink's reserved `_ks3/` folder.
inline constexpr std::string_view kKeyLogFolder = "_ks3/mirror/keys/";

enum class KeyLogKind { delta, snapshot };
std::string_view to_string(KeyLogKind kind);

// One key's change (delta) or entry (snapshot): `object_key` nullopt erases the record key.
struct KeyLogEntry {
  std::string record_key;
  std::optional<std::string> object_key;
  bool operator==(const KeyLogEntry&) const = default;
};

struct KeyLogBody {
  KeyLogKind kind = KeyLogKind::delta;
  std::int32_t partition = 0;
  std::int64_t first = -1;  // delta: the first offset it covers; snapshot: -1
  std::int64_t end = 0;     // delta: after its last record; snapshot: `at`
  std::vector<KeyLogEntry> entries;
};

// "<root>_ks3/mirror/keys/<topic>/<partition>/" (`root` is s3.prefix in folder form, or "").
std::string key_log_folder(std::string_view root, std::string_view topic, std::int32_t partition);
// The folder plus "deltas/" or "snapshots/".
std::string key_log_subfolder(std::string_view folder, KeyLogKind kind);
// The subfolder plus the zero-padded offset.
std::string key_log_key(std::string_view folder, KeyLogKind kind, std::int64_t offset);
// The offset a key of `subfolder` names; nullopt for anything else (skipped with a warning).
std::optional<std::int64_t> parse_key_log_key(std::string_view subfolder, std::string_view key);

std::string encode_key_log(const KeyLogBody& body);

struct KeyLogDecoded {
  std::optional<KeyLogBody> body;
  std::string error;  // why it was refused (never repeats key bytes)
};
// Strict: the header, every length and the entry count must agree; a newer version is refused
// by name (an old sink never misreads a layout it does not know).
KeyLogDecoded decode_key_log(std::string_view bytes);

// What to read on assignment (see the file comment).
struct KeyLogLoadPlan {
  std::optional<std::int64_t> snapshot;  // its `at`
  std::vector<std::int64_t> deltas;      // their ends, ascending
};
KeyLogLoadPlan plan_key_log_load(std::span<const std::int64_t> snapshots,
                                 std::span<const std::int64_t> deltas, std::int64_t committed);

// What a partition's log no longer needs once `committed` is acknowledged: every snapshot
// before the newest one at or before `committed`, and every delta up to that snapshot (a load
// at any later committed offset starts from it or from a newer one).
struct KeyLogGarbage {
  std::vector<std::int64_t> snapshots;
  std::vector<std::int64_t> deltas;
};
KeyLogGarbage plan_key_log_gc(std::span<const std::int64_t> snapshots,
                              std::span<const std::int64_t> deltas, std::int64_t committed);

// The net change of each key over a run of changes in offset order: the last change per key,
// kept in the order of those last changes.
std::vector<KeyLogEntry> net_key_changes(std::vector<KeyLogEntry> changes);

}  // namespace ks3::server

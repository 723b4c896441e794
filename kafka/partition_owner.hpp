// Owner tags of statically assigned partitions (pure). With static assignment no group
// coordinator stops two instances from consuming the same partition, so every commit of such an
// instance carries, in front of the commit metadata (the cut journal), who made it: a random
// instance id (one per process), the assignment rule ("1/2" or "listed"), the host name, the
// wall-clock time of the commit, and whether it is the final commit of a graceful stop.
//
// Rules (docs/DESIGN.md, "Static assignment: overlapping instances"):
//  - at start-up, a partition whose last commit carries a foreign tag that is neither released
//    (graceful stop), nor the same rule on the same host (this instance's previous run: a
//    StatefulSet pod name exists once), nor older than the takeover window is refused: another
//    live instance owns it;
//  - while running, once this instance's own commit of a partition was acknowledged, a committed
//    tag of anyone else (or none: a consumer-group member) means another writer committed after
//    it: the overlap is reported and the instance stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks3::kafka {

struct OwnerTag {
  std::string instance;           // random per process, hex
  std::string rule;               // StaticAssignment::rule_tag(): "1/2" or "listed"
  std::string host;               // the host (pod) name
  std::int64_t committed_ms = 0;  // wall clock of the commit, ms since the epoch
  bool released = false;          // the final commit of a graceful stop

  friend bool operator==(const OwnerTag&, const OwnerTag&) = default;
};

inline constexpr std::string_view kOwnerPrefix = "ks3o1:";

// "ks3o1:<instance>,<committed_ms>,<r|l>,<rule>,<host>;" ('l': live, 'r': released), to be put
// in front of the commit metadata. Separators in the host or rule are replaced by '_'.
std::string encode_owner(const OwnerTag& tag);

// Commit metadata split into the owner tag (nullopt when there is none or it is damaged) and
// the rest (the cut journal). Metadata without a tag is returned whole as the rest.
struct SplitMetadata {
  std::optional<OwnerTag> owner;
  std::string rest;
};
SplitMetadata split_owner(std::string_view metadata);

// "instance 3fa2c1d0 (rule 1/2 on host sink-1, committed 2026-12-01T23:04:05Z[, released])",
// or "no owner tag (a consumer-group member or an older version)" for nullopt.
std::string describe_owner(const std::optional<OwnerTag>& tag);

enum class StartOwnership {
  free,         // never committed, or committed without a tag (group mode, older versions)
  released,     // the last owner stopped gracefully
  predecessor,  // same rule on the same host: this instance's previous run
  stale,        // a foreign owner that has not committed within the takeover window
  conflict,     // a foreign owner committed recently: it is probably alive
};
std::string_view to_string(StartOwnership ownership);

StartOwnership check_at_start(const OwnerTag& me, const std::optional<OwnerTag>& committed,
                              std::int64_t now_ms, std::chrono::milliseconds takeover_after);

// While running, after this instance's own commit of the partition was acknowledged: true when
// the committed tag is not this instance's (someone else committed since).
bool overwritten_by_another(const OwnerTag& me, const std::optional<OwnerTag>& committed);

}  // namespace ks3::kafka

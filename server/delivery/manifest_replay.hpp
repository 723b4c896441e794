// Which recorded cuts a partition replays (pure): the decision taken on assignment from the
// names of the partition's manifests in S3 (server/delivery/manifest.hpp) and the cut journal of
// the commit metadata (server/delivery/cut_journal.hpp), before its first record is consumed.
//
// Rules (docs/DESIGN.md, "Delivery: exactly-once object set"):
//   - every manifest [first, end) contributes both of its boundaries: `first` was a cut too
//     (or the start of a run), so even when the manifest of the segment before it is missing
//     (a crash before it was written, whose objects therefore never completed) the objects
//     that start at `first` are cut there again;
//   - the cuts are the union over all manifests: manifests that disagree (written by runs with
//     different rotation settings) only make the segments finer, and a finer cut never leaves
//     an old object behind, because every old object starts at one of the cuts and is
//     overwritten there;
//   - only cuts after the start position matter (a replay starts fresh at its first record);
//   - S3 is the source of truth: journal cuts that no manifest records are dropped (reported),
//     since an object may complete only after its segment's manifest is durable, so no object
//     depends on them. Without manifests (turned off) the journal is used as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "server/delivery/manifest.hpp"

namespace ks3::server {

struct ReplayDecision {
  std::vector<std::int64_t> cuts;  // ascending, unique, all > start
  // Manifests that overlap another one without sharing its boundaries (a run with other
  // rotation settings): worth a log line, not an error.
  std::size_t overlapping = 0;
  // Journal cuts after the start that no manifest records (dropped).
  std::vector<std::int64_t> journal_only;
};

// `start`: the committed offset, or -1 when the group has none (every recorded cut is kept:
// the first record decides where the replay starts, and CutReplay skips cuts before it).
ReplayDecision decide_replay(std::span<const ManifestName> manifests,
                             std::span<const std::int64_t> journal_cuts, std::int64_t start);

}  // namespace ks3::server

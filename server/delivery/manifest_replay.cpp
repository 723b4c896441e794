#include "server/delivery/manifest_replay.hpp"

#include <algorithm>

namespace ks3::server {

ReplayDecision decide_replay(std::span<const ManifestName> manifests,
                             std::span<const std::int64_t> journal_cuts, std::int64_t start) {
  ReplayDecision decision;
  std::vector<std::int64_t>& cuts = decision.cuts;
  cuts.reserve(manifests.size() * 2);
  for (const ManifestName& m : manifests) {
    if (m.first_offset > start) cuts.push_back(m.first_offset);
    if (m.end_offset > start) cuts.push_back(m.end_offset);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  // A manifest overlaps when a cut of another one falls strictly inside it.
  for (const ManifestName& m : manifests) {
    auto inside = std::upper_bound(cuts.begin(), cuts.end(), m.first_offset);
    if (inside != cuts.end() && *inside < m.end_offset) ++decision.overlapping;
  }
  for (std::int64_t cut : journal_cuts) {
    if (cut > start && !std::binary_search(cuts.begin(), cuts.end(), cut)) {
      decision.journal_only.push_back(cut);
    }
  }
  return decision;
}

}  // namespace ks3::server

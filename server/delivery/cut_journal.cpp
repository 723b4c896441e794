#include "server/delivery/cut_journal.hpp"

#include <algorithm>
#include <charconv>

namespace ks3::server {
namespace {

// A short, printable excerpt of foreign metadata for a warning.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 32;
  std::string out;
  for (char c : text.substr(0, kMax)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > kMax) out += "...";
  return out;
}

CutJournal::Decoded rejected(std::size_t max_pending, std::string why) {
  return {CutJournal(max_pending), std::move(why)};
}

}  // namespace

CutJournal::CutJournal(std::size_t max_pending)
    : max_pending_(std::clamp<std::size_t>(max_pending, 1, kMaxPendingLimit)) {}

bool CutJournal::add(std::int64_t cut_offset) {
  auto at = std::lower_bound(cuts_.begin(), cuts_.end(), cut_offset);
  if (at != cuts_.end() && *at == cut_offset) return true;
  if (full()) return false;
  cuts_.insert(at, cut_offset);
  return true;
}

void CutJournal::prune(std::int64_t committed) {
  auto keep = std::upper_bound(cuts_.begin(), cuts_.end(), committed);
  cuts_.erase(cuts_.begin(), keep);
}

std::string CutJournal::encode() const {
  if (cuts_.empty()) return {};
  std::string out(kPrefix);
  for (std::size_t i = 0; i < cuts_.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(cuts_[i]);
  }
  return out;
}

CutJournal::Decoded CutJournal::decode(std::string_view metadata, std::size_t max_pending) {
  CutJournal journal(max_pending);
  if (metadata.empty()) return {journal, std::nullopt};
  if (!metadata.starts_with(kPrefix)) {
    return rejected(max_pending, "commit metadata '" + excerpt(metadata) +
                                     "' is not a kafka-s3-sink cut journal (written by another "
                                     "tool?); no cuts replayed");
  }
  std::string_view rest = metadata.substr(kPrefix.size());
  while (!rest.empty()) {
    std::int64_t offset = -1;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
    bool last = end == rest.data() + rest.size();
    if (ec != std::errc() || offset < 0 || (!last && *end != ',')) {
      return rejected(max_pending, "damaged cut journal in commit metadata '" + excerpt(metadata) +
                                       "'; no cuts replayed");
    }
    if (!journal.cuts_.empty() && offset <= journal.cuts_.back()) {
      return rejected(max_pending, "cut journal offsets not ascending in commit metadata '" +
                                       excerpt(metadata) + "'; no cuts replayed");
    }
    if (journal.full()) {
      return rejected(max_pending, "cut journal in commit metadata holds more than " +
                                       std::to_string(journal.max_pending_) +
                                       " cuts; no cuts replayed");
    }
    journal.cuts_.push_back(offset);
    rest = last ? std::string_view() : std::string_view(end + 1, rest.data() + rest.size());
    if (!last && rest.empty()) {
      return rejected(max_pending, "damaged cut journal in commit metadata '" + excerpt(metadata) +
                                       "' (trailing comma); no cuts replayed");
    }
  }
  return {journal, std::nullopt};
}

CutReplay::CutReplay(std::span<const std::int64_t> ascending_cuts)
    : cuts_(ascending_cuts.begin(), ascending_cuts.end()) {}

bool CutReplay::cut_before(std::int64_t record_offset) {
  bool cut = false;
  while (next_ < cuts_.size() && cuts_[next_] <= record_offset) {
    cut = true;
    ++next_;
  }
  return cut;
}

}  // namespace ks3::server

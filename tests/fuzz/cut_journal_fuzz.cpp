// libFuzzer target: decoding the cut journal from Kafka commit metadata
// (server/delivery/cut_journal). Metadata comes from the broker and may have been written by
// anything: decode never fails, and what it accepts re-encodes to a journal that decodes to the
// same cuts (ascending, unique, at most max_pending).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "server/delivery/cut_journal.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cut_journal_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ks3::server::CutJournal;
  const std::string_view metadata(reinterpret_cast<const char*>(data), size);
  for (std::size_t max_pending : {std::size_t{1}, std::size_t{3}, CutJournal::kDefaultMaxPending,
                                  CutJournal::kMaxPendingLimit}) {
    auto decoded = CutJournal::decode(metadata, max_pending);
    auto cuts = decoded.journal.cuts();
    check(cuts.size() <= max_pending, "more cuts than max_pending");
    for (std::size_t i = 1; i < cuts.size(); ++i) check(cuts[i - 1] < cuts[i], "not ascending");
    if (decoded.warning) check(decoded.warning->size() < 1024, "a warning repeats the input");
    const std::string encoded = decoded.journal.encode();
    auto again = CutJournal::decode(encoded, max_pending);
    check(!again.warning, "a re-encoded journal does not decode cleanly");
    check(std::vector<std::int64_t>(cuts.begin(), cuts.end()) ==
              std::vector<std::int64_t>(again.journal.cuts().begin(), again.journal.cuts().end()),
          "re-encoding changed the cuts");
    // Pruning and replaying what was decoded.
    if (!cuts.empty()) decoded.journal.prune(cuts[cuts.size() / 2]);
    ks3::server::CutReplay replay(again.journal.cuts());
    std::int64_t offset = again.journal.cuts().empty() ? 0 : again.journal.cuts().front() - 1;
    for (int step = 0; step < 64 && !replay.done(); ++step) {
      (void)replay.cut_before(offset);
      if (offset > INT64_MAX - 512) break;
      offset += 1 + (offset & 0xff);
    }
  }
  return 0;
}

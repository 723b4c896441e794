#include "server/workers/ordered_results.hpp"

namespace ks3::server {

std::uint64_t OrderedResults::send(std::uint64_t input_bytes) {
  ++in_flight_;
  at_workers_ += input_bytes;
  return next_++;
}

void OrderedResults::discard(std::uint64_t input_bytes) {
  --in_flight_;
  at_workers_ -= input_bytes;
}

void OrderedResults::receive(std::uint64_t sequence, std::uint64_t input_bytes, std::string result,
                             const std::function<void(std::string&)>& apply) {
  discard(input_bytes);
  waiting_bytes_ += result.size();
  waiting_.emplace(sequence, std::move(result));
  // Each result leaves the map before `apply` runs: `apply` may clear the stream (a failure).
  while (!waiting_.empty() && waiting_.begin()->first == next_to_apply_) {
    auto node = waiting_.extract(waiting_.begin());
    waiting_bytes_ -= node.mapped().size();
    ++next_to_apply_;
    apply(node.mapped());
  }
}

void OrderedResults::clear_waiting() {
  waiting_.clear();
  waiting_bytes_ = 0;
}

}  // namespace ks3::server

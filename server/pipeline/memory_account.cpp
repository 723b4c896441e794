#include "server/pipeline/memory_account.hpp"

namespace ks3::server {

MemoryAccount::MemoryAccount(std::uint64_t reserved, std::uint64_t high_watermark,
                             std::uint64_t low_watermark,
                             std::function<void(MemoryBudget::Change)> on_change)
    : budget_(high_watermark, low_watermark),
      on_change_(std::move(on_change)),
      reserved_(reserved) {
  budget_.add(reserved_);  // before any partition: no transition to report
}

void MemoryAccount::apply(MemoryBudget::Change change) {
  if (change != MemoryBudget::Change::none && on_change_) on_change_(change);
}

void MemoryAccount::adjust_buffered(std::int64_t delta) {
  if (delta >= 0) {
    buffered_ += static_cast<std::uint64_t>(delta);
    apply(budget_.add(static_cast<std::uint64_t>(delta)));
  } else {
    auto bytes = static_cast<std::uint64_t>(-delta);
    buffered_ = bytes > buffered_ ? 0 : buffered_ - bytes;
    apply(budget_.release(bytes));
  }
}

s3::SharedBody MemoryAccount::counted_part(std::string bytes) {
  const std::uint64_t size = bytes.size();
  in_parts_ += size;
  apply(budget_.add(size));
  // The deleter keeps the account alive, so a body the client still holds after the pipeline
  // is gone cannot touch freed memory.
  return s3::SharedBody(new std::string(std::move(bytes)),
                        [account = shared_from_this(), size](const std::string* body) {
                          delete body;
                          account->in_parts_ -= size;
                          account->apply(account->budget_.release(size));
                        });
}

}  // namespace ks3::server

#include "server/format/parquet/dictionary.hpp"

#include <cstring>
#include <functional>

#include "server/format/parquet/encoding.hpp"

namespace ks3::parquet {
namespace {
constexpr size_t kInitialSlots = 1024;

uint32_t hash_of(std::string_view v) {
  const size_t h = std::hash<std::string_view>{}(v);
  return static_cast<uint32_t>(h ^ (h >> 32));
}
}  // namespace

ByteArrayDictionary::ByteArrayDictionary() {
  clear();
}

void ByteArrayDictionary::release() {
  std::string().swap(data_);
  std::vector<uint32_t>().swap(offsets_);
  std::vector<uint32_t>().swap(hashes_);
  std::vector<uint32_t>(kInitialSlots, 0).swap(slots_);
  mask_ = kInitialSlots - 1;
}

void ByteArrayDictionary::clear() {
  data_.clear();
  offsets_.clear();
  hashes_.clear();
  slots_.assign(kInitialSlots, 0);
  mask_ = kInitialSlots - 1;
}

std::string_view ByteArrayDictionary::value(uint32_t index) const {
  const uint32_t off = offsets_[index];
  uint32_t len;
  std::memcpy(&len, data_.data() + off, 4);
  return {data_.data() + off + 4, len};
}

size_t ByteArrayDictionary::memory_bytes() const {
  return data_.capacity() + offsets_.capacity() * 4 + slots_.capacity() * 4 +
         hashes_.capacity() * 4;
}

uint32_t ByteArrayDictionary::intern(std::string_view v, bool& inserted) {
  const uint32_t h = hash_of(v);
  size_t pos = h & mask_;
  while (true) {
    const uint32_t slot = slots_[pos];
    if (slot == 0) break;
    const uint32_t index = slot - 1;
    if (hashes_[index] == h && value(index) == v) {
      inserted = false;
      return index;
    }
    pos = (pos + 1) & mask_;
  }
  const auto index = static_cast<uint32_t>(offsets_.size());
  offsets_.push_back(static_cast<uint32_t>(data_.size()));
  hashes_.push_back(h);
  plain_append_byte_array(data_, v);
  slots_[pos] = index + 1;
  inserted = true;
  if (offsets_.size() * 2 > slots_.size()) grow();
  return index;
}

void ByteArrayDictionary::grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (uint32_t i = 0; i < offsets_.size(); ++i) {
    size_t pos = hashes_[i] & mask_;
    while (slots_[pos] != 0) pos = (pos + 1) & mask_;
    slots_[pos] = i + 1;
  }
}

}  // namespace ks3::parquet

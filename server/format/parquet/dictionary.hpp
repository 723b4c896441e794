// Dictionary for BYTE_ARRAY columns (RLE_DICTIONARY data pages + one PLAIN dictionary page).
// Distinct values are kept plain-encoded back to back in one buffer, which is the dictionary
// page's body as is; an open-addressing hash table maps a value to its index. No allocation per
// value: the buffer and the table grow geometrically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::parquet {

class ByteArrayDictionary {
 public:
  ByteArrayDictionary();

  // The index of `v`, inserting it when new (`inserted` tells which).
  uint32_t intern(std::string_view v, bool& inserted);

  uint32_t size() const { return static_cast<uint32_t>(offsets_.size()); }
  std::string_view value(uint32_t index) const;
  // The dictionary page body: every value PLAIN-encoded, in index order.
  const std::string& plain_page() const { return data_; }
  // Bytes held (values + table), for memory accounting.
  size_t memory_bytes() const;
  void clear();    // keeps the allocated capacity
  void release();  // clear() and free the memory

 private:
  void grow();

  std::string data_;               // 4-byte length + bytes per value
  std::vector<uint32_t> offsets_;  // offset of each value's length prefix in data_
  std::vector<uint32_t> slots_;    // index + 1, 0 = empty
  std::vector<uint32_t> hashes_;   // per value, to rehash without rereading
  size_t mask_ = 0;
};

}  // namespace ks3::parquet

// The mirror's bounded record key -> object key map: where the document of a record key was last
// written. A tombstone carries only the record key, and a document that moves (its object key
// changes under one record key) leaves its old object behind unless someone remembers it: this
// map does both. Pure (no I/O).
//
// Bound: at most `capacity` entries; a new entry beyond it drops the least recently changed one
// (counted in evictions()). A dropped or never-seen record key (without mirror.key_log a restart
// empties the map) cannot be resolved: its tombstone finds nothing, and its move leaves the old
// object. Entries remember their partition, so a revoked partition's entries can be forgotten
// (another instance may change those documents meanwhile). With mirror.key_log the map of a
// partition is also kept in S3 and loaded on assignment (key_log.hpp): a restart no longer empties
// it.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ks3::server {

class MirrorKeyMap {
 public:
  explicit MirrorKeyMap(std::size_t capacity) : capacity_(capacity) {}

  // The object key last recorded for (topic, record key), if any.
  std::optional<std::string_view> find(std::string_view topic, std::string_view record_key) const;
  // Records (or replaces) the object key and marks the entry the most recently changed.
  void put(std::string_view topic, std::string_view record_key, std::string object_key,
           std::uint64_t partition_id);
  void erase(std::string_view topic, std::string_view record_key);
  // Drops every entry written for this partition.
  void forget_partition(std::uint64_t partition_id);
  // The (record key, object key) entries of this partition, least recently changed first (put
  // back in this order, they keep their order: the key log's snapshot).
  std::vector<std::pair<std::string, std::string>> entries_of(std::uint64_t partition_id) const;

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    std::string id;  // topic '\0' record key
    std::string object_key;
    std::uint64_t partition_id = 0;
  };
  static std::string make_id(std::string_view topic, std::string_view record_key);

  std::size_t capacity_;
  std::list<Entry> order_;  // most recently changed first
  // Keys view the ids inside order_'s entries (list nodes never move).
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  std::uint64_t evictions_ = 0;
};

}  // namespace ks3::server

#include "server/mirror/key_map.hpp"

namespace ks3::server {

std::string MirrorKeyMap::make_id(std::string_view topic, std::string_view record_key) {
  std::string id;
  id.reserve(topic.size() + 1 + record_key.size());
  id += topic;
  id += '\0';  // topics cannot contain NUL: (topic, key) pairs stay distinct
  id += record_key;
  return id;
}

std::optional<std::string_view> MirrorKeyMap::find(std::string_view topic,
                                                   std::string_view record_key) const {
  if (capacity_ == 0) return std::nullopt;
  auto it = index_.find(make_id(topic, record_key));
  if (it == index_.end()) return std::nullopt;
  return std::string_view(it->second->object_key);
}

void MirrorKeyMap::put(std::string_view topic, std::string_view record_key, std::string object_key,
                       std::uint64_t partition_id) {
  if (capacity_ == 0) return;
  const std::string id = make_id(topic, record_key);
  if (auto it = index_.find(id); it != index_.end()) {
    it->second->object_key = std::move(object_key);
    it->second->partition_id = partition_id;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(std::string_view(order_.back().id));
    order_.pop_back();
    ++evictions_;
  }
  order_.push_front(Entry{id, std::move(object_key), partition_id});
  index_.emplace(std::string_view(order_.front().id), order_.begin());
}

void MirrorKeyMap::erase(std::string_view topic, std::string_view record_key) {
  auto it = index_.find(make_id(topic, record_key));
  if (it == index_.end()) return;
  auto entry = it->second;
  index_.erase(it);
  order_.erase(entry);
}

void MirrorKeyMap::forget_partition(std::uint64_t partition_id) {
  for (auto it = order_.begin(); it != order_.end();) {
    if (it->partition_id == partition_id) {
      index_.erase(std::string_view(it->id));
      it = order_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<std::pair<std::string, std::string>> MirrorKeyMap::entries_of(
    std::uint64_t partition_id) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if (it->partition_id != partition_id) continue;
    const std::size_t nul = it->id.find('\0');
    out.emplace_back(it->id.substr(nul + 1), it->object_key);
  }
  return out;
}

}  // namespace ks3::server

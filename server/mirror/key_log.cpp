#include "server/mirror/key_log.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "server/delivery/manifest.hpp"

namespace ks3::server {
namespace {

// Offsets in names are zero-padded to 20 digits, as in the cut manifests' names.
constexpr std::size_t kOffsetDigits = 20;
constexpr std::string_view kMagic = "ks3-mirror-keys";

// Reads a decimal integer up to `stop` (or the end) from `in`, advancing past the separator.
template <typename Int>
bool take_number(std::string_view& in, char stop, Int& out) {
  const std::size_t end = in.find(stop);
  if (end == std::string_view::npos || end == 0) return false;
  const std::string_view digits = in.substr(0, end);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return false;
  in.remove_prefix(end + 1);
  return true;
}

bool take_word(std::string_view& in, char stop, std::string_view& out) {
  const std::size_t end = in.find(stop);
  if (end == std::string_view::npos) return false;
  out = in.substr(0, end);
  in.remove_prefix(end + 1);
  return true;
}

bool take_bytes(std::string_view& in, std::size_t size, std::string& out) {
  if (in.size() < size) return false;
  out.assign(in.substr(0, size));
  in.remove_prefix(size);
  return true;
}

KeyLogDecoded refused(std::string why) {
  KeyLogDecoded decoded;
  decoded.error = std::move(why);
  return decoded;
}

}  // namespace

std::string_view to_string(KeyLogKind kind) {
  return kind == KeyLogKind::snapshot ? "snapshot" : "delta";
}

std::string key_log_folder(std::string_view root, std::string_view topic, std::int32_t partition) {
  return std::string(root).append(kKeyLogFolder).append(topic) + '/' + std::to_string(partition) +
         '/';
}

std::string key_log_subfolder(std::string_view folder, KeyLogKind kind) {
  return std::string(folder) + (kind == KeyLogKind::snapshot ? "snapshots/" : "deltas/");
}

std::string key_log_key(std::string_view folder, KeyLogKind kind, std::int64_t offset) {
  // "<subfolder><offset:20 digits>": the manifests' padding (server/delivery/manifest.hpp).
  return manifest_start_after(key_log_subfolder(folder, kind), offset);
}

std::optional<std::int64_t> parse_key_log_key(std::string_view subfolder, std::string_view key) {
  if (!key.starts_with(subfolder)) return std::nullopt;
  const std::string_view digits = key.substr(subfolder.size());
  if (digits.size() != kOffsetDigits ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::string encode_key_log(const KeyLogBody& body) {
  std::string out(kMagic);
  out += ' ' + std::to_string(kKeyLogVersion) + ' ' + std::string(to_string(body.kind)) + ' ' +
         std::to_string(body.partition) + ' ' + std::to_string(body.first) + ' ' +
         std::to_string(body.end) + ' ' + std::to_string(body.entries.size()) + '\n';
  for (const KeyLogEntry& e : body.entries) {
    if (e.object_key) {
      out += "p " + std::to_string(e.record_key.size()) + ' ' +
             std::to_string(e.object_key->size()) + '\n';
      out += e.record_key;
      out += *e.object_key;
    } else {
      out += "e " + std::to_string(e.record_key.size()) + '\n';
      out += e.record_key;
    }
    out += '\n';
  }
  return out;
}

KeyLogDecoded decode_key_log(std::string_view in) {
  std::string_view word;
  if (!take_word(in, ' ', word) || word != kMagic) {
    return refused("not a mirror key log (no '" + std::string(kMagic) + "' header)");
  }
  int version = 0;
  if (!take_number(in, ' ', version) || version < 1) return refused("bad version");
  if (version > kKeyLogVersion) {
    return refused("key log version " + std::to_string(version) +
                   " was written by a newer kafka-s3-sink (this one reads up to " +
                   std::to_string(kKeyLogVersion) + ")");
  }
  KeyLogBody body;
  std::string_view kind;
  std::size_t count = 0;
  if (!take_word(in, ' ', kind) || (kind != "delta" && kind != "snapshot")) {
    return refused("bad kind (delta or snapshot)");
  }
  body.kind = kind == "delta" ? KeyLogKind::delta : KeyLogKind::snapshot;
  if (!take_number(in, ' ', body.partition) || !take_number(in, ' ', body.first) ||
      !take_number(in, ' ', body.end) || !take_number(in, '\n', count)) {
    return refused("bad header (partition, first, end, entries)");
  }
  const bool delta = body.kind == KeyLogKind::delta;
  if (body.partition < 0 || body.end < 0 ||
      (delta ? body.first < 0 || body.first >= body.end : body.first != -1)) {
    return refused("offsets do not describe a " + std::string(kind));
  }
  // Every entry takes at least 5 bytes ("e 0\n\n"): no allocation beyond what the body holds.
  if (count > in.size() / 5) return refused("more entries announced than the body holds");
  body.entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view op;
    KeyLogEntry entry;
    std::size_t key_size = 0;
    std::size_t object_size = 0;
    if (!take_word(in, ' ', op) || (op != "p" && op != "e")) {
      return refused("entry " + std::to_string(i) + ": bad operation");
    }
    const bool put = op == "p";
    if (!put && !delta) return refused("an erase in a snapshot");
    if (put ? !take_number(in, ' ', key_size) || !take_number(in, '\n', object_size)
            : !take_number(in, '\n', key_size)) {
      return refused("entry " + std::to_string(i) + ": bad sizes");
    }
    if (!take_bytes(in, key_size, entry.record_key)) {
      return refused("entry " + std::to_string(i) + ": truncated");
    }
    if (put) {
      entry.object_key.emplace();
      if (!take_bytes(in, object_size, *entry.object_key)) {
        return refused("entry " + std::to_string(i) + ": truncated");
      }
    }
    if (in.empty() || in.front() != '\n') {
      return refused("entry " + std::to_string(i) + ": no newline after it");
    }
    in.remove_prefix(1);
    body.entries.push_back(std::move(entry));
  }
  if (!in.empty()) return refused("bytes after the last entry");
  KeyLogDecoded decoded;
  decoded.body = std::move(body);
  return decoded;
}

KeyLogLoadPlan plan_key_log_load(std::span<const std::int64_t> snapshots,
                                 std::span<const std::int64_t> deltas, std::int64_t committed) {
  auto usable = [committed](std::int64_t offset) { return committed < 0 || offset <= committed; };
  KeyLogLoadPlan plan;
  for (std::int64_t at : snapshots) {
    if (usable(at) && (!plan.snapshot || at > *plan.snapshot)) plan.snapshot = at;
  }
  for (std::int64_t end : deltas) {
    if (usable(end) && (!plan.snapshot || end > *plan.snapshot)) plan.deltas.push_back(end);
  }
  std::sort(plan.deltas.begin(), plan.deltas.end());
  plan.deltas.erase(std::unique(plan.deltas.begin(), plan.deltas.end()), plan.deltas.end());
  return plan;
}

KeyLogGarbage plan_key_log_gc(std::span<const std::int64_t> snapshots,
                              std::span<const std::int64_t> deltas, std::int64_t committed) {
  KeyLogGarbage garbage;
  if (committed < 0) return garbage;
  std::optional<std::int64_t> base;
  for (std::int64_t at : snapshots) {
    if (at <= committed && (!base || at > *base)) base = at;
  }
  if (!base) return garbage;
  for (std::int64_t at : snapshots) {
    if (at < *base) garbage.snapshots.push_back(at);
  }
  for (std::int64_t end : deltas) {
    if (end <= *base) garbage.deltas.push_back(end);
  }
  return garbage;
}

std::vector<KeyLogEntry> net_key_changes(std::vector<KeyLogEntry> changes) {
  // Index of each key's last change; keep those, in their order.
  std::unordered_map<std::string_view, std::size_t> last;
  last.reserve(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) last[changes[i].record_key] = i;
  std::vector<bool> keep(changes.size(), false);
  for (const auto& [key, index] : last) keep[index] = true;
  std::vector<KeyLogEntry> out;
  out.reserve(last.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (keep[i]) out.push_back(std::move(changes[i]));
  }
  return out;
}

}  // namespace ks3::server

#include "kafka/partition_owner.hpp"

#include <charconv>
#include <ctime>
#include <vector>

namespace ks3::kafka {
namespace {

// Bounded (the whole metadata must stay under the broker's offset.metadata.max.bytes, 4096 by
// default, next to a cut journal of at most 2006 bytes) and free of the separators.
std::string sanitized(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out) {
    if (c == ',' || c == ';' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  return out;
}

std::string utc_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

std::string encode_owner(const OwnerTag& tag) {
  return std::string(kOwnerPrefix) + sanitized(tag.instance) + "," +
         std::to_string(tag.committed_ms) + "," + (tag.released ? "r" : "l") + "," +
         sanitized(tag.rule) + "," + sanitized(tag.host) + ";";
}

SplitMetadata split_owner(std::string_view metadata) {
  SplitMetadata out;
  if (!metadata.starts_with(kOwnerPrefix)) {
    out.rest = std::string(metadata);
    return out;
  }
  const std::size_t end = metadata.find(';');
  if (end == std::string_view::npos) {
    // Damaged: no journal can follow a tag that does not end.
    return out;
  }
  out.rest = std::string(metadata.substr(end + 1));
  std::string_view body = metadata.substr(kOwnerPrefix.size(), end - kOwnerPrefix.size());
  std::vector<std::string_view> fields;
  for (std::size_t at; (at = body.find(',')) != std::string_view::npos;) {
    fields.push_back(body.substr(0, at));
    body.remove_prefix(at + 1);
  }
  fields.push_back(body);
  if (fields.size() != 5 || fields[0].empty() || (fields[2] != "r" && fields[2] != "l")) {
    return out;
  }
  OwnerTag tag;
  auto [ptr, error] =
      std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), tag.committed_ms);
  if (error != std::errc{} || ptr != fields[1].data() + fields[1].size()) return out;
  tag.instance = std::string(fields[0]);
  tag.released = fields[2] == "r";
  tag.rule = std::string(fields[3]);
  tag.host = std::string(fields[4]);
  out.owner = std::move(tag);
  return out;
}

std::string describe_owner(const std::optional<OwnerTag>& tag) {
  if (!tag) return "no owner tag (a consumer-group member or an older version)";
  return "instance " + tag->instance + " (rule " + tag->rule + " on host " + tag->host +
         (tag->committed_ms > 0 ? ", committed " + utc_time(tag->committed_ms) : "") +
         (tag->released ? ", released" : "") + ")";
}

std::string_view to_string(StartOwnership ownership) {
  switch (ownership) {
    case StartOwnership::free:
      return "free";
    case StartOwnership::released:
      return "released";
    case StartOwnership::predecessor:
      return "predecessor";
    case StartOwnership::stale:
      return "stale";
    case StartOwnership::conflict:
      return "conflict";
  }
  return "?";
}

StartOwnership check_at_start(const OwnerTag& me, const std::optional<OwnerTag>& committed,
                              std::int64_t now_ms, std::chrono::milliseconds takeover_after) {
  if (!committed) return StartOwnership::free;
  if (committed->released) return StartOwnership::released;
  if (committed->instance == me.instance ||
      (committed->rule == me.rule && committed->host == me.host)) {
    return StartOwnership::predecessor;
  }
  // A clock step back makes the age negative: counted as recent (refusing is the safe side).
  if (now_ms - committed->committed_ms >= takeover_after.count()) return StartOwnership::stale;
  return StartOwnership::conflict;
}

bool overwritten_by_another(const OwnerTag& me, const std::optional<OwnerTag>& committed) {
  return !committed || committed->instance != me.instance;
}

}  // namespace ks3::kafka

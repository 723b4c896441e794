#include "bench/lib/null_s3_store.hpp"

#include <algorithm>

namespace ks3::bench::nulls3 {
namespace {

std::string_view unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return etag.substr(1, etag.size() - 2);
  }
  return etag;
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

// S3's multipart ETag is the MD5 of the parts' binary MD5s plus "-<count>"; the bytes are gone
// here, so a hash of the part ETags stands in (same shape, still changes with any part).
std::string multipart_etag(const std::vector<s3::xml::CompletedPart>& parts) {
  std::uint64_t a = 0xCBF29CE484222325ULL, b = 0x84222325CBF29CE4ULL;
  for (const auto& part : parts) {
    a = fnv1a(unquoted(part.etag), a);
    b = fnv1a(std::to_string(part.part_number), fnv1a(unquoted(part.etag), b));
  }
  std::string bytes;
  for (int i = 7; i >= 0; --i) bytes += static_cast<char>((a >> (8 * i)) & 0xFF);
  for (int i = 7; i >= 0; --i) bytes += static_cast<char>((b >> (8 * i)) & 0xFF);
  return "\"" + hex_encode(bytes) + "-" + std::to_string(parts.size()) + "\"";
}

Failure failure(int status, std::string code, std::string message) {
  return Failure{status, std::move(code), std::move(message)};
}

Failure no_such_upload() {
  return failure(404, "NoSuchUpload",
                 "The specified upload does not exist. The upload ID may be invalid, or the "
                 "upload may have been aborted or completed.");
}

void append_json_field(std::string& out, std::string_view name, std::uint64_t value) {
  if (out.back() != '{') out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

NullS3Store::NullS3Store(std::set<std::string> buckets, std::uint64_t min_part_size)
    : buckets_(buckets.begin(), buckets.end()),
      any_bucket_(buckets.empty()),
      min_part_size_(min_part_size) {}

std::optional<Failure> NullS3Store::check_bucket(std::string_view bucket) const {
  if (any_bucket_ || buckets_.contains(bucket)) return std::nullopt;
  return failure(404, "NoSuchBucket", "The specified bucket does not exist");
}

void NullS3Store::create_bucket(std::string_view bucket) {
  buckets_.emplace(bucket);
}

void NullS3Store::store(const std::string& bucket, const std::string& key, StoredObject object) {
  ++counters_.objects_written;
  counters_.bytes_written += object.size;
  stored_bytes_ += object.size;
  auto [it, inserted] = objects_.try_emplace(bucket + "/" + key, object);
  if (!inserted) {
    stored_bytes_ -= it->second.size;  // an overwrite replaces the old object
    it->second = std::move(object);
  }
}

void NullS3Store::put_object(const std::string& bucket, const std::string& key, std::uint64_t size,
                             std::string etag) {
  store(bucket, key, StoredObject{size, std::move(etag)});
}

std::string NullS3Store::create_upload(const std::string& bucket, const std::string& key) {
  std::string id = "ks3-null-upload-" + std::to_string(next_upload_++);
  uploads_.emplace(id, Upload{bucket, key, {}});
  ++counters_.uploads_started;
  return id;
}

std::optional<Failure> NullS3Store::upload_part(const std::string& upload_id,
                                                const std::string& bucket, const std::string& key,
                                                int part_number, std::uint64_t size,
                                                std::string etag) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) {
    return no_such_upload();
  }
  // A part uploaded again under the same number replaces the earlier one.
  it->second.parts[part_number] = StoredObject{size, std::move(etag)};
  ++counters_.parts_uploaded;
  return std::nullopt;
}

NullS3Store::CompleteResult NullS3Store::complete(
    const std::string& upload_id, const std::string& bucket, const std::string& key,
    const std::vector<s3::xml::CompletedPart>& parts) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) {
    return {no_such_upload(), {}};
  }
  if (parts.empty()) {
    return {failure(400, "MalformedXML", "You must specify at least one part"), {}};
  }
  const Upload& upload = it->second;
  std::uint64_t size = 0;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].part_number <= parts[i - 1].part_number) {
      return {failure(400, "InvalidPartOrder", "The list of parts was not in ascending order."),
              {}};
    }
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto part = upload.parts.find(parts[i].part_number);
    if (part == upload.parts.end() || unquoted(part->second.etag) != unquoted(parts[i].etag)) {
      return {failure(400, "InvalidPart",
                      "One or more of the specified parts could not be found (part " +
                          std::to_string(parts[i].part_number) + ")"),
              {}};
    }
    if (i + 1 < parts.size() && part->second.size < min_part_size_) {
      return {failure(400, "EntityTooSmall",
                      "Your proposed upload is smaller than the minimum allowed size (part " +
                          std::to_string(parts[i].part_number) + " has " +
                          std::to_string(part->second.size) + " bytes)"),
              {}};
    }
    size += part->second.size;
  }
  std::string etag = multipart_etag(parts);
  store(bucket, key, StoredObject{size, etag});
  uploads_.erase(it);
  ++counters_.uploads_completed;
  return {std::nullopt, std::move(etag)};
}

std::optional<Failure> NullS3Store::abort(const std::string& upload_id) {
  if (uploads_.erase(upload_id) == 0) return no_such_upload();
  ++counters_.uploads_aborted;
  return std::nullopt;
}

const StoredObject* NullS3Store::find(const std::string& bucket, const std::string& key) const {
  auto it = objects_.find(bucket + "/" + key);
  return it == objects_.end() ? nullptr : &it->second;
}

bool NullS3Store::remove(const std::string& bucket, const std::string& key) {
  auto it = objects_.find(bucket + "/" + key);
  if (it == objects_.end()) return false;
  stored_bytes_ -= it->second.size;
  objects_.erase(it);
  return true;
}

ListPage NullS3Store::list(const std::string& bucket, const ParsedRequest& request) const {
  ListPage page;
  const std::string base = bucket + "/";
  const std::string scope = base + request.prefix;
  // Keys strictly after the continuation token (or start-after), from the prefix on.
  const std::string& after =
      request.continuation_token.empty() ? request.start_after : request.continuation_token;
  auto it = after.empty() || base + after < scope ? objects_.lower_bound(scope)
                                                  : objects_.upper_bound(base + after);
  for (; it != objects_.end() && it->first.starts_with(scope); ++it) {
    if (page.contents.size() == static_cast<std::size_t>(request.max_keys)) {
      page.truncated = true;
      page.next_token = page.contents.empty() ? after : page.contents.back().key;
      break;
    }
    page.contents.push_back({it->first.substr(base.size()), it->second.size, it->second.etag});
  }
  return page;
}

std::string NullS3Store::stats_json() const {
  std::string out = "{\"requests\":{";
  for (const auto& [name, count] : counters_.requests) append_json_field(out, name, count);
  out += "}";
  const std::pair<std::string_view, std::uint64_t> fields[] = {
      {"errors", counters_.errors},
      {"body_bytes", counters_.body_bytes},
      {"objects_written", counters_.objects_written},
      {"bytes_written", counters_.bytes_written},
      {"parts_uploaded", counters_.parts_uploaded},
      {"uploads_started", counters_.uploads_started},
      {"uploads_completed", counters_.uploads_completed},
      {"uploads_aborted", counters_.uploads_aborted},
      {"uploads_open", uploads_.size()},
      {"objects", objects_.size()},
      {"stored_bytes", stored_bytes_},
  };
  for (const auto& [name, value] : fields) append_json_field(out, name, value);
  out += "}";
  return out;
}

}  // namespace ks3::bench::nulls3

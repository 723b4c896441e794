// What ks3_null_s3 remembers (pure: no I/O): object sizes and ETags, open multipart uploads with
// their part sizes, and counters; never the bytes. It checks the multipart rules a real S3
// enforces, so a benchmark cannot pass by breaking them:
//   "Each part must be at least 5 MB in size, except the last part." (EntityTooSmall)
//   "One or more of the specified parts could not be found [...] the specified entity tag might
//    not have matched the part's entity tag." (InvalidPart)
//   "The list of parts was not in ascending order." (InvalidPartOrder)
//   "The specified multipart upload does not exist." (NoSuchUpload)
// Not thread-safe: the server runs on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench/lib/null_s3_protocol.hpp"

namespace ks3::bench::nulls3 {

struct StoredObject {
  std::uint64_t size = 0;
  std::string etag;  // quoted, as S3 sends it
};

// An S3 error answer: HTTP status and S3 code (empty code: success).
struct Failure {
  int status = 0;
  std::string code;
  std::string message;
};

struct Counters {
  std::map<std::string, std::uint64_t, std::less<>> requests;  // by operation name
  std::uint64_t errors = 0;                                    // requests answered with 4xx/5xx
  std::uint64_t body_bytes = 0;       // request body bytes received (all operations)
  std::uint64_t objects_written = 0;  // PutObject + CompleteMultipartUpload that succeeded
  std::uint64_t bytes_written = 0;    // their object sizes
  std::uint64_t parts_uploaded = 0;
  std::uint64_t uploads_started = 0;
  std::uint64_t uploads_completed = 0;
  std::uint64_t uploads_aborted = 0;
};

class NullS3Store {
 public:
  // Buckets that exist from the start; with none, every bucket name exists (created on use).
  explicit NullS3Store(std::set<std::string> buckets = {},
                       std::uint64_t min_part_size = 5ULL << 20);

  // NoSuchBucket when the bucket does not exist.
  std::optional<Failure> check_bucket(std::string_view bucket) const;
  void create_bucket(std::string_view bucket);

  void put_object(const std::string& bucket, const std::string& key, std::uint64_t size,
                  std::string etag);
  // Returns the new upload id.
  std::string create_upload(const std::string& bucket, const std::string& key);
  std::optional<Failure> upload_part(const std::string& upload_id, const std::string& bucket,
                                     const std::string& key, int part_number, std::uint64_t size,
                                     std::string etag);
  // The completed object's ETag ("<hash>-<parts>"), or the failure.
  struct CompleteResult {
    std::optional<Failure> failure;
    std::string etag;
  };
  CompleteResult complete(const std::string& upload_id, const std::string& bucket,
                          const std::string& key, const std::vector<s3::xml::CompletedPart>& parts);
  std::optional<Failure> abort(const std::string& upload_id);

  const StoredObject* find(const std::string& bucket, const std::string& key) const;
  bool remove(const std::string& bucket, const std::string& key);
  ListPage list(const std::string& bucket, const ParsedRequest& request) const;

  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }
  std::size_t object_count() const { return objects_.size(); }
  std::uint64_t stored_bytes() const { return stored_bytes_; }
  std::size_t open_uploads() const { return uploads_.size(); }

  // The counters and totals as one JSON object (GET /_ks3/stats, and the exit summary).
  std::string stats_json() const;

 private:
  struct Upload {
    std::string bucket;
    std::string key;
    std::map<int, StoredObject> parts;  // by part number
  };
  void store(const std::string& bucket, const std::string& key, StoredObject object);

  std::set<std::string, std::less<>> buckets_;
  bool any_bucket_ = false;
  std::uint64_t min_part_size_;
  // Keyed by "bucket/key": bucket names cannot contain '/', so this is unambiguous.
  std::map<std::string, StoredObject, std::less<>> objects_;
  std::map<std::string, Upload, std::less<>> uploads_;
  std::uint64_t next_upload_ = 1;
  std::uint64_t stored_bytes_ = 0;
  Counters counters_;
};

}  // namespace ks3::bench::nulls3

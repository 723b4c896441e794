// The asynchronous S3 client: operations as coroutines on one io_context, each returning an
// S3Result (the value, or an S3Error naming the operation, bucket, key, status, S3 Code and a
// hint). Behind every operation: SigV4 signing with a fresh x-amz-date per attempt, a
// keep-alive connection pool per endpoint host, timeouts on every network step, and retries
// with capped exponential backoff and full jitter within an attempt limit and a deadline.
//
//   s3::Client client(io.get_executor(), config, credentials);
//   auto put = co_await client.put_object("bucket", "dir/my key.json", s3::make_body(data));
//   if (!put) log::error("upload failed", {{"error", put.error().describe()}});
//
// Not thread-safe: call it from the io_context's thread (coroutines on that io_context).
// Operations (and multipart uploads) keep the client's internals alive while they run, so the
// Client may be destroyed with work in flight; that work still needs the io_context to run.
// Bodies are shared immutable buffers: a retry resends the same bytes without a copy.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3/client_config.hpp"
#include "s3/client_observer.hpp"
#include "s3/connection_pool.hpp"
#include "s3/credentials_provider.hpp"
#include "s3/http_message.hpp"
#include "s3/object_settings.hpp"
#include "s3/s3_error.hpp"
#include "s3/xml.hpp"

namespace ks3::s3 {

struct ObjectInfo {
  std::uint64_t size = 0;
  std::string etag;  // as S3 sends it, quotes included
  std::string content_type;
  std::string last_modified;  // the Last-Modified header (RFC 7231 date)
};

struct PutObjectResult {
  std::string etag;
};

struct GetObjectResult {
  std::string data;
  ObjectInfo info;
};

struct ListObjectsRequest {
  std::string prefix;
  std::string delimiter;           // e.g. "/" to get CommonPrefixes
  std::string continuation_token;  // from the previous page's next_continuation_token
  std::string start_after;
  int max_keys = 1000;  // S3 returns at most 1000 per page
};

using xml::CompletedPart;
using xml::ListMultipartUploadsResult;
using xml::ListObjectsV2Result;
using xml::ObjectSummary;

// True when the operation failed because the key, upload or bucket does not exist.
inline bool is_not_found(const S3Error& error) {
  return error.outcome == Outcome::not_found;
}

class Client {
 public:
  // Validates the config (throws std::invalid_argument naming the bad setting, or
  // std::runtime_error for an unusable TLS CA file: start-up only). The observer, if any, must
  // outlive the client.
  Client(boost::asio::any_io_executor executor, ClientConfig config,
         std::shared_ptr<CredentialsProvider> credentials, ClientObserver* observer = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientConfig& config() const;
  const Endpoint& endpoint() const;
  boost::asio::any_io_executor executor() const;
  ClientObserver* observer() const;  // may be null
  // Hash request bodies (SHA-256, MD5) on this executor (e.g. a thread_pool's) instead of the
  // io_context's thread; the coroutine comes back to the client's executor afterwards.
  void set_hashing_executor(boost::asio::any_io_executor executor);

  // PutObject with the upload checksum (config().checksum); Content-Type and Content-Encoding
  // (e.g. gzip) when given, and the object settings' headers (encryption, storage class, tags,
  // metadata: object_settings.hpp). The settings are an overload, not a default argument:
  // GCC 12 destroys a defaulted ObjectSettings temporary of a co_await expression wrongly
  // (free(): invalid pointer, seen in `s3 put`); a const& binds the caller's object, copied into
  // the operation before it starts.
  boost::asio::awaitable<S3Result<PutObjectResult>> put_object(std::string bucket, std::string key,
                                                               SharedBody body,
                                                               std::string content_type = {},
                                                               std::string content_encoding = {});
  boost::asio::awaitable<S3Result<PutObjectResult>> put_object(std::string bucket, std::string key,
                                                               SharedBody body,
                                                               std::string content_type,
                                                               std::string content_encoding,
                                                               const ObjectSettings& settings);
  // CreateMultipartUpload: returns the UploadId. The object settings apply to the object the
  // upload completes (UploadPart takes none). With the crc32c checksum the upload is created
  // for CRC-32C part checksums, and Complete must list them.
  boost::asio::awaitable<S3Result<std::string>> create_multipart_upload(
      std::string bucket, std::string key, std::string content_type = {});
  boost::asio::awaitable<S3Result<std::string>> create_multipart_upload(
      std::string bucket, std::string key, std::string content_type,
      const ObjectSettings& settings);
  // UploadPart (part_number 1..10000) with the upload checksum: returns what Complete needs of
  // the part (its number, ETag and CRC-32C checksum if any).
  boost::asio::awaitable<S3Result<CompletedPart>> upload_part(std::string bucket, std::string key,
                                                              std::string upload_id,
                                                              int part_number, SharedBody body);
  // CompleteMultipartUpload with the parts in ascending order. A 200 whose body is an <Error>
  // is an error (and retried when transient). NoSuchUpload on a retried attempt means an
  // earlier attempt completed the upload: the key is checked with HEAD, and if it exists the
  // result is a success.
  boost::asio::awaitable<S3Result<PutObjectResult>> complete_multipart_upload(
      std::string bucket, std::string key, std::string upload_id, std::vector<CompletedPart> parts);
  // AbortMultipartUpload. NoSuchUpload counts as done (the upload is gone either way).
  boost::asio::awaitable<S3Result<void>> abort_multipart_upload(std::string bucket, std::string key,
                                                                std::string upload_id);
  // HeadBucket: success when the bucket exists and the credentials may use it.
  boost::asio::awaitable<S3Result<void>> head_bucket(std::string bucket);
  // HeadObject: an error with is_not_found() when the key does not exist.
  boost::asio::awaitable<S3Result<ObjectInfo>> head_object(std::string bucket, std::string key);
  // GetObject into memory; objects over max_bytes fail (http body_limit) without a retry.
  boost::asio::awaitable<S3Result<GetObjectResult>> get_object(
      std::string bucket, std::string key, std::uint64_t max_bytes = std::uint64_t{1} << 30);
  // One page of ListObjectsV2.
  boost::asio::awaitable<S3Result<ListObjectsV2Result>> list_objects_v2(std::string bucket,
                                                                        ListObjectsRequest request);
  // Every object under `prefix`, following continuation tokens page after page.
  boost::asio::awaitable<S3Result<std::vector<ObjectSummary>>> list_all_objects(std::string bucket,
                                                                                std::string prefix);
  // DeleteObject (a missing key is a success, as in S3).
  boost::asio::awaitable<S3Result<void>> delete_object(std::string bucket, std::string key);

  // Connection pool counters summed over the endpoint hosts used so far.
  ConnectionPoolStats pool_stats() const;

  struct Impl;

 private:
  friend class MultipartUploads;
  // Shared with every operation in flight (and every multipart upload): an operation still
  // running when the Client is destroyed finishes safely.
  std::shared_ptr<Impl> impl_;
};

}  // namespace ks3::s3

// Private to the S3 client (client.cpp, client_core.cpp): the state behind Client and the
// retrying request loop every operation goes through.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "s3/client.hpp"
#include "s3/request_builder.hpp"
#include "s3/response_classifier.hpp"
#include "s3/sigv4.hpp"

namespace ks3::s3 {

struct Client::Impl {
  Impl(boost::asio::any_io_executor executor, ClientConfig config,
       std::shared_ptr<CredentialsProvider> credentials, ClientObserver* observer);

  // Whether a body carries the upload checksum (PutObject, UploadPart) or none.
  enum class BodyChecksum { none, upload };
  // Sets the payload hash (SHA-256 or UNSIGNED-PAYLOAD) and, for an upload, the checksum header
  // `config.checksum` names (x-amz-checksum-crc32c or Content-MD5): once per operation, on the
  // hashing executor if there is one. Returns the checksum's value (empty for none).
  boost::asio::awaitable<std::string> hash_body(OperationRequest& request, BodyChecksum checksum);

  // One try of the operation: credentials, signature, a leased connection, the exchange.
  struct Attempt {
    boost::system::error_code credentials_error;  // no credentials: nothing was sent
    boost::system::error_code transport;          // no answer was read
    HttpResponse response;
    ExchangeStats stats;
    int sends = 0;  // requests sent (more than one when a stale connection was replaced)
  };
  boost::asio::awaitable<Attempt> send_once(const OperationRequest& request);

  // Sends the operation, retrying transient failures (fresh signature each attempt, failed
  // connections discarded) until success, a permanent failure, the attempt limit or the
  // deadline. A not-found answer is returned as an error with Outcome::not_found.
  boost::asio::awaitable<S3Result<HttpResponse>> execute(const OperationRequest& request,
                                                         ExpectedBody expected = ExpectedBody::any);

  ConnectionPool& pool_for(const RequestTarget& target);
  S3Error make_error(const OperationRequest& request) const;
  S3Error credentials_failure(const OperationRequest& request, int sent,
                              const Attempt& result) const;
  S3Error failure(const OperationRequest& request, int sent, const Attempt& result,
                  const ResponseVerdict& verdict) const;

  boost::asio::any_io_executor executor;
  std::optional<boost::asio::any_io_executor> hashing_executor;
  ClientConfig config;
  Endpoint endpoint;
  bool sign_payload = false;
  std::shared_ptr<CredentialsProvider> credentials;
  ClientObserver* observer = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::map<std::string, std::unique_ptr<ConnectionPool>> pools;  // by "scheme://host:port"
  sigv4::SigningKeyCache key_cache;
};

// The operations behind Client's methods; each holds the Impl alive while it runs.
namespace ops {
using boost::asio::awaitable;
awaitable<S3Result<PutObjectResult>> put_object(std::shared_ptr<Client::Impl> impl,
                                                std::string bucket, std::string key,
                                                SharedBody body, std::string content_type,
                                                std::string content_encoding,
                                                ObjectSettings settings);
// A created multipart upload; requests_sent > 1: an earlier CreateMultipartUpload whose answer
// was lost may have created another upload of the key, which nobody knows the id of.
struct CreatedUpload {
  std::string upload_id;
  int requests_sent = 1;
};
awaitable<S3Result<CreatedUpload>> create_multipart_upload(std::shared_ptr<Client::Impl> impl,
                                                           std::string bucket, std::string key,
                                                           std::string content_type,
                                                           ObjectSettings settings);
// The same, for Client::create_multipart_upload: the UploadId only.
awaitable<S3Result<std::string>> create_multipart_upload_id(std::shared_ptr<Client::Impl> impl,
                                                            std::string bucket, std::string key,
                                                            std::string content_type,
                                                            ObjectSettings settings);
// One page of ListMultipartUploads under `prefix`, from the markers of the page before.
awaitable<S3Result<ListMultipartUploadsResult>> list_multipart_uploads(
    std::shared_ptr<Client::Impl> impl, std::string bucket, std::string prefix,
    std::string key_marker, std::string upload_id_marker);
awaitable<S3Result<CompletedPart>> upload_part(std::shared_ptr<Client::Impl> impl,
                                               std::string bucket, std::string key,
                                               std::string upload_id, int part_number,
                                               SharedBody body);
awaitable<S3Result<PutObjectResult>> complete_multipart_upload(std::shared_ptr<Client::Impl> impl,
                                                               std::string bucket, std::string key,
                                                               std::string upload_id,
                                                               std::vector<CompletedPart> parts);
awaitable<S3Result<void>> abort_multipart_upload(std::shared_ptr<Client::Impl> impl,
                                                 std::string bucket, std::string key,
                                                 std::string upload_id);
awaitable<S3Result<void>> head_bucket(std::shared_ptr<Client::Impl> impl, std::string bucket);
awaitable<S3Result<ObjectInfo>> head_object(std::shared_ptr<Client::Impl> impl, std::string bucket,
                                            std::string key);
awaitable<S3Result<GetObjectResult>> get_object(std::shared_ptr<Client::Impl> impl,
                                                std::string bucket, std::string key,
                                                std::uint64_t max_bytes);
awaitable<S3Result<ListObjectsV2Result>> list_objects_v2(std::shared_ptr<Client::Impl> impl,
                                                         std::string bucket,
                                                         ListObjectsRequest request);
awaitable<S3Result<std::vector<ObjectSummary>>> list_all_objects(std::shared_ptr<Client::Impl> impl,
                                                                 std::string bucket,
                                                                 std::string prefix);
awaitable<S3Result<void>> delete_object(std::shared_ptr<Client::Impl> impl, std::string bucket,
                                        std::string key);
}  // namespace ops

}  // namespace ks3::s3

// The S3 operations (see client.hpp); each builds its request and reads its answer, the
// retrying loop is in client_core.cpp.
#include "s3/client.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "metrics/log.hpp"
#include "s3/client_impl.hpp"

namespace ks3::s3 {
namespace asio = boost::asio;
using asio::awaitable;

namespace {

OperationRequest make_request(std::string_view operation, std::string method, std::string bucket,
                              std::string key) {
  OperationRequest request;
  request.operation = operation;
  request.method = std::move(method);
  request.bucket = std::move(bucket);
  request.key = std::move(key);
  return request;
}

S3Error malformed(S3Error error, std::string message) {
  error.error = make_error_code(Errc::malformed_response);
  error.message = std::move(message);
  error.outcome = Outcome::fail;
  return error;
}

ObjectInfo object_info(const HttpResponse& response) {
  ObjectInfo info;
  const std::string_view length = response.header("content-length");
  std::from_chars(length.data(), length.data() + length.size(), info.size);
  info.etag = std::string(response.header("etag"));
  info.content_type = std::string(response.header("content-type"));
  info.last_modified = std::string(response.header("last-modified"));
  return info;
}

}  // namespace

Client::Client(asio::any_io_executor executor, ClientConfig config,
               std::shared_ptr<CredentialsProvider> credentials, ClientObserver* observer)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), std::move(credentials),
                                   observer)) {}

Client::~Client() = default;

const ClientConfig& Client::config() const {
  return impl_->config;
}
const Endpoint& Client::endpoint() const {
  return impl_->endpoint;
}
asio::any_io_executor Client::executor() const {
  return impl_->executor;
}
ClientObserver* Client::observer() const {
  return impl_->observer;
}
void Client::set_hashing_executor(asio::any_io_executor executor) {
  impl_->hashing_executor = std::move(executor);
}

awaitable<S3Result<PutObjectResult>> ops::put_object(std::shared_ptr<Client::Impl> impl,
                                                     std::string bucket, std::string key,
                                                     SharedBody body, std::string content_type,
                                                     std::string content_encoding,
                                                     ObjectSettings settings) {
  OperationRequest request = make_request("PutObject", "PUT", std::move(bucket), std::move(key));
  request.body = body ? std::move(body) : make_body({});
  if (!content_type.empty()) request.headers.emplace_back("content-type", std::move(content_type));
  if (!content_encoding.empty()) {
    request.headers.emplace_back("content-encoding", std::move(content_encoding));
  }
  for (auto& header : object_headers(settings)) request.headers.push_back(std::move(header));
  co_await impl->hash_body(request, Client::Impl::BodyChecksum::upload);
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  co_return PutObjectResult{std::string(response->header("etag"))};
}

awaitable<S3Result<ops::CreatedUpload>> ops::create_multipart_upload(
    std::shared_ptr<Client::Impl> impl, std::string bucket, std::string key,
    std::string content_type, ObjectSettings settings) {
  OperationRequest request =
      make_request("CreateMultipartUpload", "POST", std::move(bucket), std::move(key));
  request.query.emplace_back("uploads", "");
  if (!content_type.empty()) request.headers.emplace_back("content-type", std::move(content_type));
  for (auto& header : object_headers(settings)) request.headers.push_back(std::move(header));
  // "x-amz-checksum-algorithm: Indicates the algorithm that you want Amazon S3 to use to create
  //  the checksum for the object": the parts then carry theirs, and Complete lists them.
  if (impl->config.checksum == UploadChecksum::crc32c) {
    request.headers.emplace_back("x-amz-checksum-algorithm", "CRC32C");
  }
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  const auto parsed = xml::parse_initiate_multipart_upload(response->body);
  if (!parsed || parsed->upload_id.empty()) {
    co_return malformed(impl->make_error(request),
                        "the answer holds no InitiateMultipartUploadResult/UploadId");
  }
  co_return CreatedUpload{parsed->upload_id, response->requests_sent};
}

awaitable<S3Result<std::string>> ops::create_multipart_upload_id(std::shared_ptr<Client::Impl> impl,
                                                                 std::string bucket,
                                                                 std::string key,
                                                                 std::string content_type,
                                                                 ObjectSettings settings) {
  auto created =
      co_await create_multipart_upload(std::move(impl), std::move(bucket), std::move(key),
                                       std::move(content_type), std::move(settings));
  if (!created) co_return created.error();
  co_return S3Result<std::string>(boost::system::in_place_value, std::move(created->upload_id));
}

awaitable<S3Result<ListMultipartUploadsResult>> ops::list_multipart_uploads(
    std::shared_ptr<Client::Impl> impl, std::string bucket, std::string prefix,
    std::string key_marker, std::string upload_id_marker) {
  OperationRequest request = make_request("ListMultipartUploads", "GET", std::move(bucket), {});
  request.query.emplace_back("uploads", "");
  // Keys are sent URL-encoded: XML 1.0 cannot carry every byte a key may hold.
  request.query.emplace_back("encoding-type", "url");
  if (!prefix.empty()) request.query.emplace_back("prefix", std::move(prefix));
  if (!key_marker.empty()) request.query.emplace_back("key-marker", std::move(key_marker));
  if (!upload_id_marker.empty()) {
    request.query.emplace_back("upload-id-marker", std::move(upload_id_marker));
  }
  request.response_body_limit = 16 * 1024 * 1024;
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  auto parsed = xml::parse_list_multipart_uploads(response->body);
  if (!parsed) {
    co_return malformed(impl->make_error(request),
                        "the answer is not a ListMultipartUploadsResult that can be continued");
  }
  co_return std::move(*parsed);
}

awaitable<S3Result<CompletedPart>> ops::upload_part(std::shared_ptr<Client::Impl> impl,
                                                    std::string bucket, std::string key,
                                                    std::string upload_id, int part_number,
                                                    SharedBody body) {
  OperationRequest request = make_request("UploadPart", "PUT", std::move(bucket), std::move(key));
  // "Part numbers can be any number from 1 to 10,000, inclusive."
  if (part_number < 1 || part_number > 10000) {
    S3Error error = impl->make_error(request);
    error.error = make_error_code(Errc::invalid_argument);
    error.message = "part number " + std::to_string(part_number) + " is outside 1..10000";
    co_return error;
  }
  request.query.emplace_back("partNumber", std::to_string(part_number));
  request.query.emplace_back("uploadId", std::move(upload_id));
  request.body = body ? std::move(body) : make_body({});
  std::string checksum = co_await impl->hash_body(request, Client::Impl::BodyChecksum::upload);
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  const std::string_view etag = response->header("etag");
  if (etag.empty()) co_return malformed(impl->make_error(request), "the answer has no ETag");
  CompletedPart part{part_number, std::string(etag), {}};
  if (impl->config.checksum == UploadChecksum::crc32c) part.checksum_crc32c = std::move(checksum);
  co_return part;
}

awaitable<S3Result<PutObjectResult>> ops::complete_multipart_upload(
    std::shared_ptr<Client::Impl> impl, std::string bucket, std::string key, std::string upload_id,
    std::vector<CompletedPart> parts) {
  OperationRequest request =
      make_request("CompleteMultipartUpload", "POST", std::move(bucket), std::move(key));
  request.query.emplace_back("uploadId", upload_id);
  request.headers.emplace_back("content-type", "application/xml");
  request.body = make_body(xml::build_complete_multipart_upload(parts));
  co_await impl->hash_body(request, Client::Impl::BodyChecksum::none);
  auto response = co_await impl->execute(request, ExpectedBody::complete_result);
  if (response) {
    const auto parsed = xml::parse_complete_multipart_upload(response->body);
    const auto* result =
        parsed ? std::get_if<xml::CompleteMultipartUploadResult>(&*parsed) : nullptr;
    co_return PutObjectResult{result ? result->etag : std::string()};
  }
  // An earlier attempt may have completed the upload and lost its answer: S3 then forgets the
  // upload id, and the retry gets NoSuchUpload. If the object is there, it is ours.
  const S3Error& error = response.error();
  if (error.code != "NoSuchUpload" || error.attempts < 2) co_return error;
  auto head = co_await ops::head_object(impl, request.bucket, request.key);
  if (!head) co_return error;
  log::info(
      "CompleteMultipartUpload answered NoSuchUpload on a retry but the object exists: "
      "an earlier attempt completed it",
      {{"bucket", request.bucket}, {"key", request.key}, {"upload_id", upload_id}});
  co_return PutObjectResult{head->etag};
}

awaitable<S3Result<void>> ops::abort_multipart_upload(std::shared_ptr<Client::Impl> impl,
                                                      std::string bucket, std::string key,
                                                      std::string upload_id) {
  OperationRequest request =
      make_request("AbortMultipartUpload", "DELETE", std::move(bucket), std::move(key));
  request.query.emplace_back("uploadId", std::move(upload_id));
  auto response = co_await impl->execute(request);
  // NoSuchUpload: already aborted (or completed) by an earlier attempt; nothing is left over.
  if (!response && !(is_not_found(response.error()) && response.error().code == "NoSuchUpload")) {
    co_return response.error();
  }
  co_return S3Result<void>{};
}

awaitable<S3Result<void>> ops::head_bucket(std::shared_ptr<Client::Impl> impl, std::string bucket) {
  OperationRequest request = make_request("HeadBucket", "HEAD", std::move(bucket), {});
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  co_return S3Result<void>{};
}

awaitable<S3Result<ObjectInfo>> ops::head_object(std::shared_ptr<Client::Impl> impl,
                                                 std::string bucket, std::string key) {
  OperationRequest request = make_request("HeadObject", "HEAD", std::move(bucket), std::move(key));
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  co_return object_info(*response);
}

awaitable<S3Result<GetObjectResult>> ops::get_object(std::shared_ptr<Client::Impl> impl,
                                                     std::string bucket, std::string key,
                                                     std::uint64_t max_bytes) {
  OperationRequest request = make_request("GetObject", "GET", std::move(bucket), std::move(key));
  request.response_body_limit = max_bytes;
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  GetObjectResult result;
  result.info = object_info(*response);
  result.info.size = response->body.size();
  result.data = std::move(response->body);
  co_return result;
}

awaitable<S3Result<ListObjectsV2Result>> ops::list_objects_v2(std::shared_ptr<Client::Impl> impl,
                                                              std::string bucket,
                                                              ListObjectsRequest list) {
  OperationRequest request = make_request("ListObjectsV2", "GET", std::move(bucket), {});
  request.query.emplace_back("list-type", "2");
  // Keys are sent URL-encoded: XML 1.0 cannot carry every byte a key may hold.
  request.query.emplace_back("encoding-type", "url");
  request.query.emplace_back("max-keys", std::to_string(list.max_keys));
  if (!list.prefix.empty()) request.query.emplace_back("prefix", list.prefix);
  if (!list.delimiter.empty()) request.query.emplace_back("delimiter", list.delimiter);
  if (!list.continuation_token.empty()) {
    request.query.emplace_back("continuation-token", list.continuation_token);
  }
  if (!list.start_after.empty()) request.query.emplace_back("start-after", list.start_after);
  request.response_body_limit = 64 * 1024 * 1024;
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  auto parsed = xml::parse_list_objects_v2(response->body);
  if (!parsed) {
    co_return malformed(impl->make_error(request), "the answer is not a ListBucketResult");
  }
  if (parsed->is_truncated && parsed->next_continuation_token.empty()) {
    co_return malformed(impl->make_error(request),
                        "a truncated listing came without NextContinuationToken");
  }
  co_return std::move(*parsed);
}

awaitable<S3Result<std::vector<ObjectSummary>>> ops::list_all_objects(
    std::shared_ptr<Client::Impl> impl, std::string bucket, std::string prefix) {
  std::vector<ObjectSummary> all;
  ListObjectsRequest page_request;
  page_request.prefix = std::move(prefix);
  for (;;) {
    auto page = co_await ops::list_objects_v2(impl, bucket, page_request);
    if (!page) co_return page.error();
    for (auto& object : page->contents) all.push_back(std::move(object));
    if (!page->is_truncated) break;
    page_request.continuation_token = std::move(page->next_continuation_token);
  }
  co_return all;
}

awaitable<S3Result<void>> ops::delete_object(std::shared_ptr<Client::Impl> impl, std::string bucket,
                                             std::string key) {
  OperationRequest request =
      make_request("DeleteObject", "DELETE", std::move(bucket), std::move(key));
  auto response = co_await impl->execute(request);
  if (!response) co_return response.error();
  co_return S3Result<void>{};
}

awaitable<S3Result<PutObjectResult>> Client::put_object(std::string bucket, std::string key,
                                                        SharedBody body, std::string content_type,
                                                        std::string content_encoding) {
  return ops::put_object(impl_, std::move(bucket), std::move(key), std::move(body),
                         std::move(content_type), std::move(content_encoding), ObjectSettings{});
}

awaitable<S3Result<PutObjectResult>> Client::put_object(std::string bucket, std::string key,
                                                        SharedBody body, std::string content_type,
                                                        std::string content_encoding,
                                                        const ObjectSettings& settings) {
  return ops::put_object(impl_, std::move(bucket), std::move(key), std::move(body),
                         std::move(content_type), std::move(content_encoding), settings);
}

awaitable<S3Result<std::string>> Client::create_multipart_upload(std::string bucket,
                                                                 std::string key,
                                                                 std::string content_type) {
  return create_multipart_upload(std::move(bucket), std::move(key), std::move(content_type),
                                 ObjectSettings{});
}

awaitable<S3Result<std::string>> Client::create_multipart_upload(std::string bucket,
                                                                 std::string key,
                                                                 std::string content_type,
                                                                 const ObjectSettings& settings) {
  // Not a coroutine itself: `settings` is copied into the operation's frame before returning.
  return ops::create_multipart_upload_id(impl_, std::move(bucket), std::move(key),
                                         std::move(content_type), settings);
}

awaitable<S3Result<CompletedPart>> Client::upload_part(std::string bucket, std::string key,
                                                       std::string upload_id, int part_number,
                                                       SharedBody body) {
  return ops::upload_part(impl_, std::move(bucket), std::move(key), std::move(upload_id),
                          part_number, std::move(body));
}

awaitable<S3Result<PutObjectResult>> Client::complete_multipart_upload(
    std::string bucket, std::string key, std::string upload_id, std::vector<CompletedPart> parts) {
  return ops::complete_multipart_upload(impl_, std::move(bucket), std::move(key),
                                        std::move(upload_id), std::move(parts));
}

awaitable<S3Result<void>> Client::abort_multipart_upload(std::string bucket, std::string key,
                                                         std::string upload_id) {
  return ops::abort_multipart_upload(impl_, std::move(bucket), std::move(key),
                                     std::move(upload_id));
}

awaitable<S3Result<void>> Client::head_bucket(std::string bucket) {
  return ops::head_bucket(impl_, std::move(bucket));
}

awaitable<S3Result<ObjectInfo>> Client::head_object(std::string bucket, std::string key) {
  return ops::head_object(impl_, std::move(bucket), std::move(key));
}

awaitable<S3Result<GetObjectResult>> Client::get_object(std::string bucket, std::string key,
                                                        std::uint64_t max_bytes) {
  return ops::get_object(impl_, std::move(bucket), std::move(key), max_bytes);
}

awaitable<S3Result<ListObjectsV2Result>> Client::list_objects_v2(std::string bucket,
                                                                 ListObjectsRequest list) {
  return ops::list_objects_v2(impl_, std::move(bucket), std::move(list));
}

awaitable<S3Result<std::vector<ObjectSummary>>> Client::list_all_objects(std::string bucket,
                                                                         std::string prefix) {
  return ops::list_all_objects(impl_, std::move(bucket), std::move(prefix));
}

awaitable<S3Result<void>> Client::delete_object(std::string bucket, std::string key) {
  return ops::delete_object(impl_, std::move(bucket), std::move(key));
}

ConnectionPoolStats Client::pool_stats() const {
  ConnectionPoolStats total;
  for (const auto& [key, pool] : impl_->pools) {
    const ConnectionPoolStats stats = pool->stats();
    total.opened += stats.opened;
    total.reused += stats.reused;
    total.discarded += stats.discarded;
    total.idle += stats.idle;
    total.leased += stats.leased;
  }
  return total;
}

}  // namespace ks3::s3

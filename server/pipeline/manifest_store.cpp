#include "server/pipeline/manifest_store.hpp"

namespace ks3::server {
namespace asio = boost::asio;

asio::awaitable<s3::S3Result<ManifestStore::Page>> S3ManifestStore::list(std::string prefix,
                                                                         std::string start_after,
                                                                         std::string token) {
  s3::ListObjectsRequest request;
  request.prefix = std::move(prefix);
  request.start_after = std::move(start_after);
  request.continuation_token = std::move(token);
  auto listed = co_await client_.list_objects_v2(bucket_, std::move(request));
  if (!listed) co_return listed.error();
  Page page;
  page.keys.reserve(listed->contents.size());
  for (auto& object : listed->contents) page.keys.push_back(std::move(object.key));
  if (listed->is_truncated) page.next_token = std::move(listed->next_continuation_token);
  co_return page;
}

asio::awaitable<s3::S3Result<void>> S3ManifestStore::put(std::string key, std::string body) {
  auto put = co_await client_.put_object(bucket_, std::move(key), s3::make_body(std::move(body)),
                                         "application/json", {}, settings_);
  if (!put) co_return put.error();
  co_return s3::S3Result<void>{};
}

asio::awaitable<s3::S3Result<std::string>> S3ManifestStore::get(std::string key) {
  // A manifest is a few hundred bytes per object it lists; anything past 16 MiB is not one.
  auto got = co_await client_.get_object(bucket_, std::move(key), std::uint64_t{16} << 20);
  if (!got) co_return got.error();
  co_return s3::S3Result<std::string>(boost::system::in_place_value, std::move(got->data));
}

asio::awaitable<s3::S3Result<bool>> S3ManifestStore::exists(std::string key) {
  auto head = co_await client_.head_object(bucket_, std::move(key));
  if (head) co_return s3::S3Result<bool>(boost::system::in_place_value, true);
  if (s3::is_not_found(head.error())) {
    co_return s3::S3Result<bool>(boost::system::in_place_value, false);
  }
  co_return head.error();
}

}  // namespace ks3::server

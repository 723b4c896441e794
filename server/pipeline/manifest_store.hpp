// Where the pipeline reads and writes cut manifests (server/delivery/manifest.hpp): S3 in the
// daemon. Only the operations the pipeline needs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "s3/client.hpp"
#include "s3/s3_error.hpp"

namespace ks3::server {

class ManifestStore {
 public:
  virtual ~ManifestStore() = default;

  struct Page {
    std::vector<std::string> keys;
    std::string next_token;  // empty on the last page
  };
  // One page of the keys under `prefix` after `start_after` ("" for none), in key order;
  // `token` continues a listing (the previous page's next_token).
  virtual boost::asio::awaitable<s3::S3Result<Page>> list(std::string prefix,
                                                          std::string start_after,
                                                          std::string token) = 0;
  virtual boost::asio::awaitable<s3::S3Result<void>> put(std::string key, std::string body) = 0;
  // A manifest's body.
  virtual boost::asio::awaitable<s3::S3Result<std::string>> get(std::string key) = 0;
  // Whether an object exists (HEAD); an error only when S3 could not tell.
  virtual boost::asio::awaitable<s3::S3Result<bool>> exists(std::string key) = 0;
};

// Manifests in the sink's bucket, through the S3 client (and its retry policy: an operation
// that fails here failed every attempt the client makes). `settings` go with every manifest
// PUT: the sink passes s3::encryption_only of its object settings (README, "Object settings").
class S3ManifestStore final : public ManifestStore {
 public:
  S3ManifestStore(s3::Client& client, std::string bucket, s3::ObjectSettings settings = {})
      : client_(client), bucket_(std::move(bucket)), settings_(std::move(settings)) {}

  boost::asio::awaitable<s3::S3Result<Page>> list(std::string prefix, std::string start_after,
                                                  std::string token) override;
  boost::asio::awaitable<s3::S3Result<void>> put(std::string key, std::string body) override;
  boost::asio::awaitable<s3::S3Result<std::string>> get(std::string key) override;
  boost::asio::awaitable<s3::S3Result<bool>> exists(std::string key) override;

 private:
  s3::Client& client_;
  std::string bucket_;
  s3::ObjectSettings settings_;
};

}  // namespace ks3::server

// Where the client gets credentials for each request. The client calls get() before signing
// every attempt, so providers of temporary credentials can refresh them before they expire.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "s3/credentials.hpp"

namespace ks3::s3 {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials; an error (Errc::credentials_unavailable or a transport error) when
  // none can be had. Called on the client's io_context.
  virtual boost::asio::awaitable<boost::system::result<Credentials>> get() = 0;
  // Where the credentials come from, for logs and --validate: "environment", "profile default
  // (~/.aws/credentials)", "web identity (role arn:aws:iam::...)". Never a secret.
  virtual std::string describe() const = 0;
};

// Fixed credentials (configuration, environment, shared files).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  StaticCredentialsProvider(Credentials credentials, std::string source)
      : credentials_(std::move(credentials)), source_(std::move(source)) {}

  boost::asio::awaitable<boost::system::result<Credentials>> get() override {
    co_return credentials_;
  }
  std::string describe() const override { return source_; }

 private:
  Credentials credentials_;
  std::string source_;
};

inline std::shared_ptr<CredentialsProvider> make_static_credentials(Credentials credentials,
                                                                    std::string source) {
  return std::make_shared<StaticCredentialsProvider>(std::move(credentials), std::move(source));
}

}  // namespace ks3::s3

// Temporary credentials from STS AssumeRoleWithWebIdentity (EKS IRSA and the like): fetched on
// first use, cached, and fetched again `refresh_margin` before they expire. The token file is
// read again on each fetch (Kubernetes rotates it). Concurrent callers share one fetch.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "s3/async_semaphore.hpp"
#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "s3/credentials_provider.hpp"
#include "s3/endpoint.hpp"
#include "s3/http_connection.hpp"
#include "s3/retry_policy.hpp"

namespace ks3::s3 {

class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // Throws std::invalid_argument for a bad STS endpoint URL, std::runtime_error for an
  // unusable TLS CA file (start-up only).
  WebIdentityCredentialsProvider(boost::asio::any_io_executor executor,
                                 WebIdentitySettings settings, const TlsOptions& tls,
                                 HttpTimeouts timeouts, FileReader read_file,
                                 RetryConfig retry = {3, std::chrono::milliseconds(200),
                                                      std::chrono::milliseconds(2000),
                                                      std::chrono::milliseconds(30000)},
                                 WallClock clock = std::chrono::system_clock::now);

  boost::asio::awaitable<boost::system::result<Credentials>> get() override;
  std::string describe() const override;

  std::chrono::seconds refresh_margin{std::chrono::minutes(5)};
  std::uint64_t fetches() const { return fetches_; }  // STS calls that succeeded (tests)

 private:
  boost::asio::awaitable<boost::system::result<Credentials>> fetch();
  boost::asio::awaitable<boost::system::result<Credentials>> fetch_once(const std::string& token,
                                                                        Outcome& outcome);

  boost::asio::any_io_executor executor_;
  WebIdentitySettings settings_;
  Endpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  bool verify_tls_ = true;
  HttpTimeouts timeouts_;
  FileReader read_file_;
  RetryConfig retry_;
  WallClock clock_;
  AsyncSemaphore refresh_lock_;
  std::optional<Credentials> cached_;
  std::uint64_t fetches_ = 0;
};

}  // namespace ks3::s3

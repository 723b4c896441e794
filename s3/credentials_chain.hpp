// The credentials chain: which source gives the keys, decided once at start-up, in the order
// the AWS SDKs use (configuration first):
//   1. the sink's configuration (access_key_id + secret_access_key [+ session_token])
//   2. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]
//   3. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE [+ AWS_ROLE_SESSION_NAME]
//      (EKS IRSA), or role_arn + web_identity_token_file in the profile -> STS
//      AssumeRoleWithWebIdentity, refreshed before expiry
//   4. shared files: the profile (configured, else AWS_PROFILE, else "default") in
//      ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE)
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "s3/aws_profile.hpp"
#include "s3/credentials.hpp"
#include "s3/credentials_provider.hpp"
#include "s3/http_connection.hpp"
#include "s3/tls_context.hpp"

namespace ks3::s3 {

// The credentials part of the sink's configuration (all optional).
struct CredentialsConfig {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;  // overrides AWS_PROFILE
};

struct WebIdentitySettings {
  std::string role_arn;
  std::string token_file;
  std::string session_name;  // default "kafka-s3-sink-<unix seconds>"
  std::string region;        // STS region (the S3 region)
  std::string sts_endpoint;  // AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL (tests, private STS)
  std::chrono::seconds duration{3600};
};

struct CredentialSource {
  enum class Kind { config, environment, web_identity, profile };
  Kind kind = Kind::config;
  Credentials credentials;           // config, environment, profile
  WebIdentitySettings web_identity;  // web_identity
  std::string description;           // for logs: never a secret
};

// Picks the source. Throws std::runtime_error naming what is missing or inconsistent (an
// access key id without a secret, no source at all) and how to fix it (start-up only).
CredentialSource resolve_credential_source(const CredentialsConfig& config, std::string_view region,
                                           const EnvLookup& env, const FileReader& read_file);

// The provider for a resolved source: static for keys, a refreshing STS provider for web
// identity (its HTTPS client uses `tls` and `timeouts`).
std::shared_ptr<CredentialsProvider> make_credentials_provider(
    boost::asio::any_io_executor executor, const CredentialSource& source,
    const TlsOptions& tls = {}, const HttpTimeouts& timeouts = {},
    FileReader read_file = local_file_reader());

}  // namespace ks3::s3

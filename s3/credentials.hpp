// AWS credentials as the signer uses them, and a printer that never shows a secret.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ks3::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials (STS)
  // When temporary credentials stop working; empty for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;

  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
};

// "AKIA...MPLE (secret set, session token set)": safe for logs and --validate output. Only the
// first four and last four characters of the access key id are shown; never the secret or token.
std::string redacted(const Credentials& credentials);

}  // namespace ks3::s3

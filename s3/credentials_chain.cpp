#include "s3/credentials_chain.hpp"

#include <stdexcept>

#include "s3/web_identity_provider.hpp"

namespace ks3::s3 {
namespace {

// Both halves of a key pair, or neither: half a pair is a configuration mistake to report,
// not a reason to fall through to another source silently.
bool complete_pair(const Credentials& c, std::string_view where) {
  if (c.access_key_id.empty() && c.secret_access_key.empty()) return false;
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw std::runtime_error(std::string(where) + " sets only one of the access key id and the " +
                             "secret access key: set both, or neither to use another source");
  }
  return true;
}

std::string default_session_name() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "kafka-s3-sink-" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

WebIdentitySettings web_identity_settings(std::string role_arn, std::string token_file,
                                          std::string session_name, std::string_view region,
                                          const EnvLookup& env) {
  WebIdentitySettings out;
  out.role_arn = std::move(role_arn);
  out.token_file = std::move(token_file);
  out.session_name = session_name.empty() ? default_session_name() : std::move(session_name);
  out.region = std::string(region);
  out.sts_endpoint = env("AWS_ENDPOINT_URL_STS").value_or(env("AWS_ENDPOINT_URL").value_or(""));
  // AWS_STS_REGIONAL_ENDPOINTS=legacy: the global endpoint, as the older SDKs did.
  if (env("AWS_STS_REGIONAL_ENDPOINTS").value_or("") == "legacy") out.region.clear();
  return out;
}

}  // namespace

CredentialSource resolve_credential_source(const CredentialsConfig& config, std::string_view region,
                                           const EnvLookup& env, const FileReader& read_file) {
  CredentialSource out;
  const Credentials configured{config.access_key_id, config.secret_access_key, config.session_token,
                               std::nullopt};
  if (complete_pair(configured, "the configuration (s3 access_key_id / secret_access_key)")) {
    return CredentialSource{CredentialSource::Kind::config, configured, {}, "configuration"};
  }
  const Credentials from_env{env("AWS_ACCESS_KEY_ID").value_or(""),
                             env("AWS_SECRET_ACCESS_KEY").value_or(""),
                             env("AWS_SESSION_TOKEN").value_or(""), std::nullopt};
  if (complete_pair(from_env, "the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")) {
    return CredentialSource{CredentialSource::Kind::environment, from_env, {}, "environment"};
  }
  const auto role_arn = env("AWS_ROLE_ARN");
  const auto token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (role_arn.has_value() != token_file.has_value()) {
    throw std::runtime_error(
        "web identity needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; only " +
        std::string(role_arn ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") + " is set");
  }
  if (role_arn) {
    out.kind = CredentialSource::Kind::web_identity;
    out.web_identity = web_identity_settings(
        *role_arn, *token_file, env("AWS_ROLE_SESSION_NAME").value_or(""), region, env);
    out.description = "web identity (role " + *role_arn + ", token file " + *token_file + ")";
    return out;
  }
  const std::string profile = active_profile(config.profile, env);
  const ProfileSettings settings = load_profile(profile, env, read_file);
  const SharedFilePaths paths = shared_file_paths(env);
  const std::string where =
      "profile " + profile + " (" + paths.credentials + ", " + paths.config + ")";
  if (complete_pair(settings.credentials, where)) {
    return CredentialSource{CredentialSource::Kind::profile, settings.credentials, {}, where};
  }
  if (!settings.role_arn.empty() && !settings.web_identity_token_file.empty()) {
    out.kind = CredentialSource::Kind::web_identity;
    out.web_identity = web_identity_settings(settings.role_arn, settings.web_identity_token_file,
                                             settings.role_session_name, region, env);
    out.description = "web identity from " + where + " (role " + settings.role_arn + ")";
    return out;
  }
  throw std::runtime_error(
      "no AWS credentials found: set s3 access_key_id and secret_access_key in the "
      "configuration, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_ROLE_ARN and "
      "AWS_WEB_IDENTITY_TOKEN_FILE, or a profile in " +
      paths.credentials +
      (settings.found ? " (profile " + profile + " has no keys)"
                      : " (profile " + profile + " not found)"));
}

std::shared_ptr<CredentialsProvider> make_credentials_provider(
    boost::asio::any_io_executor executor, const CredentialSource& source, const TlsOptions& tls,
    const HttpTimeouts& timeouts, FileReader read_file) {
  if (source.kind == CredentialSource::Kind::web_identity) {
    return std::make_shared<WebIdentityCredentialsProvider>(
        std::move(executor), source.web_identity, tls, timeouts, std::move(read_file));
  }
  return make_static_credentials(source.credentials, source.description);
}

}  // namespace ks3::s3

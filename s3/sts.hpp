// AWS STS AssumeRoleWithWebIdentity, the pure parts: the request and the response.
//
// "Calling AssumeRoleWithWebIdentity does not require the use of AWS security credentials":
// the request is an unsigned POST of a form (Action, Version, RoleArn, RoleSessionName,
// WebIdentityToken, DurationSeconds) to the STS endpoint.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "s3/credentials.hpp"
#include "s3/xml.hpp"

namespace ks3::s3::sts {

struct WebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // the token file's content (a secret: never logged)
  std::chrono::seconds duration{3600};
};

// The application/x-www-form-urlencoded body of the POST.
std::string build_assume_role_with_web_identity_body(const WebIdentityRequest& request);

// The STS endpoint URL: `override_url` if set (AWS_ENDPOINT_URL_STS, tests), else the regional
// endpoint "https://sts.<region>.amazonaws.com" (the global https://sts.amazonaws.com when the
// region is empty).
std::string endpoint_url(std::string_view region, std::string_view override_url);

// The credentials of an <AssumeRoleWithWebIdentityResponse>. An <ErrorResponse> gives
// Errc::service_error with the STS error in *error; anything else Errc::malformed_response.
boost::system::result<Credentials> parse_assume_role_with_web_identity(
    std::string_view body, xml::ErrorBody* error = nullptr);

// Parses "2014-10-24T23:00:23Z" (fractional seconds allowed) as UTC.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// Temporary credentials are refreshed `margin` before they expire (long-term ones never).
bool needs_refresh(const Credentials& credentials, std::chrono::system_clock::time_point now,
                   std::chrono::seconds margin = std::chrono::minutes(5));

}  // namespace ks3::s3::sts

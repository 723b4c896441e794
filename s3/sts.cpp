#include "s3/sts.hpp"

#include <charconv>
#include <ctime>

#include "s3/s3_error.hpp"
#include "s3/uri_encode.hpp"
#include "s3/xml_document.hpp"

namespace ks3::s3::sts {
namespace {

bool parse_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  const char* begin = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + len, out);
  return ec == std::errc{} && ptr == begin + len;
}

}  // namespace

std::string build_assume_role_with_web_identity_body(const WebIdentityRequest& request) {
  // Form encoding of each value; SigV4's encoder is a valid (stricter) form encoder.
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15";
  body += "&RoleArn=" + uri_encode(request.role_arn, false);
  body += "&RoleSessionName=" + uri_encode(request.role_session_name, false);
  body += "&WebIdentityToken=" + uri_encode(request.web_identity_token, false);
  body += "&DurationSeconds=" + std::to_string(request.duration.count());
  return body;
}

std::string endpoint_url(std::string_view region, std::string_view override_url) {
  if (!override_url.empty()) return std::string(override_url);
  if (region.empty()) return "https://sts.amazonaws.com";
  return "https://sts." + std::string(region) + ".amazonaws.com";
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  if (!parse_int(text, 0, 4, year) || !parse_int(text, 5, 2, month) ||
      !parse_int(text, 8, 2, day) || !parse_int(text, 11, 2, hour) ||
      !parse_int(text, 14, 2, minute) || !parse_int(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (text.size() > 20 && text[19] != '.') return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

boost::system::result<Credentials> parse_assume_role_with_web_identity(std::string_view body,
                                                                       xml::ErrorBody* error) {
  const auto doc = xml::Document::parse(body);
  if (!doc) return make_error_code(Errc::malformed_response);
  const xml::Node root = doc->root();
  if (root.name() == "ErrorResponse") {
    // <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
    if (error != nullptr) {
      const xml::Node e = root.child("Error");
      *error = xml::ErrorBody{e.child_text("Code"), e.child_text("Message"),
                              root.child_text("RequestId"), ""};
    }
    return make_error_code(Errc::service_error);
  }
  if (root.name() != "AssumeRoleWithWebIdentityResponse") {
    return make_error_code(Errc::malformed_response);
  }
  const xml::Node c = root.child("AssumeRoleWithWebIdentityResult").child("Credentials");
  Credentials out{c.child_text("AccessKeyId"), c.child_text("SecretAccessKey"),
                  c.child_text("SessionToken"), parse_iso8601(c.child_text("Expiration"))};
  if (out.empty() || out.session_token.empty() || !out.expiration) {
    return make_error_code(Errc::malformed_response);
  }
  return out;
}

bool needs_refresh(const Credentials& credentials, std::chrono::system_clock::time_point now,
                   std::chrono::seconds margin) {
  return credentials.expiration.has_value() && now + margin >= *credentials.expiration;
}

}  // namespace ks3::s3::sts

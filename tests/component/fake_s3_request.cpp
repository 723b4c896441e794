#include "tests/component/fake_s3_request.hpp"

#include <cctype>
#include <chrono>
#include <ctime>

#include "s3/sigv4.hpp"

namespace ks3::test {
namespace {

// SigV4's encoding of a path (the fake's own, independent of the client's): every byte but
// A-Z a-z 0-9 - _ . ~ and '/' as %XX with uppercase hex.
std::string canonical_path(std::string_view decoded) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : decoded) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = hex(in[i + 1]);
    const int lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// Pieces of "AWS4-HMAC-SHA256 Credential=AK/date/region/s3/aws4_request, SignedHeaders=a;b,
// Signature=hex".
struct ParsedAuthorization {
  std::string access_key_id;
  std::vector<std::string> signed_headers;
  std::string signature;
};

bool parse_authorization(std::string_view value, ParsedAuthorization& out) {
  constexpr std::string_view kPrefix = "AWS4-HMAC-SHA256 ";
  if (value.substr(0, kPrefix.size()) != kPrefix) return false;
  value.remove_prefix(kPrefix.size());
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view name = item.substr(0, eq);
    const std::string_view content = item.substr(eq + 1);
    if (name == "Credential") {
      out.access_key_id = std::string(content.substr(0, content.find('/')));
    } else if (name == "SignedHeaders") {
      std::string_view rest = content;
      while (!rest.empty()) {
        const auto semi = rest.find(';');
        out.signed_headers.emplace_back(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      }
    } else if (name == "Signature") {
      out.signature = std::string(content);
    }
  }
  return !out.access_key_id.empty() && !out.signed_headers.empty() && !out.signature.empty();
}

}  // namespace

bool parse_amz_date(const std::string& text, std::chrono::system_clock::time_point& out) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (!end || *end != '\0') return false;
  out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

ParsedTarget split_target(std::string_view target) {
  ParsedTarget out;
  const auto question = target.find('?');
  out.raw_path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return out;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string name;
    std::string value;
    percent_decode(item.substr(0, eq), name);
    if (eq != std::string_view::npos) percent_decode(item.substr(eq + 1), value);
    out.query.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

FakeRequest make_fake_request(std::string method,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const ParsedTarget& target, std::string body) {
  FakeRequest request;
  request.method = std::move(method);
  for (const auto& [field, value] : headers) {
    std::string name = field;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = value;
  }
  for (const auto& [name, value] : target.query) request.query[name] = value;
  std::string path;
  percent_decode(target.raw_path, path);
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  const auto slash = path.find('/');
  request.bucket = path.substr(0, slash);
  if (slash != std::string::npos) request.key = path.substr(slash + 1);
  request.body = std::move(body);
  return request;
}

std::optional<FakeResponse> verify_request(const FakeRequest& request, const ParsedTarget& target,
                                           const std::optional<s3::Credentials>& credentials,
                                           const std::string& region, std::string_view id) {
  const std::string resource = target.raw_path;
  std::string decoded;
  if (!percent_decode(target.raw_path, decoded) || canonical_path(decoded) != target.raw_path) {
    return error_response(400, "InvalidURI",
                          "the fake S3 wants the path encoded once as SigV4 does (uppercase hex, "
                          "only A-Z a-z 0-9 - _ . ~ / unencoded)",
                          resource, id);
  }
  const std::string payload_hash = request.header("x-amz-content-sha256");
  if (payload_hash.empty()) {
    return error_response(400, "InvalidRequest",
                          "Missing required header for this request: x-amz-content-sha256",
                          resource, id);
  }
  if (payload_hash != s3::sigv4::kUnsignedPayload && payload_hash != sha256_hex(request.body)) {
    return error_response(400, "XAmzContentSHA256Mismatch",
                          "The provided 'x-amz-content-sha256' header does not match what was "
                          "computed.",
                          resource, id);
  }
  if (!credentials) return std::nullopt;

  ParsedAuthorization auth;
  if (!parse_authorization(request.header("authorization"), auth)) {
    return error_response(403, "AccessDenied", "Missing or malformed Authorization header",
                          resource, id);
  }
  if (auth.access_key_id != credentials->access_key_id) {
    return error_response(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.",
                          resource, id);
  }
  std::chrono::system_clock::time_point when;
  if (!parse_amz_date(request.header("x-amz-date"), when)) {
    return error_response(403, "AccessDenied", "Missing or malformed x-amz-date", resource, id);
  }
  s3::sigv4::SigningRequest to_check;
  to_check.method = request.method;
  to_check.canonical_uri = target.raw_path;
  to_check.query.assign(target.query.begin(), target.query.end());
  to_check.payload_hash = payload_hash;
  for (const auto& name : auth.signed_headers) {
    to_check.headers.emplace_back(name, request.header(name));
  }
  const std::string expected = s3::sigv4::signature(to_check, *credentials, region, "s3", when);
  if (expected != auth.signature) {
    return error_response(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature "
                          "you provided.",
                          resource, id);
  }
  return std::nullopt;
}

}  // namespace ks3::test

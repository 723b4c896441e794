// AWS Signature Version 4 for S3: pure functions, the time is an argument (no I/O, no clock).
//
// Spec: AWS S3 API reference, "Authenticating Requests (AWS Signature Version 4)":
//   Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request,
//                  SignedHeaders=<names;...>,Signature=<hex>
// Usual use (the client): build the request's headers (host, content-type, content-md5, range,
// x-amz-*), then `sign_request(...)` returns the headers to add (x-amz-date,
// x-amz-content-sha256, x-amz-security-token, authorization).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/credentials.hpp"
#include "s3/uri_encode.hpp"

namespace ks3::s3::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// "UNSIGNED-PAYLOAD: [...] the actual payload is not included in the signature calculation."
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of a GET, HEAD, DELETE.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// "The presigned URL [...] maximum expiration time is seven days (604800 seconds)".
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};

using Clock = std::chrono::system_clock;
using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

struct SigningRequest {
  std::string_view method;    // "GET", "PUT", ...
  std::string canonical_uri;  // already encoded (encode_path); "/bucket/key%20name"
  QueryParams query;          // raw (not encoded) names and values
  Headers headers;            // see authorization() and sign_request()
  std::string payload_hash;   // sha256_hex(body) or kUnsignedPayload
};

// --- helpers ---------------------------------------------------------------------------------
std::string amz_date(Clock::time_point t);    // "20130524T000000Z" (ISO 8601 basic, UTC)
std::string date_stamp(Clock::time_point t);  // "20130524"
std::string sha256_hex(std::string_view data);
std::string md5_base64(std::string_view data);  // Content-MD5 header value
std::string hex_lower(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// The headers a request signs: host, content-md5, content-type, range and every x-amz-*
// (case-insensitive). Never user-agent, accept-encoding or others that proxies rewrite.
bool is_signed_header(std::string_view name);

// --- the steps, exposed for tests and the cross-check tool -------------------------------------
// "<date>/<region>/<service>/aws4_request"
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);
// Lowercase names, sorted, joined with ';' (duplicates once).
std::string signed_header_names(const Headers& headers);
// Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n
// HashedPayload. Canonical headers: lowercase name ':' trimmed value (inner runs of whitespace
// collapsed to one space), sorted by name, values of repeated names joined with ','.
std::string canonical_request(const SigningRequest& request);
// "AWS4-HMAC-SHA256" \n <amz date> \n <scope> \n hex(SHA256(canonical request))
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request" (raw bytes).
std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service);

// Signing keys are valid for a whole day: derived once per (secret, date, region, service).
// Thread-safe; holds a few entries.
class SigningKeyCache {
 public:
  std::string get(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);
  std::uint64_t derivations() const;  // how many keys were derived (tests)

 private:
  struct Entry {
    std::string secret, date, region, service, key;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::uint64_t derivations_ = 0;
};

// The hex signature of `request` whose headers are exactly those to sign (must include host
// and, for header auth, x-amz-date = amz_date(now)).
std::string signature(const SigningRequest& request, const Credentials& credentials,
                      std::string_view region, std::string_view service, Clock::time_point now,
                      SigningKeyCache* cache = nullptr);

// The Authorization header value for `request`, whose headers are exactly those to sign.
std::string authorization(const SigningRequest& request, const Credentials& credentials,
                          std::string_view region, std::string_view service, Clock::time_point now,
                          SigningKeyCache* cache = nullptr);

// Signs a request for sending: `request.headers` are all the headers the request will carry
// (must include host); those is_signed_header() picks are signed. Returns the headers to add:
// x-amz-date, x-amz-content-sha256 (= request.payload_hash), x-amz-security-token (when the
// credentials carry one), authorization. The caller must not already set those.
Headers sign_request(const SigningRequest& request, const Credentials& credentials,
                     std::string_view region, std::string_view service, Clock::time_point now,
                     SigningKeyCache* cache = nullptr);

// --- presigned URLs (query-string authentication) ----------------------------------------------
struct PresignRequest {
  std::string_view method;             // "GET" to download, "PUT" to upload
  std::string canonical_uri;           // encoded path (encode_path)
  QueryParams query;                   // extra raw query parameters (e.g. versionId), may be empty
  std::string host;                    // the Host header the URL will be used with ("host:port")
  std::chrono::seconds expires{3600};  // 1 s .. kMaxPresignExpiry
};

// The complete query string (canonical order, ending in X-Amz-Signature=...) to append to
// "<scheme>://<host><canonical_uri>?". The payload is UNSIGNED-PAYLOAD, signed headers: host.
std::string presign_query(const PresignRequest& request, const Credentials& credentials,
                          std::string_view region, std::string_view service, Clock::time_point now);

}  // namespace ks3::s3::sigv4

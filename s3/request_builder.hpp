// Builds the HTTP request of one attempt of an S3 operation: addressing (path-style or
// virtual-hosted), the path encoded once, the canonical query, and the SigV4 headers with a
// fresh x-amz-date. Pure: the time and the credentials are arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "s3/credentials.hpp"
#include "s3/endpoint.hpp"
#include "s3/http_message.hpp"
#include "s3/sigv4.hpp"
#include "s3/uri_encode.hpp"

namespace ks3::s3 {

// One S3 operation's request before addressing and signing; the same for every attempt.
struct OperationRequest {
  std::string_view operation;  // "PutObject", ...: for errors, logs and the observer
  std::string method;
  std::string bucket;
  std::string key;      // raw (decoded) key; empty for bucket-level requests
  QueryParams query;    // raw names and values
  HttpHeaders headers;  // extra headers to send and sign: content-type, content-md5, range
  SharedBody body;      // null: no body
  // sha256_hex(body) or UNSIGNED-PAYLOAD: computed once per operation, not per attempt.
  std::string payload_hash = std::string(sigv4::kEmptyPayloadSha256);
  std::uint64_t response_body_limit = 16 * 1024 * 1024;
};

// The x-amz-content-sha256 value for a body: its SHA-256 when signing payloads, else
// UNSIGNED-PAYLOAD. A request without a body always signs the empty payload's hash.
std::string payload_hash_for(const SharedBody& body, bool sign_payload);

struct SigningParams {
  const Credentials& credentials;
  std::string_view region;
  std::chrono::system_clock::time_point now;  // x-amz-date: taken fresh for every attempt
  sigv4::SigningKeyCache* key_cache = nullptr;
};

// The request as sent: target = encoded path + "?" + canonical query; headers = Host, the
// operation's headers, user-agent (never signed: proxies rewrite it), then x-amz-date,
// x-amz-content-sha256, x-amz-security-token and Authorization from the signer.
HttpRequest build_request(const OperationRequest& operation, const RequestTarget& target,
                          const SigningParams& signing, std::string_view user_agent);

}  // namespace ks3::s3

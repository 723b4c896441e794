#include "s3/request_builder.hpp"

namespace ks3::s3 {

std::string payload_hash_for(const SharedBody& body, bool sign_payload) {
  if (!body || body->empty()) return std::string(sigv4::kEmptyPayloadSha256);
  if (!sign_payload) return std::string(sigv4::kUnsignedPayload);
  return sigv4::sha256_hex(*body);
}

HttpRequest build_request(const OperationRequest& operation, const RequestTarget& target,
                          const SigningParams& signing, std::string_view user_agent) {
  sigv4::SigningRequest to_sign;
  to_sign.method = operation.method;
  // "Amazon S3 [...] only gets URI-encoded once": the same string goes on the request line.
  to_sign.canonical_uri = encode_path(target.raw_path);
  to_sign.query = operation.query;
  to_sign.payload_hash = operation.payload_hash;
  to_sign.headers.emplace_back("host", target.host_header);
  for (const auto& header : operation.headers) to_sign.headers.push_back(header);

  const sigv4::Headers auth = sigv4::sign_request(to_sign, signing.credentials, signing.region,
                                                  "s3", signing.now, signing.key_cache);

  HttpRequest request;
  request.method = operation.method;
  request.target = to_sign.canonical_uri;
  if (!operation.query.empty()) request.target += "?" + canonical_query(operation.query);
  request.headers = std::move(to_sign.headers);
  if (!user_agent.empty()) request.headers.emplace_back("user-agent", std::string(user_agent));
  for (const auto& header : auth) request.headers.push_back(header);
  request.body = operation.body;
  request.response_body_limit = operation.response_body_limit;
  return request;
}

}  // namespace ks3::s3

// A plain HTTP/1.1 request and response as the S3 client builds and reads them. Kept free of
// Beast types so that most of the project never compiles Beast headers (they compile slowly).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks3::s3 {

// An immutable, shared request body: a retry resends the same bytes without a copy, and the
// pipeline hands over part buffers without copying them.
using SharedBody = std::shared_ptr<const std::string>;

inline SharedBody make_body(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup ("Field names are case-insensitive", RFC 9110 5.1); "" if
// absent.
std::string_view find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;   // "GET", "PUT", "POST", "HEAD", "DELETE"
  std::string target;   // request-target as sent: encoded path plus "?query" if any
  HttpHeaders headers;  // every header to send, Host included
  SharedBody body;      // null: no body
  // Larger responses fail with a transport error instead of exhausting memory.
  std::uint64_t response_body_limit = 16 * 1024 * 1024;
};

struct HttpResponse {
  unsigned status = 0;
  HttpHeaders headers;
  std::string body;
  // Requests of the operation on the wire before this answer (Client::Impl::execute): more
  // than one means an earlier one may have been applied though its answer was lost.
  int requests_sent = 1;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

// What one exchange moved over the wire (bytes of the HTTP messages, headers included).
struct ExchangeStats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

}  // namespace ks3::s3

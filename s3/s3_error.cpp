#include "s3/s3_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <stdexcept>

namespace ks3::s3 {
namespace {

class S3Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "ks3.s3"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::service_error:
        return "S3 returned an error";
      case Errc::malformed_response:
        return "S3 response is not the expected XML";
      case Errc::retries_exhausted:
        return "gave up after the maximum number of attempts";
      case Errc::deadline_exceeded:
        return "the operation deadline passed";
      case Errc::credentials_unavailable:
        return "no AWS credentials available";
      case Errc::invalid_argument:
        return "invalid argument";
    }
    return "unknown S3 error";
  }
};

}  // namespace

bool is_retryable_code(std::string_view code) {
  // Codes of the S3 error-code list that mean "try again later".
  return code == "SlowDown" || code == "InternalError" || code == "RequestTimeout" ||
         code == "ServiceUnavailable" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "OperationAborted" || code == "ExpiredToken";
}

namespace {

bool is_retryable_status(unsigned status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

std::string status_line(const S3Error& e) {
  std::string out;
  if (e.http_status != 0) out += "HTTP " + std::to_string(e.http_status);
  if (!e.code.empty()) out += (out.empty() ? "" : " ") + e.code;
  if (!e.message.empty()) out += ": " + e.message;
  if (e.http_status == 0 && e.transport) {
    out += (out.empty() ? "" : "; ") + e.transport.message();
  }
  if (out.empty() && e.error) out = e.error.message();
  if (out.empty()) out = "unknown error";
  return out;
}

}  // namespace

const boost::system::error_category& s3_category() noexcept {
  static const S3Category category;
  return category;
}

boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), s3_category()};
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::success:
      return "success";
    case Outcome::retry:
      return "retry";
    case Outcome::fail:
      return "fail";
    case Outcome::not_found:
      return "not_found";
  }
  return "unknown";
}

std::string retry_reason(const boost::system::error_code& transport, unsigned status,
                         const std::string& code) {
  // The reason is a metric label: only the fixed list of retryable Codes passes through, so a
  // server inventing Codes cannot grow the label set (the log line carries the Code itself).
  if (is_retryable_code(code)) return code;
  if (!transport) return "http_" + std::to_string(status);
  namespace http = boost::beast::http;
  namespace asio = boost::asio;
  if (transport == boost::beast::error::timeout || transport == asio::error::timed_out) {
    return "timeout";
  }
  if (transport == asio::error::connection_reset) return "connection_reset";
  if (transport == asio::error::connection_refused) return "connection_refused";
  if (transport == asio::error::broken_pipe) return "broken_pipe";
  if (transport == asio::error::eof || transport == http::error::end_of_stream ||
      transport == http::error::partial_message) {
    return "connection_closed";
  }
  if (transport == make_error_code(Errc::malformed_response)) return "malformed_response";
  return "transport_error";
}

Outcome classify_transport(const boost::system::error_code& ec) {
  namespace asio_error = boost::asio::error;
  namespace http = boost::beast::http;
  if (!ec) return Outcome::success;
  // Cancelled by us (shutdown, revoke): never retried.
  if (ec == asio_error::operation_aborted) return Outcome::fail;
  // A failed certificate check does not heal by retrying; the server closing a TLS session
  // without close_notify (stream_truncated) is an ordinary dropped connection.
  if (ec == boost::asio::ssl::error::stream_truncated) return Outcome::retry;
  if (ec.category() == boost::asio::error::get_ssl_category()) return Outcome::fail;
  // A response larger than allowed is a permanent property of the object.
  if (ec == http::error::body_limit || ec == http::error::header_limit) return Outcome::fail;
  // NXDOMAIN is authoritative (a typo in the endpoint): fail fast with the name in the error.
  if (ec == asio_error::host_not_found) return Outcome::fail;
  if (ec.category() == s3_category()) {
    return ec == make_error_code(Errc::malformed_response) ? Outcome::retry : Outcome::fail;
  }
  // Everything else on the wire: reset, refused, aborted, broken pipe, timeouts (asio's and
  // beast's), end of stream / partial message (the peer closed a keep-alive connection),
  // unreachable networks, temporary DNS failures.
  return Outcome::retry;
}

Outcome classify(const boost::system::error_code& transport, unsigned http_status,
                 std::string_view s3_code) {
  if (transport) return classify_transport(transport);
  if (http_status >= 200 && http_status < 300 && s3_code.empty()) return Outcome::success;
  if (is_retryable_code(s3_code)) return Outcome::retry;
  if (s3_code == "NoSuchKey" || s3_code == "NoSuchUpload") return Outcome::not_found;
  // A HEAD response has no body, so a missing key is a bare 404.
  if (http_status == 404 && s3_code.empty()) return Outcome::not_found;
  if (is_retryable_status(http_status)) return Outcome::retry;
  // An empty 5xx body: a load balancer or proxy failed, not S3's verdict on the request.
  if (http_status >= 500 && s3_code.empty()) return Outcome::retry;
  // 200 with an <Error> whose Code is not transient: "Complete [...] could fail after the
  // initial 200 OK response has been sent", a real failure.
  return Outcome::fail;
}

std::string_view hint_for(std::string_view code, const boost::system::error_code& transport) {
  if (code == "SignatureDoesNotMatch") {
    return "Check the secret access key, that no proxy rewrites signed headers, and the region.";
  }
  if (code == "InvalidAccessKeyId") return "Check the access key id (and the endpoint).";
  if (code == "AccessDenied") {
    return "Check the IAM policy / bucket policy grants this operation on the bucket and key.";
  }
  if (code == "NoSuchBucket") return "Create the bucket or fix the bucket name.";
  if (code == "RequestTimeTooSkewed") return "Synchronize this machine's clock (NTP).";
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" ||
      code == "IllegalLocationConstraintException") {
    return "Set the region to the bucket's region.";
  }
  if (code == "ExpiredToken" || code == "InvalidToken") {
    return "The session token expired or is invalid: refresh the temporary credentials.";
  }
  if (transport == boost::asio::error::connection_refused) {
    return "Nothing listens at the endpoint: check the endpoint URL and port.";
  }
  if (transport == boost::asio::error::host_not_found) {
    return "The endpoint host name does not resolve: check the endpoint URL.";
  }
  if (transport && transport.category() == boost::asio::error::get_ssl_category()) {
    return "TLS failed: check the CA file (tls CA setting) and that the endpoint's certificate "
           "matches its host name.";
  }
  return "";
}

std::string S3Error::describe() const {
  std::string out = operation.empty() ? std::string("S3 request") : operation;
  if (!bucket.empty()) out += " s3://" + bucket + "/" + key;
  out += " failed";
  if (attempts > 1) out += " after " + std::to_string(attempts) + " attempts";
  out += ": " + status_line(*this);
  if (!request_id.empty()) out += " (request id " + request_id + ")";
  if (error == make_error_code(Errc::deadline_exceeded) ||
      error == make_error_code(Errc::retries_exhausted)) {
    out += " [" + error.message() + "]";
  }
  const std::string_view hint = hint_for(code, transport);
  if (!hint.empty()) out += ". " + std::string(hint);
  return out;
}

boost::system::error_code S3Error::error_code() const {
  if (error) return error;
  if (transport) return transport;
  return make_error_code(Errc::service_error);
}

void throw_exception_from_error(const S3Error& error, const boost::source_location&) {
  throw std::runtime_error(error.describe());
}

}  // namespace ks3::s3

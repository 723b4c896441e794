// S3 errors: the project error category, the rich error a failed operation reports, and the one
// pure function that decides what to do with a failure (retry, fail, not found).
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <type_traits>

namespace ks3::s3 {

// Failures that are neither a transport error (asio/beast/ssl categories) nor an HTTP status.
enum class Errc {
  service_error = 1,        // S3 answered with an error (status and Code in S3Error)
  malformed_response,       // the body is not the XML the operation expects
  retries_exhausted,        // the attempt limit was reached
  deadline_exceeded,        // the per-operation deadline passed
  credentials_unavailable,  // no credential source gave keys (or STS refused)
  invalid_argument,         // the caller's input is wrong (e.g. part number out of range)
};

const boost::system::error_category& s3_category() noexcept;
boost::system::error_code make_error_code(Errc e) noexcept;

// What the caller should do with a response or a transport failure.
enum class Outcome {
  success,    // 2xx without an <Error> body
  retry,      // transient: back off and try again (while attempts and deadline allow)
  fail,       // permanent: report it
  not_found,  // 404 NoSuchKey / NoSuchUpload / a HEAD 404: an answer, not a failure
};
std::string_view to_string(Outcome outcome);

// The classification (Redpanda's two-tier model): `transport` is set when no HTTP response was
// read; otherwise `http_status` and the <Error><Code> (empty if no or an unparsable body). A 200
// with an <Error> body (CompleteMultipartUpload may answer so) passes that Code and is an error.
// Retried: 408 429 500 502 503 504, every 5xx without a Code, Codes SlowDown, InternalError,
// RequestTimeout, ServiceUnavailable, Throttling, ExpiredToken (credentials are fetched again
// for the next attempt); connection reset/refused/aborted, timeouts, a connection closed early.
// Never retried: other 4xx, cancellation, TLS verification failures.
Outcome classify(const boost::system::error_code& transport, unsigned http_status,
                 std::string_view s3_code);
Outcome classify_transport(const boost::system::error_code& transport);
// One of the S3 Codes that mean "try again later" (SlowDown, InternalError, ...): a fixed list.
bool is_retryable_code(std::string_view code);
// A short label for a failed attempt, for the observer and logs: a retryable S3 Code (from the
// fixed list of is_retryable_code), otherwise "http_<status>", or the transport failure
// ("timeout", "connection_reset", ...). Bounded: it becomes a metric label.
std::string retry_reason(const boost::system::error_code& transport, unsigned status,
                         const std::string& code);

// A failed operation as the user sees it. Never holds a secret (no headers, no signatures).
struct S3Error {
  // A declared constructor keeps S3Error from being an aggregate: in C++20 an aggregate is
  // "constructible" from its first member's type (parenthesized aggregate init), which would
  // make S3Result<std::string> ambiguous between value and error.
  S3Error() = default;

  std::string operation;  // "PutObject", "UploadPart", ...
  std::string bucket;
  std::string key;                      // empty for bucket operations
  unsigned http_status = 0;             // 0: no HTTP response (see transport / code)
  std::string code;                     // S3 <Code>, e.g. "SlowDown"
  std::string message;                  // S3 <Message>
  std::string request_id;               // S3 <RequestId> or x-amz-request-id
  boost::system::error_code transport;  // the transport failure, if no response
  boost::system::error_code error;      // project-level reason (Errc or transport)
  int attempts = 0;                     // attempts made, retries included
  Outcome outcome = Outcome::fail;

  // "PutObject s3://b/k failed after 3 attempts: HTTP 403 SignatureDoesNotMatch: <message>
  //  (request id X). Check the secret access key ..." (a hint for common causes).
  std::string describe() const;
  // The error code to hand to code that only speaks error_code.
  boost::system::error_code error_code() const;
};

// A result whose error is an S3Error. `.value()` on an error throws std::runtime_error with
// describe() (via the ADL hook below).
template <class T>
using S3Result = boost::system::result<T, S3Error>;

[[noreturn]] void throw_exception_from_error(const S3Error& error,
                                             const boost::source_location& location);

// What to do about a common S3 Code or transport failure; "" when there is no hint.
std::string_view hint_for(std::string_view s3_code, const boost::system::error_code& transport);

}  // namespace ks3::s3

namespace boost::system {
template <>
struct is_error_code_enum<ks3::s3::Errc> : std::true_type {};
}  // namespace boost::system

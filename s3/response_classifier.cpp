#include "s3/response_classifier.hpp"

#include "s3/xml.hpp"

namespace ks3::s3 {

ResponseVerdict classify_response(const HttpResponse& response, ExpectedBody expected) {
  ResponseVerdict verdict;
  verdict.request_id = std::string(response.header("x-amz-request-id"));
  const auto take_error = [&](const xml::ErrorBody& error) {
    verdict.code = error.code;
    verdict.message = error.message;
    if (!error.request_id.empty()) verdict.request_id = error.request_id;
  };

  const bool ok_status = response.status >= 200 && response.status < 300;
  if (ok_status && expected == ExpectedBody::complete_result) {
    const auto parsed = xml::parse_complete_multipart_upload(response.body);
    if (!parsed) {
      verdict.error = make_error_code(Errc::malformed_response);
      verdict.outcome = classify_transport(verdict.error);
      return verdict;
    }
    if (const auto* error = std::get_if<xml::ErrorBody>(&*parsed)) take_error(*error);
  } else if (!ok_status && !response.body.empty()) {
    // Not every error has an S3 body (a proxy's 502 page, a HEAD): then only the status counts.
    if (const auto parsed = xml::parse_error(response.body)) take_error(*parsed);
  }
  verdict.outcome = classify({}, response.status, verdict.code);
  if (verdict.outcome != Outcome::success && verdict.outcome != Outcome::not_found &&
      !verdict.error) {
    verdict.error = make_error_code(Errc::service_error);
  }
  return verdict;
}

}  // namespace ks3::s3

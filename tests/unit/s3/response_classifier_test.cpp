#include "s3/response_classifier.hpp"

#include <gtest/gtest.h>

namespace ks3::s3 {
namespace {

HttpResponse response(unsigned status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string error_body(const std::string& code) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
         "</Code><Message>m</Message><RequestId>RID</RequestId></Error>";
}

TEST(ResponseClassifier, SuccessAndNotFound) {
  EXPECT_EQ(classify_response(response(200, ""), ExpectedBody::any).outcome, Outcome::success);
  EXPECT_EQ(classify_response(response(204, ""), ExpectedBody::any).outcome, Outcome::success);
  const auto missing = classify_response(response(404, error_body("NoSuchKey")), ExpectedBody::any);
  EXPECT_EQ(missing.outcome, Outcome::not_found);
  EXPECT_EQ(missing.code, "NoSuchKey");
  EXPECT_EQ(missing.request_id, "RID");
  // A HEAD 404 has no body.
  EXPECT_EQ(classify_response(response(404, ""), ExpectedBody::any).outcome, Outcome::not_found);
}

TEST(ResponseClassifier, TransientAndPermanentErrors) {
  const auto slow = classify_response(response(503, error_body("SlowDown")), ExpectedBody::any);
  EXPECT_EQ(slow.outcome, Outcome::retry);
  EXPECT_EQ(slow.code, "SlowDown");
  EXPECT_EQ(slow.message, "m");
  const auto denied =
      classify_response(response(403, error_body("AccessDenied")), ExpectedBody::any);
  EXPECT_EQ(denied.outcome, Outcome::fail);
  EXPECT_EQ(denied.error, make_error_code(Errc::service_error));
  // A proxy's HTML error page: only the status counts.
  const auto proxy =
      classify_response(response(502, "<html>bad gateway</html>"), ExpectedBody::any);
  EXPECT_EQ(proxy.outcome, Outcome::retry);
  EXPECT_EQ(proxy.code, "");
  // The request id falls back to the header.
  const auto bare =
      classify_response(response(500, "", {{"x-amz-request-id", "HDR"}}), ExpectedBody::any);
  EXPECT_EQ(bare.outcome, Outcome::retry);
  EXPECT_EQ(bare.request_id, "HDR");
}

TEST(ResponseClassifier, CompleteMayAnswer200WithAnError) {
  const std::string ok =
      "<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>\"e-2\"</ETag>"
      "</CompleteMultipartUploadResult>";
  EXPECT_EQ(classify_response(response(200, ok), ExpectedBody::complete_result).outcome,
            Outcome::success);
  const auto internal =
      classify_response(response(200, error_body("InternalError")), ExpectedBody::complete_result);
  EXPECT_EQ(internal.outcome, Outcome::retry);
  EXPECT_EQ(internal.code, "InternalError");
  const auto invalid =
      classify_response(response(200, error_body("InvalidPart")), ExpectedBody::complete_result);
  EXPECT_EQ(invalid.outcome, Outcome::fail);
  // A cut-off body (the connection dropped after the 200 header): retried.
  const auto cut =
      classify_response(response(200, ok.substr(0, 30)), ExpectedBody::complete_result);
  EXPECT_EQ(cut.outcome, Outcome::retry);
  EXPECT_EQ(cut.error, make_error_code(Errc::malformed_response));
  // The same 200-with-Error body is not inspected for other operations.
  EXPECT_EQ(
      classify_response(response(200, error_body("InternalError")), ExpectedBody::any).outcome,
      Outcome::success);
}

}  // namespace
}  // namespace ks3::s3

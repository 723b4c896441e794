#include "s3/s3_error.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace ks3::s3 {
namespace {

const boost::system::error_code kNone;

TEST(Classify, SuccessOnlyFor2xxWithoutErrorBody) {
  EXPECT_EQ(classify(kNone, 200, ""), Outcome::success);
  EXPECT_EQ(classify(kNone, 204, ""), Outcome::success);
  EXPECT_EQ(classify(kNone, 206, ""), Outcome::success);
  // CompleteMultipartUpload may answer 200 with an <Error> body.
  EXPECT_EQ(classify(kNone, 200, "InternalError"), Outcome::retry);
  EXPECT_EQ(classify(kNone, 200, "InvalidPart"), Outcome::fail);
}

TEST(Classify, RetryableStatusesAndCodes) {
  for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
    EXPECT_EQ(classify(kNone, status, ""), Outcome::retry) << status;
  }
  EXPECT_EQ(classify(kNone, 503, "SlowDown"), Outcome::retry);
  EXPECT_EQ(classify(kNone, 500, "InternalError"), Outcome::retry);
  EXPECT_EQ(classify(kNone, 400, "RequestTimeout"), Outcome::retry);  // S3 sends it as 400
  EXPECT_EQ(classify(kNone, 400, "ExpiredToken"), Outcome::retry);
  EXPECT_EQ(classify(kNone, 501, ""), Outcome::retry);  // empty 5xx body: a proxy failed
}

TEST(Classify, OtherClientErrorsFail) {
  EXPECT_EQ(classify(kNone, 403, "SignatureDoesNotMatch"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 403, "AccessDenied"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 403, ""), Outcome::fail);
  EXPECT_EQ(classify(kNone, 400, "EntityTooSmall"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 400, "InvalidPart"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 400, ""), Outcome::fail);
  EXPECT_EQ(classify(kNone, 405, "MethodNotAllowed"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 501, "NotImplemented"), Outcome::fail);
  EXPECT_EQ(classify(kNone, 404, "NoSuchBucket"), Outcome::fail);  // configuration error
}

TEST(Classify, NotFound) {
  EXPECT_EQ(classify(kNone, 404, "NoSuchKey"), Outcome::not_found);
  EXPECT_EQ(classify(kNone, 404, "NoSuchUpload"), Outcome::not_found);
  EXPECT_EQ(classify(kNone, 404, ""), Outcome::not_found);  // HEAD has no body
}

TEST(Classify, TransportErrors) {
  namespace ae = boost::asio::error;
  for (boost::system::error_code ec :
       {make_error_code(ae::connection_reset), make_error_code(ae::connection_refused),
        make_error_code(ae::connection_aborted), make_error_code(ae::broken_pipe),
        make_error_code(ae::timed_out), make_error_code(ae::eof),
        make_error_code(ae::host_not_found_try_again), make_error_code(ae::network_unreachable),
        make_error_code(boost::beast::error::timeout),
        make_error_code(boost::beast::http::error::end_of_stream),
        make_error_code(boost::beast::http::error::partial_message),
        make_error_code(boost::asio::ssl::error::stream_truncated),
        make_error_code(Errc::malformed_response)}) {
    EXPECT_EQ(classify(ec, 0, ""), Outcome::retry) << ec.message();
  }
  for (boost::system::error_code ec :
       {make_error_code(ae::operation_aborted), make_error_code(ae::host_not_found),
        make_error_code(boost::beast::http::error::body_limit),
        make_error_code(Errc::credentials_unavailable),
        boost::system::error_code(336134278, boost::asio::error::get_ssl_category())}) {
    EXPECT_EQ(classify(ec, 0, ""), Outcome::fail) << ec.message();
  }
  // A transport error wins over whatever status was half-read.
  EXPECT_EQ(classify(make_error_code(ae::connection_reset), 200, ""), Outcome::retry);
}

TEST(RetryReason, OnlyTheFixedListOfRetryableCodesBecomesALabel) {
  EXPECT_EQ(retry_reason(kNone, 503, "SlowDown"), "SlowDown");
  EXPECT_EQ(retry_reason(kNone, 200, "InternalError"), "InternalError");
  // A Code the server made up (or a long one) must not grow the metric's label set.
  EXPECT_EQ(retry_reason(kNone, 500, "WeirdVendorCode-42"), "http_500");
  EXPECT_EQ(retry_reason(kNone, 503, std::string(300, 'x')), "http_503");
  EXPECT_EQ(retry_reason(kNone, 503, ""), "http_503");
}

TEST(RetryReason, TransportFailuresHaveFixedNames) {
  EXPECT_EQ(retry_reason(boost::asio::error::connection_reset, 0, ""), "connection_reset");
  EXPECT_EQ(retry_reason(boost::beast::error::timeout, 0, ""), "timeout");
  EXPECT_EQ(retry_reason(boost::beast::http::error::end_of_stream, 0, ""), "connection_closed");
  EXPECT_EQ(retry_reason(boost::asio::error::host_unreachable, 0, ""), "transport_error");
}

TEST(S3Error, DescribeNamesWhatFailedAndWhatToDo) {
  S3Error e;
  e.operation = "PutObject";
  e.bucket = "logs";
  e.key = "a/b.json";
  e.http_status = 403;
  e.code = "SignatureDoesNotMatch";
  e.message = "The request signature we calculated does not match the signature you provided.";
  e.request_id = "4442587FB7D0A2F9";
  e.attempts = 1;
  EXPECT_EQ(e.describe(),
            "PutObject s3://logs/a/b.json failed: HTTP 403 SignatureDoesNotMatch: The request "
            "signature we calculated does not match the signature you provided. (request id "
            "4442587FB7D0A2F9). Check the secret access key, that no proxy rewrites signed "
            "headers, and the region.");
  EXPECT_EQ(e.error_code(), make_error_code(Errc::service_error));
}

TEST(S3Error, DescribeTransportFailureAfterRetries) {
  S3Error e;
  e.operation = "UploadPart";
  e.bucket = "b";
  e.key = "k";
  e.transport = make_error_code(boost::asio::error::connection_refused);
  e.error = make_error_code(Errc::retries_exhausted);
  e.attempts = 10;
  const std::string text = e.describe();
  EXPECT_NE(text.find("UploadPart s3://b/k failed after 10 attempts: "), std::string::npos);
  EXPECT_NE(text.find("refused"), std::string::npos) << text;
  EXPECT_NE(text.find("maximum number of attempts"), std::string::npos) << text;
  EXPECT_NE(text.find("check the endpoint URL"), std::string::npos) << text;
  EXPECT_EQ(e.error_code(), make_error_code(Errc::retries_exhausted));
}

TEST(S3Error, ResultValueThrowsDescription) {
  S3Error e;
  e.operation = "HeadObject";
  e.bucket = "b";
  e.key = "k";
  e.http_status = 404;
  e.code = "NoSuchKey";
  e.message = "gone";
  S3Result<int> failed{e};
  S3Result<std::string> failed_string{e};  // not ambiguous with a string value
  EXPECT_TRUE(failed_string.has_error());
  S3Result<std::string> value{std::string("x")};
  EXPECT_TRUE(value.has_value());
  try {
    (void)failed.value();
    FAIL() << "value() must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("HeadObject s3://b/k failed: HTTP 404 NoSuchKey: gone"),
              std::string::npos)
        << e.what();
  }
}

TEST(S3Error, CategoryMessages) {
  EXPECT_STREQ(s3_category().name(), "ks3.s3");
  const boost::system::error_code ec = Errc::deadline_exceeded;  // implicit via the trait
  EXPECT_EQ(ec.message(), "the operation deadline passed");
}

}  // namespace
}  // namespace ks3::s3

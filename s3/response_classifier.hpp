// What an S3 HTTP response means for the operation: success, retry, fail or not found, with
// the S3 Code, Message and RequestId from an <Error> body. Pure; the client's retry loop acts
// on the verdict.
#pragma once

#include <boost/system/error_code.hpp>
#include <string>

#include "s3/http_message.hpp"
#include "s3/s3_error.hpp"

namespace ks3::s3 {

enum class ExpectedBody {
  any,              // the 2xx body is read by the operation itself (or there is none)
  complete_result,  // CompleteMultipartUpload: a 2xx body must be CompleteMultipartUploadResult
};

struct ResponseVerdict {
  Outcome outcome = Outcome::fail;
  std::string code;        // S3 <Code>
  std::string message;     // S3 <Message>
  std::string request_id;  // <RequestId>, else the x-amz-request-id header
  // Errc::malformed_response for a 2xx whose body is not the expected document.
  boost::system::error_code error;
};

// "A CompleteMultipartUpload request could fail after the initial 200 OK response has been
//  sent. This means that a 200 OK response can contain either a success or an error." So for
// ExpectedBody::complete_result a 200 holding <Error> is classified by its Code (InternalError
// and SlowDown retried), and an unparsable 200 body (a cut connection) is retried.
ResponseVerdict classify_response(const HttpResponse& response, ExpectedBody expected);

}  // namespace ks3::s3

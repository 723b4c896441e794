// libFuzzer target: the S3 XML responses the client parses (s3/xml.cpp over libxml2) and the
// classification of an error answer (s3/s3_error.cpp). Any input must parse or fail cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "s3/s3_error.hpp"
#include "s3/xml.hpp"

namespace {

void classify_error(const ks3::s3::xml::ErrorBody& body) {
  for (unsigned status : {200u, 403u, 404u, 500u, 503u}) {
    ks3::s3::S3Error error;
    error.operation = "CompleteMultipartUpload";
    error.bucket = "b";
    error.key = "k";
    error.http_status = status;
    error.code = body.code;
    error.message = body.message;
    error.request_id = body.request_id;
    error.outcome = ks3::s3::classify({}, status, body.code);
    (void)error.describe();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace xml = ks3::s3::xml;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto error = xml::parse_error(body)) classify_error(*error);
  (void)xml::is_error_document(body);
  (void)xml::parse_initiate_multipart_upload(body);
  if (auto complete = xml::parse_complete_multipart_upload(body)) {
    if (auto* error = std::get_if<xml::ErrorBody>(&*complete)) classify_error(*error);
  }
  if (auto list = xml::parse_list_objects_v2(body)) {
    // What a listing gives back must be usable as keys again: round-trip through the builder.
    std::vector<xml::CompletedPart> parts;
    for (const auto& object : list->contents) parts.push_back({1, object.etag, object.key});
    (void)xml::build_complete_multipart_upload(parts);
  }
  return 0;
}

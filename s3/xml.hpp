// The S3 XML messages the client reads and writes (pure; libxml2 through xml_document.hpp).
// Every parser returns Errc::malformed_response for input that is not well-formed XML with the
// expected root element; no substring search anywhere.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ks3::s3::xml {

// <Error><Code/><Message/><RequestId/><Resource/></Error>
struct ErrorBody {
  std::string code;
  std::string message;
  std::string request_id;
  std::string resource;
};

// <InitiateMultipartUploadResult><Bucket/><Key/><UploadId/></...>
struct InitiateMultipartUploadResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
};

// <CompleteMultipartUploadResult><Location/><Bucket/><Key/><ETag/></...>
struct CompleteMultipartUploadResult {
  std::string location;
  std::string bucket;
  std::string key;
  std::string etag;
};

struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;           // as sent, quotes included
  std::string last_modified;  // ISO 8601, e.g. "2009-10-12T17:50:30.000Z"
  std::string storage_class;
};

// <ListBucketResult> of ListObjectsV2.
struct ListObjectsV2Result {
  std::vector<ObjectSummary> contents;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;  // set when is_truncated
  std::string prefix;
  std::uint64_t key_count = 0;
};

// <ListMultipartUploadsResult> of ListMultipartUploads: the uploads begun and not yet completed
// or aborted, one entry per upload (a key may have several).
struct MultipartUploadEntry {
  std::string key;
  std::string upload_id;
};
struct ListMultipartUploadsResult {
  std::vector<MultipartUploadEntry> uploads;
  bool is_truncated = false;
  std::string next_key_marker;  // set when is_truncated: where the next page starts
  std::string next_upload_id_marker;
};

struct CompletedPart {
  int part_number = 0;          // 1..10000
  std::string etag;             // as UploadPart returned it (quotes included)
  std::string checksum_crc32c;  // as UploadPart sent it (base64), or empty when it sent none
};

// <ListMultipartUploadsResult>; keys URL-decoded when EncodingType is "url". Fails on another
// root, a truncated page without NextKeyMarker, or an upload without UploadId.
boost::system::result<ListMultipartUploadsResult> parse_list_multipart_uploads(
    std::string_view body);

// The <Error> document of a failed request. Fails unless the root element is <Error>.
boost::system::result<ErrorBody> parse_error(std::string_view body);
// True if `body` is a well-formed document whose root is <Error> (e.g. a 200 Complete).
bool is_error_document(std::string_view body);

boost::system::result<InitiateMultipartUploadResult> parse_initiate_multipart_upload(
    std::string_view body);

// "A CompleteMultipartUpload request could fail after the initial 200 OK response has been
// sent [...] the response body [...] will contain an error": so the answer is either.
using CompleteResponse = std::variant<CompleteMultipartUploadResult, ErrorBody>;
boost::system::result<CompleteResponse> parse_complete_multipart_upload(std::string_view body);

// Keys are decoded when the response says <EncodingType>url</EncodingType>.
boost::system::result<ListObjectsV2Result> parse_list_objects_v2(std::string_view body);

// <CompleteMultipartUpload><Part><PartNumber/><ETag/>[<ChecksumCRC32C/>]</Part>...
// </CompleteMultipartUpload>, parts in the given order (the caller sorts: "parts must be in
// ascending order"), ETags XML-escaped.
std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts);

}  // namespace ks3::s3::xml

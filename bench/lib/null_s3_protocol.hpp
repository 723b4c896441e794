// The S3 REST protocol as ks3_null_s3 speaks it (pure: no I/O): which operation a request is,
// and the XML documents it answers with. Path-style addressing only (http://host:port/bucket/key),
// as the sink uses against anything that is not *.amazonaws.com.
//
// Operations, as the S3 API reference names them:
//   PUT    /bucket/key                          PutObject
//   PUT    /bucket/key?partNumber=N&uploadId=U  UploadPart
//   POST   /bucket/key?uploads                  CreateMultipartUpload
//   POST   /bucket/key?uploadId=U               CompleteMultipartUpload
//   DELETE /bucket/key?uploadId=U               AbortMultipartUpload
//   DELETE /bucket/key                          DeleteObject
//   HEAD   /bucket                              HeadBucket
//   HEAD   /bucket/key                          HeadObject
//   GET    /bucket?list-type=2                  ListObjectsV2
//   PUT    /bucket                              CreateBucket
//   GET    /_ks3/stats                          (not S3) the server's counters as JSON; a bucket
//                                               name cannot contain '_', so no bucket clashes.
// Bodies are discarded, so GetObject is answered 501 NotImplemented.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/xml.hpp"

namespace ks3::bench::nulls3 {

enum class Operation {
  put_object,
  upload_part,
  create_upload,
  complete_upload,
  abort_upload,
  delete_object,
  head_bucket,
  head_object,
  list_objects_v2,
  create_bucket,
  get_object,
  stats,
  unsupported,
};

// The S3 API name ("PutObject", ...), for counters and logs.
std::string_view operation_name(Operation op);

struct ParsedRequest {
  Operation op = Operation::unsupported;
  std::string bucket;
  std::string key;  // decoded
  std::string upload_id;
  int part_number = 0;
  // ListObjectsV2
  std::string prefix;
  std::string continuation_token;
  std::string start_after;
  int max_keys = 1000;
  std::string problem;  // why a request is unsupported or malformed (for the error message)
};

// Classifies a request from its method ("PUT", ...) and request target ("/b/k?uploads").
ParsedRequest classify(std::string_view method, std::string_view target);

// Decodes standard base64 (with padding); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);

// The part list of a CompleteMultipartUpload body, in document order; nullopt when the body is
// not a <CompleteMultipartUpload> document or a part lacks a number or ETag.
std::optional<std::vector<s3::xml::CompletedPart>> parse_complete_body(std::string_view body);

// <Error><Code/><Message/><Resource/><RequestId/></Error>
std::string error_xml(std::string_view code, std::string_view message, std::string_view resource,
                      std::string_view request_id);
std::string initiate_xml(std::string_view bucket, std::string_view key, std::string_view upload_id);
std::string complete_xml(std::string_view bucket, std::string_view key, std::string_view etag);

struct ListEntry {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
};

struct ListPage {
  std::vector<ListEntry> contents;
  bool truncated = false;
  std::string next_token;  // the last key returned, when truncated
};

std::string list_xml(std::string_view bucket, const ParsedRequest& request, const ListPage& page);

}  // namespace ks3::bench::nulls3

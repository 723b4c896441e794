// Object settings: what a new object gets besides its bytes (server-side encryption, storage
// class, tags, user metadata), as the request headers of PutObject and CreateMultipartUpload.
// Pure: validation and the header builder do no I/O.
//
// Header names and rules (AWS S3 API reference, PutObject and CreateMultipartUpload):
//   x-amz-server-side-encryption             AES256 | aws:kms | aws:kms:dsse
//   x-amz-server-side-encryption-aws-kms-key-id   the KMS key (with aws:kms or aws:kms:dsse only;
//                                            without it S3 uses the AWS managed key aws/s3)
//   x-amz-storage-class                      STANDARD | REDUCED_REDUNDANCY | STANDARD_IA | ...
//   x-amz-tagging                            "The tag-set must be encoded as URL Query parameters.
//                                            (For example, "Key1=Value1")"; at most 10 tags, a key
//                                            of up to 128 and a value of up to 256 Unicode
//                                            characters, keys not starting with "aws:"
//   x-amz-meta-<name>                        user metadata; names and values together at most
//                                            2 KB; values must be US-ASCII over REST; S3 stores
//                                            names in lowercase
// UploadPart takes none of these: an upload's settings are fixed when it is created. Every
// header here starts with x-amz-, so SigV4 signs it (sigv4::is_signed_header).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/http_message.hpp"

namespace ks3::s3 {

enum class ServerSideEncryption { none, aes256, aws_kms, aws_kms_dsse };

// "none", "AES256", "aws:kms", "aws:kms:dsse".
std::string_view to_string(ServerSideEncryption sse);
// Accepts the names above (exactly as S3 spells them).
bool parse_server_side_encryption(std::string_view text, ServerSideEncryption& out);

// The storage classes a configuration may name (those S3 accepts on PutObject for general
// purpose buckets; OUTPOSTS, EXPRESS_ONEZONE and the like need special buckets).
inline constexpr std::string_view kStorageClasses[] = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER",  "GLACIER_IR",         "DEEP_ARCHIVE"};

inline constexpr std::size_t kMaxTags = 10;
inline constexpr std::size_t kMaxTagKeyChars = 128;
inline constexpr std::size_t kMaxTagValueChars = 256;
inline constexpr std::size_t kMaxMetadataBytes = 2048;

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct ObjectSettings {
  ServerSideEncryption sse = ServerSideEncryption::none;  // none: the bucket's default
  std::string sse_kms_key_id;                             // a key id, alias or ARN; not a secret
  std::string storage_class;                              // "": the bucket's default (STANDARD)
  KeyValues tags;                                         // in the order given
  KeyValues metadata;                                     // names without "x-amz-meta-"

  bool empty() const {
    return sse == ServerSideEncryption::none && sse_kms_key_id.empty() && storage_class.empty() &&
           tags.empty() && metadata.empty();
  }
};

// One problem: the field ("sse", "sse_kms_key_id", "storage_class", "tags", "metadata") and what
// a good value looks like. The configuration names the key (s3.<field>).
struct ObjectSettingsIssue {
  std::string field;
  std::string message;
};

// Every problem at once; empty when S3 would accept the headers.
std::vector<ObjectSettingsIssue> validate(const ObjectSettings& settings);

// The headers of a PutObject or CreateMultipartUpload that creates an object with `settings`
// (valid ones: validate() first). Empty settings give no headers.
HttpHeaders object_headers(const ObjectSettings& settings);

// The x-amz-tagging value: key=value pairs joined with '&', each side URI-encoded.
std::string tagging_header_value(const KeyValues& tags);

// What the sink's bookkeeping objects (cut manifests under _ks3/) get: the encryption only. A
// bucket policy may require SSE on every PutObject; a storage class (GLACIER cannot be read back
// without a restore), tags and metadata are meant for the data objects and their lifecycle rules.
ObjectSettings encryption_only(const ObjectSettings& settings);

}  // namespace ks3::s3

#include "s3/xml.hpp"

#include <charconv>

#include "s3/s3_error.hpp"
#include "s3/xml_document.hpp"

namespace ks3::s3::xml {
namespace {

boost::system::error_code malformed() {
  return make_error_code(Errc::malformed_response);
}

// The parsed document if its root element has this local name.
std::optional<Document> parse_with_root(std::string_view body, std::string_view root_name) {
  auto doc = Document::parse(body);
  if (!doc || doc->root().name() != root_name) return std::nullopt;
  return doc;
}

bool parse_uint(std::string_view text, std::uint64_t& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && !text.empty();
}

ErrorBody error_from(Node root) {
  return ErrorBody{root.child_text("Code"), root.child_text("Message"),
                   root.child_text("RequestId"), root.child_text("Resource")};
}

// encoding-type=url: "Amazon S3 encodes [...] Key, Prefix, [...] in the response". Decoded as
// application/x-www-form-urlencoded ('+' is a space), as the AWS SDKs do.
bool url_decode_form(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      std::uint8_t byte = 0;
      if (i + 2 >= in.size()) return false;
      const auto [ptr, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, byte, 16);
      if (ec != std::errc{} || ptr != in.data() + i + 3) return false;
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_object(Node contents, bool url_encoded, ObjectSummary& out) {
  out.key = contents.child_text("Key");
  if (url_encoded && !url_decode_form(std::string(out.key), out.key)) return false;
  if (out.key.empty()) return false;
  const std::string size = contents.child_text("Size");
  if (!size.empty() && !parse_uint(size, out.size)) return false;
  out.etag = contents.child_text("ETag");
  out.last_modified = contents.child_text("LastModified");
  out.storage_class = contents.child_text("StorageClass");
  return true;
}

}  // namespace

boost::system::result<ErrorBody> parse_error(std::string_view body) {
  const auto doc = parse_with_root(body, "Error");
  if (!doc) return malformed();
  return error_from(doc->root());
}

bool is_error_document(std::string_view body) {
  return parse_with_root(body, "Error").has_value();
}

boost::system::result<InitiateMultipartUploadResult> parse_initiate_multipart_upload(
    std::string_view body) {
  const auto doc = parse_with_root(body, "InitiateMultipartUploadResult");
  if (!doc) return malformed();
  const Node root = doc->root();
  InitiateMultipartUploadResult out{root.child_text("Bucket"), root.child_text("Key"),
                                    root.child_text("UploadId")};
  if (out.upload_id.empty()) return malformed();
  return out;
}

boost::system::result<CompleteResponse> parse_complete_multipart_upload(std::string_view body) {
  const auto doc = Document::parse(body);
  if (!doc) return malformed();
  const Node root = doc->root();
  if (root.name() == "Error") return CompleteResponse{error_from(root)};
  if (root.name() != "CompleteMultipartUploadResult") return malformed();
  return CompleteResponse{
      CompleteMultipartUploadResult{root.child_text("Location"), root.child_text("Bucket"),
                                    root.child_text("Key"), root.child_text("ETag")}};
}

boost::system::result<ListObjectsV2Result> parse_list_objects_v2(std::string_view body) {
  const auto doc = parse_with_root(body, "ListBucketResult");
  if (!doc) return malformed();
  const Node root = doc->root();
  const bool url_encoded = root.child_text("EncodingType") == "url";
  ListObjectsV2Result out;
  for (const Node contents : root.children("Contents")) {
    ObjectSummary object;
    if (!parse_object(contents, url_encoded, object)) return malformed();
    out.contents.push_back(std::move(object));
  }
  for (const Node common : root.children("CommonPrefixes")) {
    std::string prefix = common.child_text("Prefix");
    if (url_encoded && !url_decode_form(std::string(prefix), prefix)) return malformed();
    out.common_prefixes.push_back(std::move(prefix));
  }
  out.prefix = root.child_text("Prefix");
  if (url_encoded && !url_decode_form(std::string(out.prefix), out.prefix)) return malformed();
  const std::string truncated = root.child_text("IsTruncated");
  if (truncated != "true" && truncated != "false" && !truncated.empty()) return malformed();
  out.is_truncated = truncated == "true";
  out.next_continuation_token = root.child_text("NextContinuationToken");
  // A truncated page without a token cannot be continued: treat it as broken, not as the end.
  if (out.is_truncated && out.next_continuation_token.empty()) return malformed();
  const std::string key_count = root.child_text("KeyCount");
  out.key_count = out.contents.size() + out.common_prefixes.size();
  if (!key_count.empty() && !parse_uint(key_count, out.key_count)) return malformed();
  return out;
}

boost::system::result<ListMultipartUploadsResult> parse_list_multipart_uploads(
    std::string_view body) {
  const auto doc = parse_with_root(body, "ListMultipartUploadsResult");
  if (!doc) return malformed();
  const Node root = doc->root();
  const bool url_encoded = root.child_text("EncodingType") == "url";
  ListMultipartUploadsResult out;
  for (const Node upload : root.children("Upload")) {
    MultipartUploadEntry entry{upload.child_text("Key"), upload.child_text("UploadId")};
    if (entry.upload_id.empty()) return malformed();
    if (url_encoded && !url_decode_form(std::string(entry.key), entry.key)) return malformed();
    out.uploads.push_back(std::move(entry));
  }
  const std::string truncated = root.child_text("IsTruncated");
  if (truncated != "true" && truncated != "false" && !truncated.empty()) return malformed();
  out.is_truncated = truncated == "true";
  out.next_key_marker = root.child_text("NextKeyMarker");
  if (url_encoded && !url_decode_form(std::string(out.next_key_marker), out.next_key_marker)) {
    return malformed();
  }
  out.next_upload_id_marker = root.child_text("NextUploadIdMarker");
  // A truncated page without a marker cannot be continued: treat it as broken, not as the end.
  if (out.is_truncated && out.next_key_marker.empty()) return malformed();
  return out;
}

std::string build_complete_multipart_upload(const std::vector<CompletedPart>& parts) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const CompletedPart& part : parts) {
    out += "<Part><PartNumber>" + std::to_string(part.part_number) + "</PartNumber><ETag>" +
           escape(part.etag) + "</ETag>";
    // An upload created with a checksum algorithm needs each part's checksum here.
    if (!part.checksum_crc32c.empty()) {
      out += "<ChecksumCRC32C>" + escape(part.checksum_crc32c) + "</ChecksumCRC32C>";
    }
    out += "</Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace ks3::s3::xml

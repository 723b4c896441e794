#include "tests/component/fake_s3_store.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "s3/crc32c.hpp"
#include "s3/xml_document.hpp"

namespace ks3::test {
namespace {

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(data.data(), data.size(), out, &size, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    unsigned value = 0;
    std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    out.push_back(static_cast<char>(value));
  }
  return out;
}

// encoding-type=url answers: form encoding as S3 does it (a space is '+').
std::string form_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

constexpr std::string_view kXmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr std::string_view kNs = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

std::string element(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + s3::xml::escape(text) + "</" + std::string(name) + ">";
}

FakeResponse xml_response(std::string body) {
  FakeResponse response;
  response.headers.emplace_back("Content-Type", "application/xml");
  response.body = std::string(kXmlHeader) + body;
  return response;
}

struct CompletePart {
  int number = 0;
  std::string etag;
  std::string checksum_crc32c;  // <ChecksumCRC32C>, empty when absent
};

// Parses <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>...; false if malformed.
bool parse_complete_body(const std::string& body, std::vector<CompletePart>& parts) {
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeDoc);
  if (!doc) return false;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root ||
      std::string_view(reinterpret_cast<const char*>(root->name)) != "CompleteMultipartUpload") {
    return false;
  }
  for (const xmlNode* part = root->children; part; part = part->next) {
    if (part->type != XML_ELEMENT_NODE) continue;
    if (std::string_view(reinterpret_cast<const char*>(part->name)) != "Part") return false;
    CompletePart parsed;
    for (const xmlNode* field = part->children; field; field = field->next) {
      if (field->type != XML_ELEMENT_NODE) continue;
      std::unique_ptr<xmlChar, decltype(xmlFree)> text(xmlNodeGetContent(field), xmlFree);
      const std::string value = text ? reinterpret_cast<const char*>(text.get()) : "";
      const std::string_view name = reinterpret_cast<const char*>(field->name);
      if (name == "PartNumber") {
        const auto [end, ec] =
            std::from_chars(value.data(), value.data() + value.size(), parsed.number);
        if (ec != std::errc{} || end != value.data() + value.size()) return false;
      } else if (name == "ETag") {
        parsed.etag = value;
      } else if (name == "ChecksumCRC32C") {
        parsed.checksum_crc32c = value;
      }
    }
    if (parsed.number == 0 || parsed.etag.empty()) return false;
    parts.push_back(parsed);
  }
  return !parts.empty();
}

std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace

std::string md5_hex(std::string_view data) {
  return to_hex(digest(EVP_md5(), data));
}
std::string sha256_hex(std::string_view data) {
  return to_hex(digest(EVP_sha256(), data));
}

std::string md5_base64(std::string_view data) {
  const std::string raw = digest(EVP_md5(), data);
  unsigned char out[64];
  const int n = EVP_EncodeBlock(out, reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string_view to_string(S3Op op) {
  switch (op) {
    case S3Op::put_object:
      return "PutObject";
    case S3Op::get_object:
      return "GetObject";
    case S3Op::head_object:
      return "HeadObject";
    case S3Op::delete_object:
      return "DeleteObject";
    case S3Op::head_bucket:
      return "HeadBucket";
    case S3Op::create_bucket:
      return "CreateBucket";
    case S3Op::list_objects_v2:
      return "ListObjectsV2";
    case S3Op::list_multipart_uploads:
      return "ListMultipartUploads";
    case S3Op::create_multipart_upload:
      return "CreateMultipartUpload";
    case S3Op::upload_part:
      return "UploadPart";
    case S3Op::complete_multipart_upload:
      return "CompleteMultipartUpload";
    case S3Op::abort_multipart_upload:
      return "AbortMultipartUpload";
    case S3Op::unknown:
      return "Unknown";
  }
  return "Unknown";
}

std::string FakeRequest::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

S3Op classify_request(const FakeRequest& r) {
  if (r.bucket.empty()) return S3Op::unknown;
  if (r.key.empty()) {
    if (r.method == "HEAD") return S3Op::head_bucket;
    if (r.method == "PUT") return S3Op::create_bucket;
    if (r.method == "GET" && r.query.count("list-type") && r.query.at("list-type") == "2") {
      return S3Op::list_objects_v2;
    }
    if (r.method == "GET" && r.has_query("uploads")) return S3Op::list_multipart_uploads;
    return S3Op::unknown;
  }
  const bool upload = r.has_query("uploadId");
  if (r.method == "PUT") {
    return upload && r.has_query("partNumber") ? S3Op::upload_part : S3Op::put_object;
  }
  if (r.method == "POST" && r.has_query("uploads")) return S3Op::create_multipart_upload;
  if (r.method == "POST" && upload) return S3Op::complete_multipart_upload;
  if (r.method == "DELETE") return upload ? S3Op::abort_multipart_upload : S3Op::delete_object;
  if (r.method == "GET") return S3Op::get_object;
  if (r.method == "HEAD") return S3Op::head_object;
  return S3Op::unknown;
}

FakeResponse error_response(unsigned status, std::string_view code, std::string_view message,
                            std::string_view resource, std::string_view request_id) {
  FakeResponse response =
      xml_response("<Error>" + element("Code", code) + element("Message", message) +
                   element("Resource", resource) + element("RequestId", request_id) + "</Error>");
  response.status = status;
  response.error_code = std::string(code);
  return response;
}

void FakeS3Store::create_bucket(const std::string& bucket) {
  buckets_[bucket];
}

const StoredObject* FakeS3Store::object(const std::string& bucket, const std::string& key) const {
  const auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return nullptr;
  const auto o = b->second.find(key);
  return o == b->second.end() ? nullptr : &o->second;
}

void FakeS3Store::put_object(const std::string& bucket, const std::string& key, std::string data) {
  StoredObject stored;
  stored.etag = "\"" + md5_hex(data) + "\"";
  stored.data = std::move(data);
  buckets_[bucket][key] = std::move(stored);
}

std::vector<std::string> FakeS3Store::keys(const std::string& bucket) const {
  std::vector<std::string> out;
  const auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return out;
  for (const auto& [key, object] : b->second) out.push_back(key);
  return out;
}

FakeS3Store::Bucket* FakeS3Store::find_bucket(const FakeRequest& r) {
  const auto it = buckets_.find(r.bucket);
  return it == buckets_.end() ? nullptr : &it->second;
}

FakeResponse FakeS3Store::handle(S3Op op, const FakeRequest& r, std::string_view id) {
  const std::string resource = "/" + r.bucket + (r.key.empty() ? "" : "/" + r.key);
  if (op == S3Op::create_bucket) {
    create_bucket(r.bucket);
    return FakeResponse{};
  }
  if (op == S3Op::unknown) {
    return error_response(400, "NotImplemented", "the fake S3 does not know this request", resource,
                          id);
  }
  if (!find_bucket(r)) {
    FakeResponse response =
        error_response(404, "NoSuchBucket", "The specified bucket does not exist", resource, id);
    if (r.method == "HEAD") response.body.clear();  // HEAD answers carry no body
    return response;
  }
  // "Content-MD5 [...] Amazon S3 checks the object against the provided MD5 value and, if
  //  they do not match, returns an error" (BadDigest).
  const std::string content_md5 = r.header("content-md5");
  if (!content_md5.empty() && content_md5 != md5_base64(r.body)) {
    return error_response(400, "BadDigest",
                          "The Content-MD5 you specified did not match what we received.", resource,
                          id);
  }
  // "x-amz-checksum-crc32c [...] Amazon S3 [...] validates the checksum" (BadDigest otherwise).
  const std::string crc32c = r.header("x-amz-checksum-crc32c");
  if (!crc32c.empty() && crc32c != ks3::s3::crc32c_base64(r.body)) {
    return error_response(400, "BadDigest",
                          "The CRC32C you specified did not match the calculated checksum.",
                          resource, id);
  }
  switch (op) {
    case S3Op::put_object:
      return put(r, id);
    case S3Op::get_object:
      return get(r, id, false);
    case S3Op::head_object:
      return get(r, id, true);
    case S3Op::delete_object:
      return remove(r, id);
    case S3Op::head_bucket:
      return FakeResponse{};
    case S3Op::list_objects_v2:
      return list(r, id);
    case S3Op::list_multipart_uploads:
      return list_uploads(r, id);
    case S3Op::create_multipart_upload:
      return create_upload(r, id);
    case S3Op::upload_part:
      return upload_part(r, id);
    case S3Op::complete_multipart_upload:
      return complete(r, id);
    case S3Op::abort_multipart_upload:
      return abort(r, id);
    default:
      break;
  }
  return error_response(400, "NotImplemented", "unsupported", resource, id);
}

FakeResponse FakeS3Store::put(const FakeRequest& r, std::string_view) {
  StoredObject stored;
  stored.etag = "\"" + md5_hex(r.body) + "\"";
  stored.data = r.body;
  stored.content_type = r.header("content-type");
  FakeResponse response;
  response.headers.emplace_back("ETag", stored.etag);
  (*find_bucket(r))[r.key] = std::move(stored);
  return response;
}

FakeResponse FakeS3Store::get(const FakeRequest& r, std::string_view id, bool head) {
  const auto& bucket = *find_bucket(r);
  const auto it = bucket.find(r.key);
  if (it == bucket.end()) {
    FakeResponse response = error_response(404, "NoSuchKey", "The specified key does not exist.",
                                           "/" + r.bucket + "/" + r.key, id);
    if (head) response.body.clear();
    return response;
  }
  FakeResponse response;
  response.headers.emplace_back("ETag", it->second.etag);
  response.headers.emplace_back("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
  if (!it->second.content_type.empty()) {
    response.headers.emplace_back("Content-Type", it->second.content_type);
  }
  if (head) {
    response.head = true;
    response.head_content_length = it->second.data.size();
  } else {
    response.body = it->second.data;
  }
  return response;
}

FakeResponse FakeS3Store::remove(const FakeRequest& r, std::string_view) {
  find_bucket(r)->erase(r.key);  // "If the object does not exist, Amazon S3 returns a success"
  FakeResponse response;
  response.status = 204;
  return response;
}

FakeResponse FakeS3Store::list(const FakeRequest& r, std::string_view id) {
  const auto param = [&](const std::string& name) {
    const auto it = r.query.find(name);
    return it == r.query.end() ? std::string() : it->second;
  };
  const std::string prefix = param("prefix");
  const std::string delimiter = param("delimiter");
  const bool url = param("encoding-type") == "url";
  int max_keys = 1000;
  if (r.has_query("max-keys")) {
    const std::string text = param("max-keys");
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), max_keys);
    if (ec != std::errc{} || end != text.data() + text.size() || max_keys < 0) {
      return error_response(400, "InvalidArgument", "max-keys must be a non-negative integer",
                            "/" + r.bucket, id);
    }
    max_keys = std::min(max_keys, 1000);
  }
  // The continuation token is opaque to clients: here "k<key>" (resume after that key) or
  // "p<prefix>" (resume after every key under that common prefix), hex-encoded.
  std::string after_key = param("start-after");
  std::string after_prefix;
  if (r.has_query("continuation-token")) {
    const std::string token = from_hex(param("continuation-token"));
    if (token.empty() || (token[0] != 'k' && token[0] != 'p')) {
      return error_response(400, "InvalidArgument", "The continuation token provided is incorrect",
                            "/" + r.bucket, id);
    }
    (token[0] == 'k' ? after_key : after_prefix) = token.substr(1);
  }

  const auto& bucket = *find_bucket(r);
  std::string contents;
  std::string prefixes;
  std::string last_prefix;
  std::string next_token;
  int count = 0;
  bool truncated = false;
  const auto maybe_encode = [&](const std::string& text) { return url ? form_encode(text) : text; };
  for (auto it = bucket.upper_bound(after_key); it != bucket.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (!after_prefix.empty() && key.compare(0, after_prefix.size(), after_prefix) == 0) continue;
    std::string common;
    if (!delimiter.empty()) {
      const auto pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) common = key.substr(0, pos + delimiter.size());
    }
    if (!common.empty() && common == last_prefix) continue;
    if (count == max_keys) {
      truncated = true;
      break;
    }
    ++count;
    if (!common.empty()) {
      last_prefix = common;
      prefixes +=
          "<CommonPrefixes>" + element("Prefix", maybe_encode(common)) + "</CommonPrefixes>";
      next_token = to_hex("p" + common);
    } else {
      contents += "<Contents>" + element("Key", maybe_encode(key)) +
                  element("LastModified", "2024-01-01T00:00:00.000Z") +
                  element("ETag", it->second.etag) +
                  element("Size", std::to_string(it->second.data.size())) +
                  element("StorageClass", "STANDARD") + "</Contents>";
      next_token = to_hex("k" + key);
    }
  }
  std::string body = "<ListBucketResult" + std::string(kNs) + ">" + element("Name", r.bucket) +
                     element("Prefix", maybe_encode(prefix)) +
                     element("KeyCount", std::to_string(count)) +
                     element("MaxKeys", std::to_string(max_keys)) +
                     element("IsTruncated", truncated ? "true" : "false");
  if (!delimiter.empty()) body += element("Delimiter", maybe_encode(delimiter));
  if (url) body += element("EncodingType", "url");
  if (r.has_query("continuation-token")) {
    body += element("ContinuationToken", param("continuation-token"));
  }
  if (truncated) body += element("NextContinuationToken", next_token);
  body += contents + prefixes + "</ListBucketResult>";
  return xml_response(std::move(body));
}

// Every open upload of the bucket under `prefix`, in one page (key order, then upload id).
FakeResponse FakeS3Store::list_uploads(const FakeRequest& r, std::string_view) {
  const auto param = [&](const char* name) {
    const auto it = r.query.find(name);
    return it == r.query.end() ? std::string() : it->second;
  };
  const bool url = param("encoding-type") == "url";
  const std::string prefix = param("prefix");
  std::vector<std::pair<std::string, std::string>> found;  // key, upload id
  for (const auto& [upload_id, upload] : uploads_) {
    if (upload.bucket == r.bucket && upload.key.starts_with(prefix)) {
      found.emplace_back(upload.key, upload_id);
    }
  }
  std::sort(found.begin(), found.end());
  std::string body = "<ListMultipartUploadsResult" + std::string(kNs) + ">" +
                     element("Bucket", r.bucket) + (url ? element("EncodingType", "url") : "") +
                     element("IsTruncated", "false");
  for (const auto& [key, upload_id] : found) {
    body += "<Upload>" + element("Key", url ? form_encode(key) : key) +
            element("UploadId", upload_id) + "</Upload>";
  }
  return xml_response(body + "</ListMultipartUploadsResult>");
}

FakeResponse FakeS3Store::create_upload(const FakeRequest& r, std::string_view id) {
  const std::string upload_id = "upload-" + std::to_string(next_upload_++);
  Upload upload;
  upload.bucket = r.bucket;
  upload.key = r.key;
  upload.content_type = r.header("content-type");
  const std::string algorithm = r.header("x-amz-checksum-algorithm");
  if (!algorithm.empty() && algorithm != "CRC32C") {
    return error_response(400, "InvalidRequest",
                          "the fake S3 knows the CRC32C checksum algorithm only, not " + algorithm,
                          "/" + r.bucket + "/" + r.key, id);
  }
  upload.crc32c = algorithm == "CRC32C";
  uploads_[upload_id] = std::move(upload);
  return xml_response("<InitiateMultipartUploadResult" + std::string(kNs) + ">" +
                      element("Bucket", r.bucket) + element("Key", r.key) +
                      element("UploadId", upload_id) + "</InitiateMultipartUploadResult>");
}

FakeResponse FakeS3Store::upload_part(const FakeRequest& r, std::string_view id) {
  const std::string resource = "/" + r.bucket + "/" + r.key;
  const auto it = uploads_.find(r.query.at("uploadId"));
  if (it == uploads_.end() || it->second.bucket != r.bucket || it->second.key != r.key) {
    return error_response(404, "NoSuchUpload", "The specified upload does not exist.", resource,
                          id);
  }
  int number = 0;
  const std::string& text = r.query.at("partNumber");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  // "Part numbers can be any number from 1 to 10,000, inclusive."
  if (ec != std::errc{} || end != text.data() + text.size() || number < 1 ||
      number > kMaxPartNumber) {
    return error_response(400, "InvalidArgument",
                          "Part number must be an integer between 1 and 10000, inclusive", resource,
                          id);
  }
  Part part{r.body, "\"" + md5_hex(r.body) + "\"", r.header("x-amz-checksum-crc32c")};
  // An upload created for CRC-32C checksums takes parts that carry theirs (S3 computes it
  // otherwise; the fake asks, so a part that went without one is seen).
  if (it->second.crc32c && part.checksum_crc32c.empty()) {
    return error_response(400, "InvalidRequest",
                          "the fake S3 wants the part's x-amz-checksum-crc32c: the upload was "
                          "created for CRC32C checksums",
                          resource, id);
  }
  FakeResponse response;
  response.headers.emplace_back("ETag", part.etag);
  it->second.parts[number] = std::move(part);
  return response;
}

FakeResponse FakeS3Store::complete(const FakeRequest& r, std::string_view id) {
  const std::string resource = "/" + r.bucket + "/" + r.key;
  const auto it = uploads_.find(r.query.at("uploadId"));
  if (it == uploads_.end() || it->second.bucket != r.bucket || it->second.key != r.key) {
    return error_response(404, "NoSuchUpload", "The specified upload does not exist.", resource,
                          id);
  }
  std::vector<CompletePart> parts;
  if (!parse_complete_body(r.body, parts)) {
    return error_response(400, "MalformedXML", "The XML you provided was not well-formed", resource,
                          id);
  }
  const Upload& upload = it->second;
  std::string data;
  std::string md5s;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].number <= parts[i - 1].number) {
      return error_response(400, "InvalidPartOrder",
                            "The list of parts was not in ascending order.", resource, id);
    }
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto part = upload.parts.find(parts[i].number);
    if (part == upload.parts.end() || unquoted(part->second.etag) != unquoted(parts[i].etag)) {
      return error_response(400, "InvalidPart",
                            "One or more of the specified parts could not be found or the "
                            "ETag did not match.",
                            resource, id);
    }
    // "The upload was created using a crc32c checksum. The complete request must include the
    //  checksum for each part."
    if (upload.crc32c && parts[i].checksum_crc32c.empty()) {
      return error_response(400, "InvalidRequest",
                            "The upload was created using a crc32c checksum. The complete request "
                            "must include the checksum for each part. It was missing for part " +
                                std::to_string(parts[i].number) + " in the request.",
                            resource, id);
    }
    if (upload.crc32c && parts[i].checksum_crc32c != part->second.checksum_crc32c) {
      return error_response(400, "InvalidPart",
                            "One or more of the specified parts could not be found or the "
                            "checksum did not match.",
                            resource, id);
    }
    if (i + 1 < parts.size() && part->second.data.size() < kMinPartSize) {
      return error_response(400, "EntityTooSmall",
                            "Your proposed upload is smaller than the minimum allowed size",
                            resource, id);
    }
    data += part->second.data;
    md5s += from_hex(unquoted(part->second.etag));
  }
  StoredObject stored;
  stored.etag = "\"" + md5_hex(md5s) + "-" + std::to_string(parts.size()) + "\"";
  stored.data = std::move(data);
  stored.content_type = upload.content_type;
  const std::string etag = stored.etag;
  buckets_[upload.bucket][upload.key] = std::move(stored);
  uploads_.erase(it);
  ++completed_uploads_;
  return xml_response("<CompleteMultipartUploadResult" + std::string(kNs) + ">" +
                      element("Location", "http://fake" + resource) + element("Bucket", r.bucket) +
                      element("Key", r.key) + element("ETag", etag) +
                      "</CompleteMultipartUploadResult>");
}

FakeResponse FakeS3Store::abort(const FakeRequest& r, std::string_view id) {
  const auto it = uploads_.find(r.query.at("uploadId"));
  if (it == uploads_.end()) {
    return error_response(404, "NoSuchUpload", "The specified upload does not exist.",
                          "/" + r.bucket + "/" + r.key, id);
  }
  uploads_.erase(it);
  ++aborted_uploads_;
  FakeResponse response;
  response.status = 204;
  return response;
}

}  // namespace ks3::test

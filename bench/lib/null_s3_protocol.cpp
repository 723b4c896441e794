#include "bench/lib/null_s3_protocol.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <map>

#include "s3/uri_encode.hpp"
#include "s3/xml_document.hpp"

namespace ks3::bench::nulls3 {
namespace {

using Query = std::map<std::string, std::string, std::less<>>;

bool parse_query(std::string_view query, Query& out) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    std::string name, value;
    if (!s3::uri_decode(item.substr(0, eq), name)) return false;
    if (eq != std::string_view::npos && !s3::uri_decode(item.substr(eq + 1), value)) return false;
    out[name] = value;
  }
  return true;
}

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

ParsedRequest unsupported(std::string problem) {
  ParsedRequest request;
  request.problem = std::move(problem);
  return request;
}

// Bucket-level requests: /bucket or /bucket/.
ParsedRequest classify_bucket(std::string_view method, ParsedRequest request, const Query& query) {
  if (method == "HEAD") {
    request.op = Operation::head_bucket;
  } else if (method == "PUT" && query.empty()) {
    request.op = Operation::create_bucket;
  } else if (method == "GET" && query.contains("list-type")) {
    if (query.at("list-type") != "2")
      return unsupported("only ListObjectsV2 (list-type=2) is served");
    request.op = Operation::list_objects_v2;
    if (auto it = query.find("prefix"); it != query.end()) request.prefix = it->second;
    if (auto it = query.find("continuation-token"); it != query.end())
      request.continuation_token = it->second;
    if (auto it = query.find("start-after"); it != query.end()) request.start_after = it->second;
    if (auto it = query.find("max-keys"); it != query.end()) {
      auto n = to_int(it->second);
      if (!n || *n < 0) return unsupported("max-keys must be a number >= 0");
      request.max_keys = std::min(*n, 1000);  // "returns up to 1,000 key names"
    }
  } else {
    return unsupported(std::string(method) +
                       " on a bucket is not served (ListObjects v1, ACLs...)");
  }
  return request;
}

ParsedRequest classify_object(std::string_view method, ParsedRequest request, const Query& query) {
  const auto upload_id = query.find("uploadId");
  if (upload_id != query.end()) request.upload_id = upload_id->second;
  const bool has_upload = upload_id != query.end();
  if (method == "PUT") {
    if (has_upload || query.contains("partNumber")) {
      auto part = query.contains("partNumber") ? to_int(query.at("partNumber")) : std::nullopt;
      // "Part numbers can be any number from 1 to 10,000, inclusive."
      if (!has_upload || !part || *part < 1 || *part > 10000) {
        return unsupported("UploadPart needs uploadId and a partNumber from 1 to 10000");
      }
      request.op = Operation::upload_part;
      request.part_number = *part;
    } else {
      request.op = Operation::put_object;
    }
  } else if (method == "POST") {
    if (query.contains("uploads")) {
      request.op = Operation::create_upload;
    } else if (has_upload) {
      request.op = Operation::complete_upload;
    } else {
      return unsupported("POST on an object needs ?uploads or ?uploadId");
    }
  } else if (method == "DELETE") {
    request.op = has_upload ? Operation::abort_upload : Operation::delete_object;
  } else if (method == "HEAD") {
    request.op = Operation::head_object;
  } else if (method == "GET") {
    request.op = Operation::get_object;
  } else {
    return unsupported(std::string(method) + " is not an S3 method");
  }
  return request;
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  out += s3::xml::escape(text);
  out += "</";
  out += name;
  out += '>';
}

constexpr std::string_view kXmlDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";
constexpr std::string_view kS3Namespace = R"( xmlns="http://s3.amazonaws.com/doc/2006-03-01/")";

}  // namespace

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::put_object:
      return "PutObject";
    case Operation::upload_part:
      return "UploadPart";
    case Operation::create_upload:
      return "CreateMultipartUpload";
    case Operation::complete_upload:
      return "CompleteMultipartUpload";
    case Operation::abort_upload:
      return "AbortMultipartUpload";
    case Operation::delete_object:
      return "DeleteObject";
    case Operation::head_bucket:
      return "HeadBucket";
    case Operation::head_object:
      return "HeadObject";
    case Operation::list_objects_v2:
      return "ListObjectsV2";
    case Operation::create_bucket:
      return "CreateBucket";
    case Operation::get_object:
      return "GetObject";
    case Operation::stats:
      return "Stats";
    case Operation::unsupported:
      return "Unsupported";
  }
  return "Unsupported";
}

ParsedRequest classify(std::string_view method, std::string_view target) {
  const std::size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  const std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (raw_path == "/_ks3/stats") {
    ParsedRequest request;
    request.op = method == "GET" ? Operation::stats : Operation::unsupported;
    return request;
  }
  std::string path;
  Query query;
  if (!s3::uri_decode(raw_path, path) || !parse_query(raw_query, query)) {
    return unsupported("malformed %-escape in the request target");
  }
  if (path.empty() || path[0] != '/' || path.size() == 1) {
    return unsupported("ListBuckets is not served; use path-style /bucket/key");
  }
  ParsedRequest request;
  const std::size_t slash = path.find('/', 1);
  request.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  if (slash == std::string::npos || slash + 1 == path.size()) {
    return classify_bucket(method, std::move(request), query);
  }
  request.key = path.substr(slash + 1);
  return classify_object(method, std::move(request), query);
}

std::optional<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock trims whitespace at the ends and reads any '=' as zero bits: only the
  // alphabet, with '=' as the last one or two characters ("xx==" or "xxx="), is accepted.
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  const std::string_view data = text.substr(0, text.size() - padding);
  if (data.find_first_not_of(kAlphabet) != std::string_view::npos) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);  // the padding decodes to zero bytes
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::optional<std::vector<s3::xml::CompletedPart>> parse_complete_body(std::string_view body) {
  auto document = s3::xml::Document::parse(body);
  if (!document || document->root().name() != "CompleteMultipartUpload") return std::nullopt;
  std::vector<s3::xml::CompletedPart> parts;
  for (const s3::xml::Node& part : document->root().children("Part")) {
    auto number = to_int(part.child_text("PartNumber"));
    std::string etag = part.child_text("ETag");
    if (!number || etag.empty()) return std::nullopt;
    parts.push_back({*number, std::move(etag), part.child_text("ChecksumCRC32C")});
  }
  return parts;
}

std::string error_xml(std::string_view code, std::string_view message, std::string_view resource,
                      std::string_view request_id) {
  std::string out(kXmlDecl);
  out += "<Error>";
  append_element(out, "Code", code);
  append_element(out, "Message", message);
  append_element(out, "Resource", resource);
  append_element(out, "RequestId", request_id);
  out += "</Error>";
  return out;
}

std::string initiate_xml(std::string_view bucket, std::string_view key,
                         std::string_view upload_id) {
  std::string out(kXmlDecl);
  out += "<InitiateMultipartUploadResult";
  out += kS3Namespace;
  out += '>';
  append_element(out, "Bucket", bucket);
  append_element(out, "Key", key);
  append_element(out, "UploadId", upload_id);
  out += "</InitiateMultipartUploadResult>";
  return out;
}

std::string complete_xml(std::string_view bucket, std::string_view key, std::string_view etag) {
  std::string out(kXmlDecl);
  out += "<CompleteMultipartUploadResult";
  out += kS3Namespace;
  out += '>';
  append_element(out, "Location", "/" + std::string(bucket) + "/" + std::string(key));
  append_element(out, "Bucket", bucket);
  append_element(out, "Key", key);
  append_element(out, "ETag", etag);
  out += "</CompleteMultipartUploadResult>";
  return out;
}

std::string list_xml(std::string_view bucket, const ParsedRequest& request, const ListPage& page) {
  std::string out(kXmlDecl);
  out += "<ListBucketResult";
  out += kS3Namespace;
  out += '>';
  append_element(out, "Name", bucket);
  append_element(out, "Prefix", request.prefix);
  append_element(out, "KeyCount", std::to_string(page.contents.size()));
  append_element(out, "MaxKeys", std::to_string(request.max_keys));
  append_element(out, "IsTruncated", page.truncated ? "true" : "false");
  if (!request.continuation_token.empty()) {
    append_element(out, "ContinuationToken", request.continuation_token);
  }
  if (page.truncated) append_element(out, "NextContinuationToken", page.next_token);
  for (const ListEntry& entry : page.contents) {
    out += "<Contents>";
    append_element(out, "Key", entry.key);
    // Nothing here depends on the clock; a fixed time keeps answers reproducible.
    append_element(out, "LastModified", "2025-01-01T00:00:00.000Z");
    append_element(out, "ETag", entry.etag);
    append_element(out, "Size", std::to_string(entry.size));
    append_element(out, "StorageClass", "STANDARD");
    out += "</Contents>";
  }
  out += "</ListBucketResult>";
  return out;
}

}  // namespace ks3::bench::nulls3

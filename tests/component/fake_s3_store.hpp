// The in-memory S3 behind the fake server (tests only): buckets, objects, multipart uploads and
// listing, enforcing S3's rules strictly (which s3rver does not). No I/O: the server in
// fake_s3.hpp parses HTTP and hands requests here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks3::test {

enum class S3Op {
  put_object,
  get_object,
  head_object,
  delete_object,
  head_bucket,
  create_bucket,
  list_objects_v2,
  list_multipart_uploads,
  create_multipart_upload,
  upload_part,
  complete_multipart_upload,
  abort_multipart_upload,
  unknown,
};
std::string_view to_string(S3Op op);

struct FakeRequest {
  std::string method;
  std::string bucket;
  std::string key;                             // decoded
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  std::string header(const std::string& name) const;
  bool has_query(const std::string& name) const { return query.count(name) != 0; }
};

// Which operation a request is, from its method, key and query (S3's REST routing).
S3Op classify_request(const FakeRequest& request);

struct FakeResponse {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A HEAD answer: Content-Length announces the object's size but no body follows.
  bool head = false;
  std::uint64_t head_content_length = 0;
  std::string error_code;  // the S3 Code of an error answer (for the request log)
};

// An S3 <Error> answer.
FakeResponse error_response(unsigned status, std::string_view code, std::string_view message,
                            std::string_view resource, std::string_view request_id);

struct StoredObject {
  std::string data;
  std::string etag;  // quoted
  std::string content_type;
};

class FakeS3Store {
 public:
  // "Each part must be at least 5 MB in size, except the last part."
  static constexpr std::size_t kMinPartSize = 5 * 1024 * 1024;
  static constexpr int kMaxPartNumber = 10000;

  void create_bucket(const std::string& bucket);
  // Applies the request to the store and returns S3's answer.
  FakeResponse handle(S3Op op, const FakeRequest& request, std::string_view request_id);

  const StoredObject* object(const std::string& bucket, const std::string& key) const;
  void put_object(const std::string& bucket, const std::string& key, std::string data);
  std::vector<std::string> keys(const std::string& bucket) const;
  std::size_t open_uploads() const { return uploads_.size(); }
  std::size_t completed_uploads() const { return completed_uploads_; }
  std::size_t aborted_uploads() const { return aborted_uploads_; }

 private:
  struct Part {
    std::string data;
    std::string etag;
    std::string checksum_crc32c;  // base64, as the request's x-amz-checksum-crc32c carried it
  };
  struct Upload {
    std::string bucket;
    std::string key;
    std::string content_type;
    bool crc32c = false;  // created with x-amz-checksum-algorithm: CRC32C
    std::map<int, Part> parts;
  };
  using Bucket = std::map<std::string, StoredObject>;

  FakeResponse put(const FakeRequest& r, std::string_view id);
  FakeResponse get(const FakeRequest& r, std::string_view id, bool head);
  FakeResponse remove(const FakeRequest& r, std::string_view id);
  FakeResponse list(const FakeRequest& r, std::string_view id);
  FakeResponse list_uploads(const FakeRequest& r, std::string_view id);
  FakeResponse create_upload(const FakeRequest& r, std::string_view id);
  FakeResponse upload_part(const FakeRequest& r, std::string_view id);
  FakeResponse complete(const FakeRequest& r, std::string_view id);
  FakeResponse abort(const FakeRequest& r, std::string_view id);
  Bucket* find_bucket(const FakeRequest& r);

  std::map<std::string, Bucket> buckets_;
  std::map<std::string, Upload> uploads_;
  std::uint64_t next_upload_ = 1;
  std::size_t completed_uploads_ = 0;
  std::size_t aborted_uploads_ = 0;
};

// Helpers shared with the server and the tests.
std::string md5_hex(std::string_view data);
std::string md5_base64(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace ks3::test

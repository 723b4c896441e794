// The fake S3 must be at least as strict as S3 where the pipeline could go wrong: these
// checks make sure it refuses what S3 refuses.
#include <gtest/gtest.h>

#include "s3/crc32c.hpp"
#include "s3/xml_document.hpp"
#include "tests/component/fake_s3_store.hpp"

namespace ks3::test {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

class FakeS3StoreTest : public ::testing::Test {
 protected:
  FakeS3StoreTest() { store.create_bucket("b"); }

  FakeResponse send(S3Op op, FakeRequest request) {
    request.bucket = request.bucket.empty() ? "b" : request.bucket;
    return store.handle(op, request, "RID");
  }
  std::string create(const std::string& key) {
    FakeRequest request;
    request.method = "POST";
    request.key = key;
    request.query["uploads"] = "";
    const FakeResponse response = send(S3Op::create_multipart_upload, request);
    const auto begin = response.body.find("<UploadId>") + 10;
    return response.body.substr(begin, response.body.find("</UploadId>") - begin);
  }
  FakeResponse part(const std::string& key, const std::string& upload, int number,
                    std::string data) {
    FakeRequest request;
    request.method = "PUT";
    request.key = key;
    request.query["uploadId"] = upload;
    request.query["partNumber"] = std::to_string(number);
    request.body = std::move(data);
    return send(S3Op::upload_part, request);
  }
  FakeResponse complete(const std::string& key, const std::string& upload,
                        const std::vector<std::pair<int, std::string>>& parts) {
    FakeRequest request;
    request.method = "POST";
    request.key = key;
    request.query["uploadId"] = upload;
    request.body = "<CompleteMultipartUpload>";
    for (const auto& [number, etag] : parts) {
      request.body += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                      s3::xml::escape(etag) + "</ETag></Part>";
    }
    request.body += "</CompleteMultipartUpload>";
    return send(S3Op::complete_multipart_upload, request);
  }
  static std::string etag_of(const FakeResponse& response) {
    for (const auto& [name, value] : response.headers) {
      if (name == "ETag") return value;
    }
    return "";
  }

  FakeS3Store store;
};

TEST_F(FakeS3StoreTest, RejectsSmallPartsExceptTheLast) {
  const std::string upload = create("k");
  const std::string e1 = etag_of(part("k", upload, 1, std::string(kMiB, 'a')));
  const std::string e2 = etag_of(part("k", upload, 2, "tail"));
  EXPECT_EQ(complete("k", upload, {{1, e1}, {2, e2}}).error_code, "EntityTooSmall");
  EXPECT_EQ(store.open_uploads(), 1u);
  // A small part is fine as the only (last) part.
  const std::string single = create("s");
  const std::string e = etag_of(part("s", single, 1, "tiny"));
  EXPECT_EQ(complete("s", single, {{1, e}}).status, 200u);
  EXPECT_EQ(store.object("b", "s")->data, "tiny");
}

TEST_F(FakeS3StoreTest, RejectsWrongETagsMissingPartsAndBadOrder) {
  const std::string upload = create("k");
  const std::string e1 = etag_of(part("k", upload, 1, std::string(5 * kMiB, 'a')));
  const std::string e2 = etag_of(part("k", upload, 2, "b"));
  EXPECT_EQ(complete("k", upload, {{1, "\"0123\""}, {2, e2}}).error_code, "InvalidPart");
  EXPECT_EQ(complete("k", upload, {{1, e1}, {3, e2}}).error_code, "InvalidPart");
  EXPECT_EQ(complete("k", upload, {{2, e2}, {1, e1}}).error_code, "InvalidPartOrder");
  const FakeResponse done = complete("k", upload, {{1, e1}, {2, e2}});
  EXPECT_EQ(done.status, 200u);
  EXPECT_NE(done.body.find("-2&quot;</ETag>"), std::string::npos);  // multipart ETag "...-2"
  EXPECT_EQ(store.object("b", "k")->data.size(), 5 * kMiB + 1);
  // The upload is gone: Complete again and parts are NoSuchUpload.
  EXPECT_EQ(complete("k", upload, {{1, e1}, {2, e2}}).error_code, "NoSuchUpload");
  EXPECT_EQ(part("k", upload, 3, "x").error_code, "NoSuchUpload");
}

TEST_F(FakeS3StoreTest, PartNumbersAndAbort) {
  const std::string upload = create("k");
  EXPECT_EQ(part("k", upload, 0, "x").error_code, "InvalidArgument");
  EXPECT_EQ(part("k", upload, 10001, "x").error_code, "InvalidArgument");
  EXPECT_EQ(part("k", upload, 10000, "x").status, 200u);
  FakeRequest abort;
  abort.method = "DELETE";
  abort.key = "k";
  abort.query["uploadId"] = upload;
  EXPECT_EQ(send(S3Op::abort_multipart_upload, abort).status, 204u);
  EXPECT_EQ(store.open_uploads(), 0u);
  EXPECT_EQ(send(S3Op::abort_multipart_upload, abort).error_code, "NoSuchUpload");
}

TEST_F(FakeS3StoreTest, ChecksContentMd5) {
  FakeRequest put;
  put.method = "PUT";
  put.key = "k";
  put.body = "hello";
  put.headers["content-md5"] = md5_base64("hellO");
  EXPECT_EQ(send(S3Op::put_object, put).error_code, "BadDigest");
  EXPECT_FALSE(store.object("b", "k"));
  put.headers["content-md5"] = md5_base64("hello");
  EXPECT_EQ(send(S3Op::put_object, put).status, 200u);
}

TEST_F(FakeS3StoreTest, ChecksCrc32c) {
  FakeRequest put;
  put.method = "PUT";
  put.key = "k";
  put.body = "hello";
  put.headers["x-amz-checksum-crc32c"] = s3::crc32c_base64("hellO");
  EXPECT_EQ(send(S3Op::put_object, put).error_code, "BadDigest");
  EXPECT_FALSE(store.object("b", "k"));
  put.headers["x-amz-checksum-crc32c"] = s3::crc32c_base64("hello");
  EXPECT_EQ(send(S3Op::put_object, put).status, 200u);
}

// An upload created for CRC-32C checksums: each part carries its checksum, and Complete must
// list every part's, as sent.
TEST_F(FakeS3StoreTest, Crc32cUploadsNeedEveryPartsChecksumAtComplete) {
  FakeRequest create_request;
  create_request.method = "POST";
  create_request.key = "k";
  create_request.query["uploads"] = "";
  create_request.headers["x-amz-checksum-algorithm"] = "CRC32C";
  const FakeResponse created = send(S3Op::create_multipart_upload, create_request);
  const auto begin = created.body.find("<UploadId>") + 10;
  const std::string upload = created.body.substr(begin, created.body.find("</UploadId>") - begin);

  EXPECT_EQ(part("k", upload, 1, "no checksum").error_code, "InvalidRequest");
  FakeRequest part_request;
  part_request.method = "PUT";
  part_request.key = "k";
  part_request.query["uploadId"] = upload;
  part_request.query["partNumber"] = "1";
  part_request.body = "only part";
  part_request.headers["x-amz-checksum-crc32c"] = s3::crc32c_base64(part_request.body);
  const FakeResponse uploaded = send(S3Op::upload_part, part_request);
  ASSERT_EQ(uploaded.status, 200u);
  const std::string etag = etag_of(uploaded);

  const auto complete_with = [&](const std::string& checksum) {
    FakeRequest request;
    request.method = "POST";
    request.key = "k";
    request.query["uploadId"] = upload;
    request.body = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
                   s3::xml::escape(etag) + "</ETag>" +
                   (checksum.empty() ? "" : "<ChecksumCRC32C>" + checksum + "</ChecksumCRC32C>") +
                   "</Part></CompleteMultipartUpload>";
    return send(S3Op::complete_multipart_upload, request);
  };
  const FakeResponse missing = complete_with("");
  EXPECT_EQ(missing.error_code, "InvalidRequest");
  EXPECT_NE(missing.body.find("It was missing for part 1"), std::string::npos) << missing.body;
  EXPECT_EQ(complete_with(s3::crc32c_base64("another part")).error_code, "InvalidPart");
  EXPECT_EQ(complete_with(s3::crc32c_base64(part_request.body)).status, 200u);
  EXPECT_EQ(store.object("b", "k")->data, "only part");
}

TEST_F(FakeS3StoreTest, MissingKeysAndBuckets) {
  FakeRequest get;
  get.method = "GET";
  get.key = "nope";
  EXPECT_EQ(send(S3Op::get_object, get).error_code, "NoSuchKey");
  get.bucket = "other";
  EXPECT_EQ(send(S3Op::get_object, get).error_code, "NoSuchBucket");
}

TEST_F(FakeS3StoreTest, RoutesRequestsLikeS3) {
  FakeRequest r;
  r.bucket = "b";
  r.method = "PUT";
  r.key = "k";
  EXPECT_EQ(classify_request(r), S3Op::put_object);
  r.query = {{"partNumber", "1"}, {"uploadId", "u"}};
  EXPECT_EQ(classify_request(r), S3Op::upload_part);
  r.method = "POST";
  r.query = {{"uploads", ""}};
  EXPECT_EQ(classify_request(r), S3Op::create_multipart_upload);
  r.query = {{"uploadId", "u"}};
  EXPECT_EQ(classify_request(r), S3Op::complete_multipart_upload);
  r.method = "DELETE";
  EXPECT_EQ(classify_request(r), S3Op::abort_multipart_upload);
  r.key.clear();
  r.method = "GET";
  r.query = {{"list-type", "2"}};
  EXPECT_EQ(classify_request(r), S3Op::list_objects_v2);
  r.method = "HEAD";
  r.query.clear();
  EXPECT_EQ(classify_request(r), S3Op::head_bucket);
}

}  // namespace
}  // namespace ks3::test

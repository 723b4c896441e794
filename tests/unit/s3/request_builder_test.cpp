// The request of one attempt: addressing + encoding + signing together, checked against the
// AWS S3 API reference's SigV4 examples (examplebucket, 20130524T000000Z).
#include "s3/request_builder.hpp"

#include <gtest/gtest.h>

namespace ks3::s3 {
namespace {

const Credentials kCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                               "", std::nullopt};
const auto kMay24 = std::chrono::system_clock::from_time_t(1369353600);

Endpoint legacy_global_endpoint() {
  Endpoint endpoint;
  endpoint.https = true;
  endpoint.host = "s3.amazonaws.com";
  endpoint.port = 443;
  return endpoint;
}

TEST(RequestBuilder, GetObjectWithRangeMatchesTheAwsExample) {
  OperationRequest op;
  op.operation = "GetObject";
  op.method = "GET";
  op.bucket = "examplebucket";
  op.key = "test.txt";
  op.headers.emplace_back("range", "bytes=0-9");
  const RequestTarget target =
      resolve_target(legacy_global_endpoint(), AddressingStyle::virtual_hosted, op.bucket, op.key);
  const HttpRequest request =
      build_request(op, target, {kCredentials, "us-east-1", kMay24, nullptr}, "ua/1");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/test.txt");
  EXPECT_EQ(find_header(request.headers, "Host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(find_header(request.headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(find_header(request.headers, "user-agent"), "ua/1");
  EXPECT_EQ(find_header(request.headers, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(RequestBuilder, ListObjectsQueryMatchesTheAwsExample) {
  OperationRequest op;
  op.method = "GET";
  op.bucket = "examplebucket";
  op.query = {{"prefix", "J"}, {"max-keys", "2"}};
  const RequestTarget target =
      resolve_target(legacy_global_endpoint(), AddressingStyle::virtual_hosted, op.bucket, "");
  const HttpRequest request =
      build_request(op, target, {kCredentials, "us-east-1", kMay24, nullptr}, "");
  EXPECT_EQ(request.target, "/?max-keys=2&prefix=J");
  EXPECT_NE(find_header(request.headers, "authorization")
                .find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
  EXPECT_EQ(find_header(request.headers, "user-agent"), "");
}

TEST(RequestBuilder, PathStyleKeysAreEncodedOnceAndTheBodyIsShared) {
  OperationRequest op;
  op.method = "PUT";
  op.bucket = "data";
  op.key = "dt=2024-01-01/a b+c%d~e(f).json";
  op.query = {{"partNumber", "3"}, {"uploadId", "a/b=c"}};
  op.body = make_body("payload");
  op.payload_hash = payload_hash_for(op.body, true);
  const RequestTarget target = resolve_target(parse_endpoint("http://127.0.0.1:9000"),
                                              AddressingStyle::path, "data", op.key);
  const HttpRequest request =
      build_request(op, target, {kCredentials, "us-east-1", kMay24, nullptr}, "");
  EXPECT_EQ(request.target,
            "/data/dt%3D2024-01-01/a%20b%2Bc%25d~e%28f%29.json?partNumber=3&uploadId=a%2Fb%3Dc");
  EXPECT_EQ(find_header(request.headers, "host"), "127.0.0.1:9000");
  EXPECT_EQ(find_header(request.headers, "x-amz-content-sha256"),
            "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5");
  EXPECT_EQ(request.body.get(), op.body.get());  // no copy
}

TEST(RequestBuilder, PayloadHashChoices) {
  EXPECT_EQ(payload_hash_for(nullptr, true), sigv4::kEmptyPayloadSha256);
  EXPECT_EQ(payload_hash_for(make_body(""), false), sigv4::kEmptyPayloadSha256);
  EXPECT_EQ(payload_hash_for(make_body("x"), false), sigv4::kUnsignedPayload);
  EXPECT_EQ(payload_hash_for(make_body("x"), true), sigv4::sha256_hex("x"));
}

TEST(RequestBuilder, SessionTokenIsSentAndSigned) {
  Credentials temporary = kCredentials;
  temporary.session_token = "token/with+chars";
  OperationRequest op;
  op.method = "HEAD";
  op.bucket = "b";
  const RequestTarget target =
      resolve_target(parse_endpoint("http://minio:9000"), AddressingStyle::path, "b", "");
  const HttpRequest request = build_request(op, target, {temporary, "us-east-1", kMay24}, "");
  EXPECT_EQ(find_header(request.headers, "x-amz-security-token"), "token/with+chars");
  EXPECT_NE(find_header(request.headers, "authorization").find("x-amz-security-token"),
            std::string::npos);
}

}  // namespace
}  // namespace ks3::s3

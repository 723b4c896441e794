// The examples of the AWS S3 API reference ("Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk" and "Authenticating Requests: Using Query Parameters"):
// examplebucket, AKIAIOSFODNN7EXAMPLE, 20130524T000000Z, us-east-1.
#include "s3/sigv4.hpp"

#include <gtest/gtest.h>

namespace ks3::s3::sigv4 {
namespace {

const Credentials kCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                               "", std::nullopt};
constexpr std::string_view kHost = "examplebucket.s3.amazonaws.com";

Clock::time_point may_24_2013() {
  return Clock::from_time_t(1369353600);  // 2013-05-24T00:00:00Z
}

std::string signature_of(const std::string& authorization_value) {
  const auto at = authorization_value.find("Signature=");
  return at == std::string::npos ? "" : authorization_value.substr(at + 10);
}

TEST(SigV4, Dates) {
  EXPECT_EQ(amz_date(may_24_2013()), "20130524T000000Z");
  EXPECT_EQ(date_stamp(may_24_2013() + std::chrono::hours(23)), "20130524");
  EXPECT_EQ(amz_date(may_24_2013() + std::chrono::seconds(3723)), "20130524T010203Z");
}

TEST(SigV4, Hashes) {
  EXPECT_EQ(sha256_hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(md5_base64("hello"), "XUFAKrxLKna5cZ2REBfFkg==");
}

TEST(SigV4, GetObjectWithRange) {
  SigningRequest request{"GET",
                         "/test.txt",
                         {},
                         {{"Host", std::string(kHost)},
                          {"Range", "bytes=0-9"},
                          {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
                          {"x-amz-date", "20130524T000000Z"}},
                         std::string(kEmptyPayloadSha256)};
  EXPECT_EQ(
      canonical_request(request),
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                           canonical_request(request)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization(request, kCredentials, "us-east-1", "s3", may_24_2013()),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectWithStorageClass) {
  const std::string body = "Welcome to Amazon S3.";
  SigningRequest request{"PUT",
                         encode_path("/test$file.text"),
                         {},
                         {{"Host", std::string(kHost)},
                          {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                          {"x-amz-date", "20130524T000000Z"},
                          {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                          {"x-amz-content-sha256", sha256_hex(body)}},
                         sha256_hex(body)};
  EXPECT_EQ(request.canonical_uri, "/test%24file.text");
  EXPECT_EQ(signature_of(authorization(request, kCredentials, "us-east-1", "s3", may_24_2013())),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, GetBucketLifecycle) {
  SigningRequest request{"GET",
                         "/",
                         {{"lifecycle", ""}},
                         {{"Host", std::string(kHost)},
                          {"x-amz-date", "20130524T000000Z"},
                          {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)}},
                         std::string(kEmptyPayloadSha256)};
  EXPECT_EQ(signature_of(authorization(request, kCredentials, "us-east-1", "s3", may_24_2013())),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ListObjects) {
  SigningRequest request{"GET",
                         "/",
                         {{"prefix", "J"}, {"max-keys", "2"}},
                         {{"Host", std::string(kHost)},
                          {"x-amz-date", "20130524T000000Z"},
                          {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)}},
                         std::string(kEmptyPayloadSha256)};
  EXPECT_EQ(signature_of(authorization(request, kCredentials, "us-east-1", "s3", may_24_2013())),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, SignRequestAddsHeadersAndSignsOnlyTheExplicitSet) {
  SigningRequest request{"GET",
                         "/test.txt",
                         {},
                         {{"Host", std::string(kHost)},
                          {"Range", "bytes=0-9"},
                          {"User-Agent", "kafka-s3-sink/0.1"},  // a proxy may rewrite it
                          {"Accept-Encoding", "identity"}},
                         std::string(kEmptyPayloadSha256)};
  const Headers added = sign_request(request, kCredentials, "us-east-1", "s3", may_24_2013());
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[0], (Header{"x-amz-date", "20130524T000000Z"}));
  EXPECT_EQ(added[1], (Header{"x-amz-content-sha256", std::string(kEmptyPayloadSha256)}));
  EXPECT_EQ(added[2].first, "authorization");
  // Same signature as the documentation example: user-agent and accept-encoding not signed.
  EXPECT_EQ(signature_of(added[2].second),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  Credentials temporary = kCredentials;
  temporary.session_token = "FQoGZXIvYXdzEXAMPLETOKEN==";
  SigningRequest request{
      "GET", "/test.txt", {}, {{"host", std::string(kHost)}}, std::string(kEmptyPayloadSha256)};
  const Headers added = sign_request(request, temporary, "us-east-1", "s3", may_24_2013());
  ASSERT_EQ(added.size(), 4u);
  EXPECT_EQ(added[2], (Header{"x-amz-security-token", temporary.session_token}));
  EXPECT_NE(added[3].second.find(
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(SigV4, CanonicalHeadersTrimAndJoinRepeats) {
  SigningRequest request{
      "PUT",
      "/k",
      {},
      {{"X-Amz-Meta-A", "  two   words\t here "}, {"host", "h"}, {"x-amz-meta-a", "second"}},
      "UNSIGNED-PAYLOAD"};
  EXPECT_EQ(canonical_request(request),
            "PUT\n/k\n\nhost:h\nx-amz-meta-a:two words here,second\n\nhost;x-amz-meta-a\n"
            "UNSIGNED-PAYLOAD");
}

TEST(SigV4, SignedHeaderSelection) {
  for (const char* name :
       {"Host", "content-md5", "Content-Type", "range", "X-Amz-Date", "x-amz-meta-foo"}) {
    EXPECT_TRUE(is_signed_header(name)) << name;
  }
  for (const char* name :
       {"User-Agent", "Content-Length", "accept-encoding", "Expect", "Authorization"}) {
    EXPECT_FALSE(is_signed_header(name)) << name;
  }
}

TEST(SigV4, SigningKeyCacheDerivesOncePerDay) {
  SigningKeyCache cache;
  SigningRequest request{"GET",
                         "/test.txt",
                         {},
                         {{"host", std::string(kHost)}, {"x-amz-date", "20130524T000000Z"}},
                         std::string(kEmptyPayloadSha256)};
  const auto t = may_24_2013();
  const auto uncached = authorization(request, kCredentials, "us-east-1", "s3", t);
  EXPECT_EQ(authorization(request, kCredentials, "us-east-1", "s3", t, &cache), uncached);
  authorization(request, kCredentials, "us-east-1", "s3", t + std::chrono::hours(5), &cache);
  EXPECT_EQ(cache.derivations(), 1u);
  authorization(request, kCredentials, "us-east-1", "s3", t + std::chrono::hours(25), &cache);
  authorization(request, kCredentials, "eu-west-1", "s3", t, &cache);
  EXPECT_EQ(cache.derivations(), 3u);
  EXPECT_EQ(cache.get(kCredentials.secret_access_key, "20130524", "us-east-1", "s3"),
            derive_signing_key(kCredentials.secret_access_key, "20130524", "us-east-1", "s3"));
}

TEST(SigV4, PresignedUrlDocumentationExample) {
  PresignRequest request{"GET", "/test.txt", {}, std::string(kHost), std::chrono::seconds(86400)};
  EXPECT_EQ(presign_query(request, kCredentials, "us-east-1", "s3", may_24_2013()),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, PresignClampsExpiryAndCarriesToken) {
  Credentials temporary = kCredentials;
  temporary.session_token = "tok/en+";
  PresignRequest request{"PUT", "/k", {}, "h:9000", std::chrono::hours(24 * 30)};
  const std::string query = presign_query(request, temporary, "us-east-1", "s3", may_24_2013());
  EXPECT_NE(query.find("X-Amz-Expires=604800&"), std::string::npos);
  EXPECT_NE(query.find("X-Amz-Security-Token=tok%2Fen%2B&"), std::string::npos);
}

TEST(Credentials, RedactedNeverShowsSecrets) {
  Credentials temporary = kCredentials;
  temporary.session_token = "SESSIONTOKENVALUE";
  const std::string text = redacted(temporary);
  EXPECT_EQ(text, "AKIA...MPLE (secret set) (session token set)");
  EXPECT_EQ(text.find("wJalr"), std::string::npos);
  EXPECT_EQ(redacted(Credentials{}), "(no access key id) (no secret)");
}

}  // namespace
}  // namespace ks3::s3::sigv4

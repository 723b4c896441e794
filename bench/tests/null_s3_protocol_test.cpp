#include "bench/lib/null_s3_protocol.hpp"

#include <gtest/gtest.h>

#include "s3/xml.hpp"

namespace ks3::bench::nulls3 {
namespace {

TEST(NullS3Protocol, ClassifiesTheOperationsTheSinkUses) {
  EXPECT_EQ(classify("PUT", "/lake/a/b.jsonl.gz").op, Operation::put_object);
  auto part = classify("PUT", "/lake/a/b.gz?partNumber=3&uploadId=u-1");
  EXPECT_EQ(part.op, Operation::upload_part);
  EXPECT_EQ(part.part_number, 3);
  EXPECT_EQ(part.upload_id, "u-1");
  EXPECT_EQ(part.bucket, "lake");
  EXPECT_EQ(part.key, "a/b.gz");
  EXPECT_EQ(classify("POST", "/lake/k?uploads=").op, Operation::create_upload);
  EXPECT_EQ(classify("POST", "/lake/k?uploads").op, Operation::create_upload);
  EXPECT_EQ(classify("POST", "/lake/k?uploadId=u-1").op, Operation::complete_upload);
  EXPECT_EQ(classify("DELETE", "/lake/k?uploadId=u-1").op, Operation::abort_upload);
  EXPECT_EQ(classify("DELETE", "/lake/k").op, Operation::delete_object);
  EXPECT_EQ(classify("HEAD", "/lake").op, Operation::head_bucket);
  EXPECT_EQ(classify("HEAD", "/lake/").op, Operation::head_bucket);
  EXPECT_EQ(classify("HEAD", "/lake/k").op, Operation::head_object);
  EXPECT_EQ(classify("GET", "/lake/k").op, Operation::get_object);
  EXPECT_EQ(classify("PUT", "/lake").op, Operation::create_bucket);
  EXPECT_EQ(classify("GET", "/_ks3/stats").op, Operation::stats);
}

TEST(NullS3Protocol, DecodesKeysAndQueryValues) {
  auto req = classify("PUT", "/lake/dt%3D2025-01-01/a%20b%2Bc%E2%82%AC.json");
  EXPECT_EQ(req.key, "dt=2025-01-01/a b+c\xE2\x82\xAC.json");
  auto list = classify("GET", "/lake?list-type=2&prefix=raw%2Fx%20y&max-keys=5000&start-after=a");
  EXPECT_EQ(list.op, Operation::list_objects_v2);
  EXPECT_EQ(list.prefix, "raw/x y");
  EXPECT_EQ(list.max_keys, 1000);  // capped as S3 does
  EXPECT_EQ(list.start_after, "a");
}

TEST(NullS3Protocol, RejectsWhatItDoesNotServe) {
  EXPECT_EQ(classify("GET", "/").op, Operation::unsupported);
  EXPECT_EQ(classify("GET", "/lake").op, Operation::unsupported);  // ListObjects v1
  EXPECT_EQ(classify("GET", "/lake?list-type=1").op, Operation::unsupported);
  EXPECT_EQ(classify("PUT", "/lake/k?partNumber=0&uploadId=u").op, Operation::unsupported);
  EXPECT_EQ(classify("PUT", "/lake/k?partNumber=10001&uploadId=u").op, Operation::unsupported);
  EXPECT_EQ(classify("PUT", "/lake/k?partNumber=2").op, Operation::unsupported);
  EXPECT_EQ(classify("POST", "/lake/k").op, Operation::unsupported);
  EXPECT_EQ(classify("PUT", "/lake/bad%zzescape").op, Operation::unsupported);
  EXPECT_FALSE(classify("PATCH", "/lake/k").problem.empty());
}

TEST(NullS3Protocol, Base64AndHex) {
  EXPECT_EQ(base64_decode("1B2M2Y8AsgTpgAmY7PhCfg=="),
            std::string("\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e", 16));
  EXPECT_EQ(base64_decode("YWJj"), "abc");
  EXPECT_EQ(base64_decode("YWI="), "ab");
  EXPECT_FALSE(base64_decode("YWI"));
  EXPECT_FALSE(base64_decode("Y=Jj"));
  EXPECT_FALSE(base64_decode("YW!j"));
  EXPECT_EQ(base64_decode("YQ=="), "a");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("===="));
  EXPECT_FALSE(base64_decode("\nYWI"));  // OpenSSL would skip the whitespace: we do not
  EXPECT_FALSE(base64_decode("YWI-"));
  EXPECT_EQ(hex_encode(std::string("\x00\xff\x10", 3)), "00ff10");
}

TEST(NullS3Protocol, ParsesTheCompleteBodyTheClientBuilds) {
  const std::string body =
      s3::xml::build_complete_multipart_upload({{1, "\"a\"", ""}, {2, "\"b\"", "4waSgw=="}});
  auto parts = parse_complete_body(body);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].part_number, 2);
  EXPECT_EQ((*parts)[1].etag, "\"b\"");
  EXPECT_EQ((*parts)[0].checksum_crc32c, "");
  EXPECT_EQ((*parts)[1].checksum_crc32c, "4waSgw==");
  EXPECT_FALSE(
      parse_complete_body("<CompleteMultipartUpload><Part><PartNumber>x</PartNumber>"
                          "<ETag>e</ETag></Part></CompleteMultipartUpload>"));
  EXPECT_FALSE(parse_complete_body("<Other/>"));
  EXPECT_FALSE(parse_complete_body("<CompleteMultipartUpload>"));
}

TEST(NullS3Protocol, AnswersParseWithTheClientsOwnParsers) {
  auto initiate = s3::xml::parse_initiate_multipart_upload(initiate_xml("b", "k&<>", "u-1"));
  ASSERT_TRUE(initiate);
  EXPECT_EQ(initiate->key, "k&<>");
  EXPECT_EQ(initiate->upload_id, "u-1");
  auto complete = s3::xml::parse_complete_multipart_upload(complete_xml("b", "k", "\"e-2\""));
  ASSERT_TRUE(complete);
  EXPECT_TRUE(std::holds_alternative<s3::xml::CompleteMultipartUploadResult>(*complete));
  auto error = s3::xml::parse_error(error_xml("NoSuchUpload", "gone", "/b/k", "id1"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "NoSuchUpload");
  ParsedRequest request = classify("GET", "/b?list-type=2&prefix=p%2F&continuation-token=p%2Fa");
  ListPage page{{{"p/b c", 10, "\"e\""}}, true, "p/b c"};
  auto list = s3::xml::parse_list_objects_v2(list_xml("b", request, page));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->contents.size(), 1u);
  EXPECT_EQ(list->contents[0].key, "p/b c");
  EXPECT_EQ(list->contents[0].size, 10u);
  EXPECT_TRUE(list->is_truncated);
  EXPECT_EQ(list->next_continuation_token, "p/b c");
  EXPECT_EQ(list->prefix, "p/");
}

}  // namespace
}  // namespace ks3::bench::nulls3

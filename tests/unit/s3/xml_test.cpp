#include "s3/xml.hpp"

#include <gtest/gtest.h>

#include "s3/s3_error.hpp"
#include "s3/xml_document.hpp"

namespace ks3::s3::xml {
namespace {

const boost::system::error_code kMalformed = make_error_code(Errc::malformed_response);

TEST(XmlError, ParsesTheS3ErrorDocument) {
  const auto e = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
      "<Message>The resource you requested does not exist</Message>"
      "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The resource you requested does not exist");
  EXPECT_EQ(e->resource, "/mybucket/myfoto.jpg");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
}

TEST(XmlError, RejectsOtherDocumentsAndGarbage) {
  EXPECT_EQ(parse_error("<ListBucketResult/>").error(), kMalformed);
  EXPECT_EQ(parse_error("").error(), kMalformed);
  EXPECT_EQ(parse_error("<html><body>502 Bad Gateway</body></html").error(), kMalformed);
  EXPECT_EQ(parse_error("<Error><Code>SlowDown</Code>").error(), kMalformed);  // truncated
  EXPECT_EQ(parse_error("Code: SlowDown").error(), kMalformed);  // no substring matching
  EXPECT_TRUE(is_error_document("<Error><Code>X</Code></Error>"));
  EXPECT_FALSE(is_error_document("<CompleteMultipartUploadResult/>"));
}

TEST(XmlError, EntitiesAreDecodedButExternalOnesNeverLoaded) {
  const auto e = parse_error("<Error><Message>a &lt;b&gt; &amp; &quot;c&quot;</Message></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "a <b> & \"c\"");
  // XXE: an external entity must not be read from disk.
  const auto xxe = parse_error(
      "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
      "<Error><Code>&x;</Code></Error>");
  if (xxe) {
    EXPECT_EQ(xxe->code, "");
  }
}

TEST(XmlInitiate, UploadIdInTheS3Namespace) {
  const auto r = parse_initiate_multipart_upload(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>example-bucket</Bucket>"
      "<Key>example-object</Key><UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9h"
      "ZA</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bucket, "example-bucket");
  EXPECT_EQ(r->key, "example-object");
  EXPECT_EQ(r->upload_id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_EQ(parse_initiate_multipart_upload("<InitiateMultipartUploadResult>"
                                            "<Bucket>b</Bucket></InitiateMultipartUploadResult>")
                .error(),
            kMalformed);  // no UploadId
  EXPECT_EQ(parse_initiate_multipart_upload("<Error><Code>AccessDenied</Code></Error>").error(),
            kMalformed);
}

TEST(XmlComplete, ResultOrErrorInA200) {
  const auto ok = parse_complete_multipart_upload(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>"
      "<Bucket>Example-Bucket</Bucket><Key>Example-Object</Key>"
      "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(ok);
  const auto* result = std::get_if<CompleteMultipartUploadResult>(&*ok);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_EQ(result->key, "Example-Object");

  const auto err = parse_complete_multipart_upload(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code>"
      "<Message>We encountered an internal error. Please try again.</Message>"
      "<RequestId>656c76696e6727732072657175657374</RequestId></Error>");
  ASSERT_TRUE(err);
  const auto* error = std::get_if<ErrorBody>(&*err);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, "InternalError");
  EXPECT_EQ(error->request_id, "656c76696e6727732072657175657374");

  EXPECT_EQ(parse_complete_multipart_upload("<CompleteMultipartUploadResult><ETag>x").error(),
            kMalformed);
  EXPECT_EQ(parse_complete_multipart_upload("<Other/>").error(), kMalformed);
  EXPECT_EQ(parse_complete_multipart_upload("").error(), kMalformed);
}

constexpr std::string_view kListPage =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>bucket</Name><Prefix>topic/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>"
    "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "<Contents><Key>topic/a &amp; b.json</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
    "<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>topic/caf\xC3\xA9 +=.json</Key><Size>0</Size><ETag>\"e\"</ETag></Contents>"
    "<CommonPrefixes><Prefix>topic/dt=2024-01-01/</Prefix></CommonPrefixes>"
    "</ListBucketResult>";

TEST(XmlList, ParsesAPageWithContentsPrefixesAndToken) {
  const auto r = parse_list_objects_v2(kListPage);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->contents.size(), 2u);
  EXPECT_EQ(r->contents[0].key, "topic/a & b.json");
  EXPECT_EQ(r->contents[0].size, 434234u);
  EXPECT_EQ(r->contents[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(r->contents[0].last_modified, "2009-10-12T17:50:30.000Z");
  EXPECT_EQ(r->contents[0].storage_class, "STANDARD");
  EXPECT_EQ(r->contents[1].key, "topic/caf\xC3\xA9 +=.json");
  EXPECT_EQ(r->contents[1].size, 0u);
  ASSERT_EQ(r->common_prefixes.size(), 1u);
  EXPECT_EQ(r->common_prefixes[0], "topic/dt=2024-01-01/");
  EXPECT_TRUE(r->is_truncated);
  EXPECT_EQ(r->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(r->prefix, "topic/");
  EXPECT_EQ(r->key_count, 3u);
}

TEST(XmlList, LastAndEmptyPages) {
  const auto last = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->is_truncated);
  EXPECT_EQ(last->key_count, 1u);
  const auto empty = parse_list_objects_v2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->contents.empty());
}

TEST(XmlList, UrlEncodedKeysAreDecoded) {
  const auto r = parse_list_objects_v2(
      "<ListBucketResult><EncodingType>url</EncodingType><Prefix>a%2F</Prefix>"
      "<IsTruncated>false</IsTruncated><Contents><Key>a/my+file%2B1%3D%25.json</Key>"
      "<Size>3</Size></Contents><CommonPrefixes><Prefix>a/b+c/</Prefix></CommonPrefixes>"
      "</ListBucketResult>");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->contents.at(0).key, "a/my file+1=%.json");
  EXPECT_EQ(r->common_prefixes.at(0), "a/b c/");
  EXPECT_EQ(r->prefix, "a/");
}

TEST(XmlList, MalformedAndTruncated) {
  // Truncated in the middle of the document (a connection closed early).
  const std::string_view page = kListPage;
  EXPECT_EQ(parse_list_objects_v2(page.substr(0, page.size() / 2)).error(), kMalformed);
  EXPECT_EQ(parse_list_objects_v2("<ListBucketResult><Contents><Key>k</Key><Size>x1</Size>"
                                  "</Contents></ListBucketResult>")
                .error(),
            kMalformed);
  EXPECT_EQ(parse_list_objects_v2("<ListBucketResult><Contents><Size>1</Size></Contents>"
                                  "</ListBucketResult>")
                .error(),
            kMalformed);  // no key
  EXPECT_EQ(parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "</ListBucketResult>")
                .error(),
            kMalformed);  // truncated without a token cannot go on
  EXPECT_EQ(parse_list_objects_v2("<ListAllMyBucketsResult/>").error(), kMalformed);
  EXPECT_EQ(parse_list_objects_v2("<Error><Code>NoSuchBucket</Code></Error>").error(), kMalformed);
}

TEST(XmlCompleteBody, PartsInOrderWithEscapedETags) {
  EXPECT_EQ(build_complete_multipart_upload({{1, "\"a54357aff0632cce46d942af68356b38\"", ""},
                                             {2, "\"0c78aef83f66abc1fa1e8477f296d394\"", ""},
                                             {3, "odd<&>'", ""}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber>"
            "<ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber>"
            "<ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>odd&lt;&amp;&gt;&apos;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

// An upload created with x-amz-checksum-algorithm CRC32C: every part lists its checksum, in the
// element the CompletedPart reference names.
TEST(XmlCompleteBody, PartsCarryTheirCrc32cChecksums) {
  EXPECT_EQ(build_complete_multipart_upload({{1, "\"e1\"", "4waSgw=="}, {2, "\"e2\"", "AAAAAA=="}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "<ChecksumCRC32C>4waSgw==</ChecksumCRC32C></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag>"
            "<ChecksumCRC32C>AAAAAA==</ChecksumCRC32C></Part>"
            "</CompleteMultipartUpload>");
}

TEST(XmlCompleteBody, RoundTripsThroughTheParser) {
  const std::string body = build_complete_multipart_upload({{7, "\"x&y\"", "4waSgw=="}});
  const auto doc = Document::parse(body);
  ASSERT_TRUE(doc);
  const auto parts = doc->root().children("Part");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].child_text("PartNumber"), "7");
  EXPECT_EQ(parts[0].child_text("ETag"), "\"x&y\"");
  EXPECT_EQ(parts[0].child_text("ChecksumCRC32C"), "4waSgw==");
}

// The example answer of the S3 API reference (ListMultipartUploads), trimmed, with a URL-encoded
// key as sent for encoding-type=url.
TEST(XmlListUploads, ParsesUploadsAndTheNextMarkers) {
  const auto r = parse_list_multipart_uploads(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
      "<NextKeyMarker>my-movie.m2ts</NextKeyMarker>"
      "<NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>"
      "<EncodingType>url</EncodingType><MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>"
      "<Upload><Key>my-divisor</Key>"
      "<UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>"
      "<Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>"
      "<Upload><Key>cat%3Dwith%2520space/a+b.jsonl</Key><UploadId>u2</UploadId></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->uploads.size(), 2u);
  EXPECT_EQ(r->uploads[0].key, "my-divisor");
  EXPECT_EQ(r->uploads[0].upload_id, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(r->uploads[1].key, "cat=with%20space/a b.jsonl");
  EXPECT_TRUE(r->is_truncated);
  EXPECT_EQ(r->next_key_marker, "my-movie.m2ts");
  EXPECT_EQ(r->next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

TEST(XmlListUploads, RefusesBrokenPages) {
  EXPECT_FALSE(parse_list_multipart_uploads("<ListBucketResult/>"));
  EXPECT_FALSE(parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>"));
  EXPECT_FALSE(parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>"));
  const auto empty = parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->uploads.empty());
}

}  // namespace
}  // namespace ks3::s3::xml

// Object settings: S3's rules for encryption, storage class, tags and metadata, the headers they
// become, and that SigV4 signs every one of them.
#include "s3/object_settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "s3/request_builder.hpp"

namespace ks3::s3 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::vector<std::string> fields_of(const std::vector<ObjectSettingsIssue>& issues) {
  std::vector<std::string> fields;
  for (const auto& issue : issues) fields.push_back(issue.field);
  return fields;
}

std::string messages_of(const std::vector<ObjectSettingsIssue>& issues) {
  std::string text;
  for (const auto& issue : issues) text += issue.field + ": " + issue.message + "\n";
  return text;
}

ObjectSettings full_settings() {
  ObjectSettings settings;
  settings.sse = ServerSideEncryption::aws_kms;
  settings.sse_kms_key_id = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab";
  settings.storage_class = "STANDARD_IA";
  settings.tags = {{"team", "data lake"}, {"cost-center", "a/b+c=d"}};
  settings.metadata = {{"Source", "kafka-s3-sink"}, {"pipeline", "edfi"}};
  return settings;
}

TEST(ObjectSettings, EmptySettingsAreValidAndSendNoHeader) {
  const ObjectSettings settings;
  EXPECT_TRUE(settings.empty());
  EXPECT_THAT(validate(settings), IsEmpty());
  EXPECT_THAT(object_headers(settings), IsEmpty());
}

TEST(ObjectSettings, EncryptionNamesParseBackAsS3SpellsThem) {
  for (ServerSideEncryption sse :
       {ServerSideEncryption::none, ServerSideEncryption::aes256, ServerSideEncryption::aws_kms,
        ServerSideEncryption::aws_kms_dsse}) {
    ServerSideEncryption parsed{};
    ASSERT_TRUE(parse_server_side_encryption(to_string(sse), parsed)) << to_string(sse);
    EXPECT_EQ(parsed, sse);
  }
  ServerSideEncryption parsed{};
  EXPECT_FALSE(parse_server_side_encryption("aes256", parsed));  // S3 is case-sensitive here
  EXPECT_FALSE(parse_server_side_encryption("SSE-KMS", parsed));
}

TEST(ObjectSettings, HeadersCarryEverySetting) {
  const ObjectSettings settings = full_settings();
  EXPECT_THAT(validate(settings), IsEmpty()) << messages_of(validate(settings));
  EXPECT_THAT(
      object_headers(settings),
      ElementsAre(Pair("x-amz-server-side-encryption", "aws:kms"),
                  Pair("x-amz-server-side-encryption-aws-kms-key-id",
                       "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab"),
                  Pair("x-amz-storage-class", "STANDARD_IA"),
                  Pair("x-amz-tagging", "team=data%20lake&cost-center=a%2Fb%2Bc%3Dd"),
                  // S3 stores metadata names in lowercase: sent that way.
                  Pair("x-amz-meta-source", "kafka-s3-sink"), Pair("x-amz-meta-pipeline", "edfi")));
}

TEST(ObjectSettings, Aes256SendsNoKeyId) {
  ObjectSettings settings;
  settings.sse = ServerSideEncryption::aes256;
  EXPECT_THAT(object_headers(settings),
              ElementsAre(Pair("x-amz-server-side-encryption", "AES256")));
}

TEST(ObjectSettings, TaggingValueEncodesUnicodeAndReservedCharacters) {
  EXPECT_EQ(tagging_header_value({{"Schüler", "Ed-Fi DMS"}, {"k", ""}}),
            "Sch%C3%BCler=Ed-Fi%20DMS&k=");
}

TEST(ObjectSettings, KmsKeyNeedsKmsEncryption) {
  ObjectSettings settings;
  settings.sse_kms_key_id = "alias/lake";
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("sse_kms_key_id"));
  settings.sse = ServerSideEncryption::aes256;
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("sse_kms_key_id"));
  settings.sse = ServerSideEncryption::aws_kms_dsse;
  EXPECT_THAT(validate(settings), IsEmpty());
  settings.sse_kms_key_id = "alias/with space";
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("sse_kms_key_id"));
}

TEST(ObjectSettings, StorageClassMustBeOneS3Knows) {
  ObjectSettings settings;
  for (std::string_view name : kStorageClasses) {
    settings.storage_class = std::string(name);
    EXPECT_THAT(validate(settings), IsEmpty()) << name;
  }
  settings.storage_class = "standard_ia";
  const auto issues = validate(settings);
  ASSERT_THAT(fields_of(issues), ElementsAre("storage_class"));
  EXPECT_THAT(issues[0].message, HasSubstr("GLACIER_IR"));
}

TEST(ObjectSettings, TagLimits) {
  ObjectSettings settings;
  for (int i = 0; i < 10; ++i) settings.tags.emplace_back("k" + std::to_string(i), "v");
  EXPECT_THAT(validate(settings), IsEmpty());
  settings.tags.emplace_back("k10", "v");
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("at most 10"));

  settings.tags = {{std::string(128, 'k'), std::string(256, 'v')}};
  EXPECT_THAT(validate(settings), IsEmpty());
  // Characters, not bytes: 128 two-byte characters are a valid key.
  std::string umlauts;
  for (int i = 0; i < 128; ++i) umlauts += "\xc3\xbc";
  settings.tags = {{umlauts, "v"}};
  EXPECT_THAT(validate(settings), IsEmpty());
  settings.tags = {{std::string(129, 'k'), "v"}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("tags"));
  settings.tags = {{"k", std::string(257, 'v')}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("tags"));
  settings.tags = {{"", "v"}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("tags"));
  settings.tags = {{"aws:createdBy", "me"}};
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("reserved"));
  settings.tags = {{"a", "1"}, {"a", "2"}};
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("twice"));
  settings.tags = {{"semi;colon", "v"}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("tags"));
  settings.tags = {{"k", "\xff"}};
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("UTF-8"));
}

TEST(ObjectSettings, MetadataRules) {
  ObjectSettings settings;
  settings.metadata = {{"bad name", "v"}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("metadata"));
  settings.metadata = {{"Team", "a"}, {"team", "b"}};
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("twice"));
  settings.metadata = {{"k", "Sch\xc3\xbcler"}};
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("US-ASCII"));
  settings.metadata = {{"k", " padded"}};
  EXPECT_THAT(fields_of(validate(settings)), ElementsAre("metadata"));
  // 2 KB of names and values together.
  settings.metadata = {{"a", std::string(1023, 'x')}, {"b", std::string(1023, 'y')}};
  EXPECT_THAT(validate(settings), IsEmpty());
  settings.metadata.back().second += "y";
  EXPECT_THAT(messages_of(validate(settings)), HasSubstr("2049 bytes"));
}

TEST(ObjectSettings, EncryptionOnlyKeepsTheKeyAndDropsTheRest) {
  const ObjectSettings kept = encryption_only(full_settings());
  EXPECT_EQ(kept.sse, ServerSideEncryption::aws_kms);
  EXPECT_EQ(kept.sse_kms_key_id, full_settings().sse_kms_key_id);
  EXPECT_TRUE(kept.storage_class.empty());
  EXPECT_TRUE(kept.tags.empty());
  EXPECT_TRUE(kept.metadata.empty());
}

TEST(ObjectSettings, EveryHeaderIsSigned) {
  OperationRequest op;
  op.operation = "PutObject";
  op.method = "PUT";
  op.bucket = "lake";
  op.key = "t/partition=0/t+0+00000000000000000000.jsonl.gz";
  op.headers = object_headers(full_settings());
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = 9000;
  const RequestTarget target = resolve_target(endpoint, AddressingStyle::path, op.bucket, op.key);
  const Credentials credentials{"AKIDEXAMPLE", "secret", "", std::nullopt};
  const HttpRequest request = build_request(
      op, target, {credentials, "us-east-1", std::chrono::system_clock::from_time_t(0), nullptr},
      "");
  const std::string_view authorization = find_header(request.headers, "authorization");
  EXPECT_THAT(std::string(authorization),
              HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-pipeline;"
                        "x-amz-meta-source;x-amz-server-side-encryption;"
                        "x-amz-server-side-encryption-aws-kms-key-id;x-amz-storage-class;"
                        "x-amz-tagging,"));
  EXPECT_EQ(find_header(request.headers, "x-amz-tagging"),
            "team=data%20lake&cost-center=a%2Fb%2Bc%3Dd");
}

}  // namespace
}  // namespace ks3::s3

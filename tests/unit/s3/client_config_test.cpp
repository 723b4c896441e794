#include "s3/client_config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ks3::s3 {
namespace {

std::string validation_error(const ClientConfig& config) {
  try {
    validate(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "valid";
}

TEST(ClientConfig, DefaultsAreValidAndPointAtAws) {
  ClientConfig config;
  EXPECT_EQ(validation_error(config), "valid");
  EXPECT_EQ(resolve_endpoint(config).url(), "https://s3.us-east-1.amazonaws.com");
  config.region = "eu-west-3";
  EXPECT_EQ(resolve_endpoint(config).url(), "https://s3.eu-west-3.amazonaws.com");
  config.endpoint = "http://127.0.0.1:9000";
  EXPECT_EQ(resolve_endpoint(config).url(), "http://127.0.0.1:9000");
}

TEST(ClientConfig, BadSettingsAreNamed) {
  ClientConfig config;
  config.endpoint = "localhost:9000";
  EXPECT_NE(validation_error(config).find("'endpoint'"), std::string::npos);
  config = {};
  config.max_connections = 0;
  EXPECT_NE(validation_error(config).find("'max_connections'"), std::string::npos);
  config = {};
  config.timeouts.read = std::chrono::milliseconds(0);
  EXPECT_NE(validation_error(config).find("'read_timeout'"), std::string::npos);
  config = {};
  config.retry.max_attempts = 0;
  EXPECT_NE(validation_error(config).find("'retry.max_attempts'"), std::string::npos);
  config = {};
  config.retry.max_delay = std::chrono::milliseconds(1);
  EXPECT_NE(validation_error(config).find("'retry.max_delay'"), std::string::npos);
  config = {};
  config.region = "";
  EXPECT_NE(validation_error(config).find("'region'"), std::string::npos);
}

TEST(ClientConfig, PayloadSigningFollowsTheScheme) {
  const Endpoint http = parse_endpoint("http://127.0.0.1:9000");
  const Endpoint https = parse_endpoint("https://minio.example:9000");
  EXPECT_TRUE(signs_payload(PayloadSigning::automatic, http));
  EXPECT_FALSE(signs_payload(PayloadSigning::automatic, https));
  EXPECT_TRUE(signs_payload(PayloadSigning::signed_payload, https));
  EXPECT_FALSE(signs_payload(PayloadSigning::unsigned_payload, http));
  PayloadSigning parsed{};
  ASSERT_TRUE(parse_payload_signing("unsigned", parsed));
  EXPECT_EQ(parsed, PayloadSigning::unsigned_payload);
  EXPECT_EQ(to_string(PayloadSigning::signed_payload), "signed");
  EXPECT_FALSE(parse_payload_signing("sometimes", parsed));
}

TEST(ClientConfig, UploadChecksumIsCrc32cUnlessMd5IsAsked) {
  EXPECT_EQ(ClientConfig{}.checksum, UploadChecksum::crc32c);
  UploadChecksum parsed{};
  ASSERT_TRUE(parse_upload_checksum("md5", parsed));
  EXPECT_EQ(parsed, UploadChecksum::md5);
  ASSERT_TRUE(parse_upload_checksum("crc32c", parsed));
  EXPECT_EQ(parsed, UploadChecksum::crc32c);
  EXPECT_EQ(to_string(UploadChecksum::md5), "md5");
  EXPECT_FALSE(parse_upload_checksum("CRC32C", parsed));
  EXPECT_FALSE(parse_upload_checksum("sha256", parsed));
}

}  // namespace
}  // namespace ks3::s3

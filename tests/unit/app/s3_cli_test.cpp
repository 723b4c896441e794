#include "server/app/s3_cli.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace ks3::server {
namespace {

TEST(S3Uri, BucketAndKey) {
  auto l = parse_s3_uri("s3://bucket/dir/my file+1=2 %~!*'(.json");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->bucket, "bucket");
  EXPECT_EQ(l->key, "dir/my file+1=2 %~!*'(.json");  // raw: encoded once when sent
  EXPECT_EQ(parse_s3_uri("s3://bucket")->key, "");
  EXPECT_EQ(parse_s3_uri("s3://bucket/")->key, "");
  EXPECT_FALSE(parse_s3_uri("s3:///key"));
  EXPECT_FALSE(parse_s3_uri("https://bucket/key"));
  EXPECT_FALSE(parse_s3_uri("bucket/key"));
}

TEST(S3Cli, CommandsFlagsAndSettings) {
  S3CliSettings settings;
  const auto put = parse_s3_cli(
      {"put", "--part-size", "8", "file.bin", "s3://b/k", "--endpoint", "http://127.0.0.1:9000",
       "--region", "eu-west-1", "--addressing", "path", "--content-type", "application/json",
       "--concurrency", "3", "--max-attempts", "2"},
      settings);
  EXPECT_EQ(put.name, "put");
  EXPECT_EQ(put.arguments, (std::vector<std::string>{"file.bin", "s3://b/k"}));
  EXPECT_EQ(put.part_size, 8u << 20);
  EXPECT_EQ(put.concurrency, 3);
  EXPECT_EQ(put.content_type, "application/json");
  EXPECT_EQ(settings.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(settings.client.region, "eu-west-1");
  EXPECT_EQ(settings.client.addressing, s3::AddressingStyle::path);
  EXPECT_EQ(settings.client.retry.max_attempts, 2);

  const auto presign = parse_s3_cli(
      {"presign", "s3://b/k", "--expires", "600", "--method", "PUT", "--profile", "prod"},
      settings);
  EXPECT_EQ(presign.expires, std::chrono::seconds(600));
  EXPECT_EQ(presign.method, "PUT");
  EXPECT_EQ(settings.credentials.profile, "prod");

  const auto ls = parse_s3_cli(
      {"ls", "-r", "s3://b/prefix/", "--ca-file", "/ca.pem", "--insecure-skip-tls-verify"},
      settings);
  EXPECT_TRUE(ls.recursive);
  EXPECT_EQ(settings.client.tls.ca_file, "/ca.pem");
  EXPECT_FALSE(settings.client.tls.verify);
}

TEST(S3Cli, UsageErrorsNameTheProblem) {
  S3CliSettings settings;
  auto message = [&](std::vector<std::string> words) {
    try {
      parse_s3_cli(words, settings);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message({}).find("missing s3 command"), std::string::npos);
  EXPECT_NE(message({"cp", "a", "b"}).find("unknown s3 command 'cp'"), std::string::npos);
  EXPECT_NE(message({"ls"}).find("usage: kafka-s3-sink s3 ls"), std::string::npos);
  EXPECT_NE(message({"put", "f", "s3://b/k", "--part-size", "4"}).find("5..5120"),
            std::string::npos);
  EXPECT_NE(message({"put", "f", "s3://b/k", "--part-size", "x"}).find("positive whole number"),
            std::string::npos);
  EXPECT_NE(message({"ls", "s3://b", "--secret-access-key", "x"}).find("unknown flag"),
            std::string::npos);
  EXPECT_NE(message({"ls", "s3://b", "--region"}).find("--region needs a value"),
            std::string::npos);
  EXPECT_NE(message({"rm", "s3:///k"}).find("has no bucket"), std::string::npos);
  EXPECT_NE(message({"presign", "s3://b/k", "--expires", "604801"}).find("at most 604800"),
            std::string::npos);
  EXPECT_NE(message({"ls", "s3://b", "--addressing", "dns"}).find("auto, path or virtual"),
            std::string::npos);
}

TEST(S3Cli, EnvironmentDefaults) {
  std::map<std::string, std::string, std::less<>> vars{
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:4568"}, {"AWS_REGION", "eu-north-1"}};
  const s3::EnvLookup env = [&](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  const s3::FileReader no_files = [](const std::string&) { return std::optional<std::string>(); };
  const S3CliSettings settings = s3_cli_settings_from_environment(env, no_files);
  EXPECT_EQ(settings.client.endpoint, "http://127.0.0.1:4568");
  EXPECT_EQ(settings.client.region, "eu-north-1");
  vars.clear();
  EXPECT_EQ(s3_cli_settings_from_environment(env, no_files).client.region, "us-east-1");
}

}  // namespace
}  // namespace ks3::server

#include "server/app/s3_cli.hpp"

#include <gtest/gtest.h>

#include <map>

#include "server/config/config.hpp"
#include "tests/unit/app/parse_cli_helpers.hpp"

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

// The words after "s3": the command, with the settings flags applied on `settings`.
S3CliCommand parse_s3(std::vector<std::string> words, S3CliSettings& settings) {
  words.insert(words.begin(), "s3");
  CliOptions options = testing::options_of(words);
  EXPECT_EQ(options.mode, CliOptions::Mode::s3);
  apply_s3_flags(options.s3.settings, settings);
  return options.s3;
}

TEST(S3Cli, CommandsFlagsAndSettings) {
  S3CliSettings settings;
  const auto put = parse_s3(
      {"put", "--part-size", "8", "file.bin", "s3://b/k", "--endpoint", "http://127.0.0.1:9000",
       "--region", "eu-west-1", "--addressing", "path", "--content-type", "application/json",
       "--concurrency", "3", "--max-attempts", "2", "--payload-signing", "unsigned"},
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
  EXPECT_EQ(settings.client.payload_signing, s3::PayloadSigning::unsigned_payload);

  const auto presign =
      parse_s3({"presign", "s3://b/k", "--expires", "600", "--method", "PUT", "--profile", "prod"},
               settings);
  EXPECT_EQ(presign.name, "presign");
  EXPECT_EQ(presign.expires, std::chrono::seconds(600));
  EXPECT_EQ(presign.method, "PUT");
  EXPECT_EQ(settings.credentials.profile, "prod");

  const auto ls =
      parse_s3({"ls", "-r", "s3://b/prefix/", "--ca-file", "/ca.pem", "--insecure-skip-tls-verify"},
               settings);
  EXPECT_TRUE(ls.recursive);
  EXPECT_EQ(settings.client.tls.ca_file, "/ca.pem");
  EXPECT_FALSE(settings.client.tls.verify);
  EXPECT_TRUE(parse_s3({"ls", "s3://b", "--recursive"}, settings).recursive);

  // get keeps its order (URI, then FILE); "-" is stdin/stdout; settings may precede the command.
  S3CliSettings before;
  const auto get =
      parse_s3({"--endpoint", "http://e", "--region", "r1", "get", "s3://b/k", "-"}, before);
  EXPECT_EQ(get.name, "get");
  EXPECT_EQ(get.arguments, (std::vector<std::string>{"s3://b/k", "-"}));
  EXPECT_EQ(before.client.endpoint, "http://e");
  EXPECT_EQ(before.client.region, "r1");
}

TEST(S3Cli, DefaultsAndTheEnvironmentStandWithoutFlags) {
  S3CliSettings settings;
  settings.client.endpoint = "http://from-env";
  settings.client.region = "eu-north-1";
  const s3::ClientConfig env = settings.client;
  const auto put = parse_s3({"put", "f", "s3://b/k"}, settings);
  EXPECT_EQ(put.part_size, 8u << 20);
  EXPECT_EQ(put.concurrency, 4);
  EXPECT_EQ(put.content_type, "");
  EXPECT_EQ(settings.client.endpoint, env.endpoint);
  EXPECT_EQ(settings.client.region, env.region);
  EXPECT_EQ(settings.client.addressing, env.addressing);
  EXPECT_EQ(settings.client.payload_signing, env.payload_signing);
  EXPECT_EQ(settings.client.retry.max_attempts, env.retry.max_attempts);
  EXPECT_TRUE(settings.client.tls.verify);
  const auto presign = parse_s3({"presign", "s3://b/k"}, settings);
  EXPECT_EQ(presign.expires, std::chrono::seconds(3600));
  EXPECT_EQ(presign.method, "GET");
  for (const std::string name : {"rm", "head"}) {
    const auto c = parse_s3({name, "s3://b/dir/a key"}, settings);
    EXPECT_EQ(c.name, name);
    EXPECT_EQ(c.arguments, std::vector<std::string>{"s3://b/dir/a key"});
  }
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

TEST(S3Cli, ConfigBeforeOrAfterTheCommand) {
  S3CliSettings settings;
  EXPECT_EQ(parse_s3({"put", "--config", "sink.yaml", "f", "s3://b/k"}, settings).config_file,
            "sink.yaml");
  EXPECT_EQ(parse_s3({"--config", "sink.yaml", "ls", "s3://b"}, settings).config_file, "sink.yaml");
  EXPECT_FALSE(parse_s3({"ls", "s3://b"}, settings).config_file);
}

TEST(S3Cli, SettingsFromTheSinksConfiguration) {
  const SinkConfig config = load_config_from_yaml(R"(
kafka: {topics: [t]}
s3:
  bucket: lake
  endpoint: http://127.0.0.1:9000
  region: eu-central-1
  addressing: path
  max_attempts: 10
  sse: aws:kms
  sse_kms_key_id: alias/lake
  storage_class: STANDARD_IA
  tags: {team: data}
  metadata: {Source: sink}
)");
  S3CliSettings settings = s3_cli_settings_from_config(config);
  EXPECT_EQ(settings.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(settings.client.region, "eu-central-1");
  EXPECT_EQ(settings.client.addressing, s3::AddressingStyle::path);
  EXPECT_EQ(settings.client.retry.max_attempts, 3) << "the CLI's quick retries";
  EXPECT_EQ(settings.objects.sse, s3::ServerSideEncryption::aws_kms);
  EXPECT_EQ(settings.objects.sse_kms_key_id, "alias/lake");
  EXPECT_EQ(settings.objects.storage_class, "STANDARD_IA");
  EXPECT_EQ(settings.objects.tags, (s3::KeyValues{{"team", "data"}}));
  ASSERT_EQ(settings.objects.metadata.size(), 1u);
  // Flags still win over the configuration.
  parse_s3({"put", "--region", "us-east-2", "f", "s3://b/k"}, settings);
  EXPECT_EQ(settings.client.region, "us-east-2");
  EXPECT_TRUE(s3_cli_settings_from_environment(
                  [](std::string_view) { return std::optional<std::string>(); },
                  [](const std::string&) { return std::optional<std::string>(); })
                  .objects.empty())
      << "without a configuration put gives no object settings";
}

}  // namespace
}  // namespace ks3::server

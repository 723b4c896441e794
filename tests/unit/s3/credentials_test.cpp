#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "s3/s3_error.hpp"
#include "s3/sts.hpp"

namespace ks3::s3 {
namespace {

using Vars = std::map<std::string, std::string, std::less<>>;

EnvLookup env_of(Vars vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

FileReader files_of(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path) -> std::optional<std::string> {
    const auto it = files.find(path);
    return it == files.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

constexpr std::string_view kCredentialsFile =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIADEFAULT0000000000\n"
    "aws_secret_access_key=defaultsecret\n"
    "\n"
    "[prod]\n"
    "  AWS_ACCESS_KEY_ID = AKIAPROD000000000000  \n"
    "aws_secret_access_key = prod/secret+key\n"
    "aws_session_token = prodtoken\n"
    "; other comment\n";

constexpr std::string_view kConfigFile =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile prod]\n"
    "region = us-west-2\n"
    "s3 =\n"
    "  addressing_style = path\n"
    "  endpoint_url = http://127.0.0.1:9000\n"
    "[profile irsa]\n"
    "role_arn = arn:aws:iam::123456789012:role/sink\n"
    "web_identity_token_file = /var/run/token\n"
    "[profile keysinconfig]\n"
    "aws_access_key_id = AKIACONFIG\n"
    "aws_secret_access_key = configsecret\n";

TEST(Ini, SectionsKeysCommentsAndNestedSettings) {
  const IniFile ini = parse_ini(kConfigFile);
  EXPECT_EQ(ini.at("default").at("region"), "eu-west-1");
  EXPECT_EQ(ini.at("profile prod").at("s3.addressing_style"), "path");
  EXPECT_EQ(ini.at("profile prod").at("s3.endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(ini.at("profile prod").count("s3"), 0u);
  const IniFile creds = parse_ini(kCredentialsFile);
  EXPECT_EQ(creds.at("prod").at("aws_access_key_id"), "AKIAPROD000000000000");  // lowercased key
  EXPECT_EQ(creds.at("prod").at("aws_secret_access_key"), "prod/secret+key");
  EXPECT_EQ(creds.size(), 2u);
  EXPECT_TRUE(parse_ini("").empty());
  EXPECT_TRUE(parse_ini("key = value before any section\n").empty());
}

TEST(Profile, CredentialsFileWinsAndConfigUsesProfilePrefix) {
  const IniFile creds = parse_ini(kCredentialsFile);
  const IniFile config = parse_ini(kConfigFile);
  const ProfileSettings prod = profile_settings(creds, config, "prod");
  EXPECT_TRUE(prod.found);
  EXPECT_EQ(prod.credentials.access_key_id, "AKIAPROD000000000000");
  EXPECT_EQ(prod.credentials.session_token, "prodtoken");
  EXPECT_EQ(prod.region, "us-west-2");
  EXPECT_EQ(prod.endpoint_url, "http://127.0.0.1:9000");
  const ProfileSettings def = profile_settings(creds, config, "default");
  EXPECT_EQ(def.credentials.secret_access_key, "defaultsecret");
  EXPECT_EQ(def.region, "eu-west-1");
  const ProfileSettings in_config = profile_settings(creds, config, "keysinconfig");
  EXPECT_EQ(in_config.credentials.access_key_id, "AKIACONFIG");
  EXPECT_FALSE(profile_settings(creds, config, "nope").found);
}

TEST(AwsDefaults, EnvironmentBeforeProfile) {
  const auto files = files_of({{"/h/.aws/config", std::string(kConfigFile)}});
  EXPECT_EQ(aws_defaults("", env_of({{"HOME", "/h"}}), files).region, "eu-west-1");
  const auto prod = aws_defaults("", env_of({{"HOME", "/h"}, {"AWS_PROFILE", "prod"}}), files);
  EXPECT_EQ(prod.region, "us-west-2");
  EXPECT_EQ(prod.endpoint_url, "http://127.0.0.1:9000");
  const auto env = aws_defaults("prod",
                                env_of({{"HOME", "/h"},
                                        {"AWS_DEFAULT_REGION", "ap-south-1"},
                                        {"AWS_ENDPOINT_URL", "http://e:1"}}),
                                files);
  EXPECT_EQ(env.region, "ap-south-1");
  EXPECT_EQ(env.endpoint_url, "http://e:1");
  const auto specific = aws_defaults("",
                                     env_of({{"AWS_REGION", "r1"},
                                             {"AWS_DEFAULT_REGION", "r2"},
                                             {"AWS_ENDPOINT_URL", "http://e:1"},
                                             {"AWS_ENDPOINT_URL_S3", "http://s3:2"}}),
                                     files);
  EXPECT_EQ(specific.region, "r1");
  EXPECT_EQ(specific.endpoint_url, "http://s3:2");
}

TEST(Chain, ConfigurationFirst) {
  const auto source = resolve_credential_source(
      {"AKIACONF", "confsecret", "", ""}, "us-east-1",
      env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}}),
      files_of({}));
  EXPECT_EQ(source.kind, CredentialSource::Kind::config);
  EXPECT_EQ(source.credentials.access_key_id, "AKIACONF");
}

TEST(Chain, EnvironmentWithSessionToken) {
  const auto source = resolve_credential_source({}, "us-east-1",
                                                env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                                        {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                                        {"AWS_SESSION_TOKEN", "envtoken"},
                                                        {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                                        {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}}),
                                                files_of({}));
  EXPECT_EQ(source.kind, CredentialSource::Kind::environment);
  EXPECT_EQ(source.credentials.session_token, "envtoken");
  EXPECT_EQ(source.description, "environment");
}

TEST(Chain, WebIdentityFromEnvironment) {
  const auto source =
      resolve_credential_source({}, "eu-central-1",
                                env_of({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                        {"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"},
                                        {"AWS_ROLE_SESSION_NAME", "sink-0"},
                                        {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"}}),
                                files_of({}));
  ASSERT_EQ(source.kind, CredentialSource::Kind::web_identity);
  EXPECT_EQ(source.web_identity.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(source.web_identity.token_file, "/var/run/secrets/token");
  EXPECT_EQ(source.web_identity.session_name, "sink-0");
  EXPECT_EQ(source.web_identity.region, "eu-central-1");
  EXPECT_EQ(source.web_identity.sts_endpoint, "http://127.0.0.1:4566");
  const auto defaulted = resolve_credential_source(
      {}, "r", env_of({{"AWS_ROLE_ARN", "a"}, {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}}),
      files_of({}));
  EXPECT_TRUE(defaulted.web_identity.session_name.starts_with("kafka-s3-sink-"));
}

TEST(Chain, SharedFilesProfile) {
  const auto files = files_of({{"/h/.aws/credentials", std::string(kCredentialsFile)},
                               {"/custom/config", std::string(kConfigFile)}});
  const auto env = env_of({{"HOME", "/h"}, {"AWS_CONFIG_FILE", "/custom/config"}});
  const auto def = resolve_credential_source({}, "us-east-1", env, files);
  EXPECT_EQ(def.kind, CredentialSource::Kind::profile);
  EXPECT_EQ(def.credentials.access_key_id, "AKIADEFAULT0000000000");
  EXPECT_EQ(def.description, "profile default (/h/.aws/credentials, /custom/config)");
  const auto prod = resolve_credential_source({"", "", "", "prod"}, "us-east-1", env, files);
  EXPECT_EQ(prod.credentials.secret_access_key, "prod/secret+key");
  const auto irsa = resolve_credential_source({"", "", "", "irsa"}, "us-east-1", env, files);
  ASSERT_EQ(irsa.kind, CredentialSource::Kind::web_identity);
  EXPECT_EQ(irsa.web_identity.token_file, "/var/run/token");
}

TEST(Chain, ClearErrorsAndNoSecretsInThem) {
  try {
    resolve_credential_source({"AKIAONLY", "", "", ""}, "r", env_of({}), files_of({}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("set both"), std::string::npos) << e.what();
  }
  try {
    resolve_credential_source({}, "r", env_of({{"AWS_SECRET_ACCESS_KEY", "hunter2"}}),
                              files_of({}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
  EXPECT_THROW(resolve_credential_source({}, "r", env_of({{"AWS_ROLE_ARN", "a"}}), files_of({})),
               std::runtime_error);
  try {
    resolve_credential_source({}, "r", env_of({{"HOME", "/h"}}), files_of({}));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no AWS credentials found"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("/h/.aws/credentials"), std::string::npos);
  }
}

TEST(Sts, RequestBodyIsFormEncoded) {
  EXPECT_EQ(sts::build_assume_role_with_web_identity_body(
                {"arn:aws:iam::123456789012:role/FederatedWebIdentityRole", "app1",
                 "a.b+c/d=", std::chrono::seconds(900)}),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FFederatedWebIdentityRole"
            "&RoleSessionName=app1&WebIdentityToken=a.b%2Bc%2Fd%3D&DurationSeconds=900");
  EXPECT_EQ(sts::endpoint_url("eu-west-1", ""), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts::endpoint_url("", ""), "https://sts.amazonaws.com");
  EXPECT_EQ(sts::endpoint_url("eu-west-1", "http://127.0.0.1:1"), "http://127.0.0.1:1");
}

TEST(Sts, ParsesTheDocumentationResponse) {
  const auto c = sts::parse_assume_role_with_web_identity(
      "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<AssumeRoleWithWebIdentityResult>"
      "<SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A"
      "</SubjectFromWebIdentityToken><Audience>client.5498841531868486423.1548@apps.example.com"
      "</Audience><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/"
      "FederatedWebIdentityRole/app1</Arn><AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1"
      "</AssumedRoleId></AssumedRoleUser><Credentials>"
      "<SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>"
      "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>"
      "<Expiration>2014-10-24T23:00:23Z</Expiration>"
      "<AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId></Credentials>"
      "<Provider>www.amazon.com</Provider></AssumeRoleWithWebIdentityResult>"
      "<ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>"
      "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id, "ASgeIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(c->session_token, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*c->expiration), 1414191623);
}

TEST(Sts, ErrorResponseAndMalformed) {
  xml::ErrorBody error;
  const auto e = sts::parse_assume_role_with_web_identity(
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
      "</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found"
      "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
      &error);
  EXPECT_EQ(e.error(), make_error_code(Errc::service_error));
  EXPECT_EQ(error.code, "InvalidIdentityToken");
  EXPECT_EQ(error.message, "No OpenIDConnect provider found");
  EXPECT_EQ(error.request_id, "r-1");
  const auto malformed = make_error_code(Errc::malformed_response);
  EXPECT_EQ(sts::parse_assume_role_with_web_identity("<AssumeRoleWithWebIdentityResponse>").error(),
            malformed);
  EXPECT_EQ(sts::parse_assume_role_with_web_identity(
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
                "</Credentials></AssumeRoleWithWebIdentityResult>"
                "</AssumeRoleWithWebIdentityResponse>")
                .error(),
            malformed);  // no token, no expiration
}

TEST(Sts, Iso8601AndRefreshDecision) {
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*sts::parse_iso8601("2019-11-09T13:34:41.000Z")),
            1573306481);
  EXPECT_FALSE(sts::parse_iso8601("2019-11-09 13:34:41"));
  EXPECT_FALSE(sts::parse_iso8601("2019-11-09T13:34:41+01:00"));
  EXPECT_FALSE(sts::parse_iso8601(""));
  const auto now = std::chrono::system_clock::from_time_t(1000000);
  Credentials temporary{"A", "S", "T", now + std::chrono::minutes(10)};
  EXPECT_FALSE(sts::needs_refresh(temporary, now));
  EXPECT_TRUE(sts::needs_refresh(temporary, now + std::chrono::minutes(5)));
  EXPECT_TRUE(sts::needs_refresh(temporary, now + std::chrono::minutes(11)));
  EXPECT_FALSE(sts::needs_refresh(Credentials{"A", "S", "", std::nullopt}, now));
}

}  // namespace
}  // namespace ks3::s3

#include "s3/endpoint.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ks3::s3 {
namespace {

TEST(Endpoint, ParsesSchemeHostAndPort) {
  const Endpoint minio = parse_endpoint("http://127.0.0.1:9000");
  EXPECT_FALSE(minio.https);
  EXPECT_EQ(minio.host, "127.0.0.1");
  EXPECT_EQ(minio.port, 9000);
  EXPECT_EQ(minio.authority(), "127.0.0.1:9000");

  const Endpoint aws = parse_endpoint("HTTPS://S3.EU-West-1.amazonaws.com/");
  EXPECT_TRUE(aws.https);
  EXPECT_EQ(aws.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws.port, 443);
  EXPECT_EQ(aws.authority(), "s3.eu-west-1.amazonaws.com");  // default port left out
  EXPECT_EQ(aws.url(), "https://s3.eu-west-1.amazonaws.com");

  EXPECT_EQ(parse_endpoint("http://minio").port, 80);
  EXPECT_EQ(parse_endpoint("http://[::1]:9000").host, "[::1]");
}

TEST(Endpoint, RejectsWhatIsNotAnEndpointWithAReason) {
  const auto message_of = [](const char* url) {
    try {
      parse_endpoint(url);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message_of("").find("empty"), std::string::npos);
  EXPECT_NE(message_of("127.0.0.1:9000").find("scheme"), std::string::npos);
  EXPECT_NE(message_of("ftp://host").find("http or https"), std::string::npos);
  EXPECT_NE(message_of("http://host/bucket").find("path is not allowed"), std::string::npos);
  EXPECT_NE(message_of("http://user:pw@host").find("user info"), std::string::npos);
  EXPECT_NE(message_of("http://host:0").find("port"), std::string::npos);
  EXPECT_NE(message_of("http://host:70000").find("port"), std::string::npos);
  EXPECT_NE(message_of("http://host?x=1").find("query"), std::string::npos);
}

TEST(Endpoint, AwsRegionalEndpoint) {
  const Endpoint endpoint = aws_endpoint("eu-central-1");
  EXPECT_EQ(endpoint.url(), "https://s3.eu-central-1.amazonaws.com");
  EXPECT_TRUE(is_aws_endpoint(endpoint));
  EXPECT_FALSE(is_aws_endpoint(parse_endpoint("http://127.0.0.1:9000")));
}

TEST(Endpoint, AddressingStyleNames) {
  AddressingStyle style{};
  ASSERT_TRUE(parse_addressing_style("virtual", style));
  EXPECT_EQ(style, AddressingStyle::virtual_hosted);
  ASSERT_TRUE(parse_addressing_style("path", style));
  EXPECT_EQ(to_string(style), "path");
  EXPECT_FALSE(parse_addressing_style("vhost", style));
}

TEST(Endpoint, PathStyleTarget) {
  const Endpoint minio = parse_endpoint("http://127.0.0.1:9000");
  const RequestTarget target = resolve_target(minio, AddressingStyle::automatic, "data", "a/b c");
  EXPECT_EQ(target.host, "127.0.0.1");
  EXPECT_EQ(target.port, 9000);
  EXPECT_FALSE(target.https);
  EXPECT_EQ(target.host_header, "127.0.0.1:9000");
  EXPECT_EQ(target.raw_path, "/data/a/b c");
  EXPECT_EQ(resolve_target(minio, AddressingStyle::path, "data", "").raw_path, "/data");
  EXPECT_EQ(resolve_target(minio, AddressingStyle::path, "", "").raw_path, "/");
}

TEST(Endpoint, VirtualHostedTarget) {
  const Endpoint aws = aws_endpoint("us-east-1");
  const RequestTarget target = resolve_target(aws, AddressingStyle::automatic, "my-bucket", "k");
  EXPECT_EQ(target.host, "my-bucket.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(target.host_header, "my-bucket.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(target.raw_path, "/k");
  EXPECT_EQ(resolve_target(aws, AddressingStyle::automatic, "my-bucket", "").raw_path, "/");
  // Explicit path style on AWS.
  EXPECT_EQ(resolve_target(aws, AddressingStyle::path, "my-bucket", "k").raw_path, "/my-bucket/k");
  // A bucket with dots does not match the wildcard certificate over https: path style.
  const RequestTarget dotted =
      resolve_target(aws, AddressingStyle::virtual_hosted, "my.bucket", "k");
  EXPECT_EQ(dotted.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(dotted.raw_path, "/my.bucket/k");
  // Non-default ports stay in the Host header.
  const Endpoint local = parse_endpoint("http://s3.local:9000");
  const RequestTarget vhost = resolve_target(local, AddressingStyle::virtual_hosted, "b.x", "k");
  EXPECT_EQ(vhost.host_header, "b.x.s3.local:9000");
}

TEST(Endpoint, VirtualHostCompatibleBucketNames) {
  EXPECT_TRUE(is_virtual_host_compatible("logs-2024", true));
  EXPECT_FALSE(is_virtual_host_compatible("Logs", true));
  EXPECT_FALSE(is_virtual_host_compatible("ab", true));
  EXPECT_FALSE(is_virtual_host_compatible("-logs", true));
  EXPECT_FALSE(is_virtual_host_compatible("my.logs", true));
  EXPECT_TRUE(is_virtual_host_compatible("my.logs", false));
  EXPECT_FALSE(is_virtual_host_compatible("under_score", false));
}

}  // namespace
}  // namespace ks3::s3

#include "server/app/startup_check.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

namespace ks3::server {
namespace {

s3::S3Error head_bucket_error(unsigned status) {
  s3::S3Error error;
  error.operation = "HeadBucket";
  error.bucket = "lake";
  error.http_status = status;
  error.attempts = 1;
  return error;
}

TEST(StartupCheck, EachFailureNamesItsCauseAndTheSettingToChange) {
  const std::string missing = describe_startup_failure(head_bucket_error(404), "http://minio:9000");
  EXPECT_NE(missing.find("'lake' does not exist at http://minio:9000"), std::string::npos);
  EXPECT_NE(missing.find("s3.bucket"), std::string::npos);

  const std::string denied = describe_startup_failure(head_bucket_error(403), "");
  EXPECT_NE(denied.find("refused access to bucket 'lake' at AWS S3 (HTTP 403)"), std::string::npos);
  EXPECT_NE(denied.find("credentials"), std::string::npos);
  EXPECT_NE(denied.find("s3.startup_check: false"), std::string::npos);

  const std::string region = describe_startup_failure(head_bucket_error(301), "");
  EXPECT_NE(region.find("s3.region"), std::string::npos);
}

TEST(StartupCheck, TransportFailuresKeepTheClientsHint) {
  s3::S3Error refused = head_bucket_error(0);
  refused.transport = boost::asio::error::connection_refused;
  refused.error = refused.transport;
  refused.attempts = 6;
  const std::string line = describe_startup_failure(refused, "http://127.0.0.1:1");
  EXPECT_NE(line.find("'lake' at http://127.0.0.1:1 is not usable"), std::string::npos);
  EXPECT_NE(line.find("Nothing listens at the endpoint"), std::string::npos);
  EXPECT_EQ(line.find('\n'), std::string::npos);  // one line
}

}  // namespace
}  // namespace ks3::server

// HTTPS between the S3 client and the fake S3, with certificates made at test time:
// verification is on by default, a CA file makes a private CA trusted, the host name (here an
// IP address) must match the certificate, and skipping verification takes an explicit option.
#include <gtest/gtest.h>

#include <cstdio>

#include "s3/client.hpp"
#include "s3/credentials_provider.hpp"
#include "s3/sigv4.hpp"
#include "tests/component/s3_test_support.hpp"
#include "tests/component/test_tls.hpp"

namespace ks3::test {
namespace {

namespace asio = boost::asio;

class S3TlsTest : public ::testing::Test {
 protected:
  void serve(const TestCertificates& certs) {
    FakeS3Options options;
    options.credentials = test_credentials();
    options.tls_certificate_pem = certs.server_cert_pem;
    options.tls_private_key_pem = certs.server_key_pem;
    fake.emplace(io.get_executor(), options);
    ca_file = write_temp_file("ca", certs.ca_pem);
  }
  ~S3TlsTest() override {
    if (!ca_file.empty()) std::remove(ca_file.c_str());
  }

  s3::S3Result<s3::PutObjectResult> put(const s3::ClientConfig& config) {
    s3::Client client(io.get_executor(), config,
                      s3::make_static_credentials(test_credentials(), "test"));
    return run_on(io, client.put_object("test-bucket", "tls/key", s3::make_body("secret data")));
  }

  asio::io_context io;
  std::optional<FakeS3> fake;
  std::string ca_file;
};

TEST_F(S3TlsTest, TrustedThroughTheCaFile) {
  serve(make_test_certificates());
  auto config = test_config(*fake);
  ASSERT_EQ(config.endpoint.substr(0, 8), "https://");
  config.tls.ca_file = ca_file;
  auto result = put(config);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake->object("test-bucket", "tls/key")->data, "secret data");
  // Over https the payload is not hashed by default (TLS protects it); the CRC-32C still is.
  const auto requests = fake->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].payload_hash, s3::sigv4::kUnsignedPayload);
  EXPECT_EQ(requests[0].checksum, "crc32c");
}

TEST_F(S3TlsTest, UnknownCaIsRejectedByDefaultWithoutRetry) {
  serve(make_test_certificates());
  auto config = test_config(*fake);  // system CAs only: the test CA is unknown
  auto result = put(config);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().http_status, 0u);
  EXPECT_EQ(result.error().attempts, 1);
  EXPECT_EQ(result.error().transport.category(), asio::error::get_ssl_category())
      << result.error().transport.message();
  EXPECT_NE(result.error().describe().find("TLS failed"), std::string::npos);
  EXPECT_FALSE(fake->object("test-bucket", "tls/key"));
  EXPECT_EQ(fake->count(S3Op::put_object), 0u);
}

TEST_F(S3TlsTest, CertificateForAnotherHostIsRejected) {
  serve(make_test_certificates("DNS:s3.example.com"));
  auto config = test_config(*fake);
  config.tls.ca_file = ca_file;  // trusted CA, but the name does not match 127.0.0.1
  auto result = put(config);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().transport.category(), asio::error::get_ssl_category());
  EXPECT_EQ(fake->count(S3Op::put_object), 0u);
}

TEST_F(S3TlsTest, VerificationCanBeTurnedOffExplicitly) {
  serve(make_test_certificates("DNS:s3.example.com"));
  auto config = test_config(*fake);
  config.tls.verify = false;
  auto result = put(config);
  ASSERT_TRUE(result) << result.error().describe();
}

TEST_F(S3TlsTest, MissingCaFileIsAStartUpError) {
  serve(make_test_certificates());
  auto config = test_config(*fake);
  config.tls.ca_file = "/nonexistent/ca.pem";
  try {
    s3::Client client(io.get_executor(), config,
                      s3::make_static_credentials(test_credentials(), "test"));
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos);
  }
}

}  // namespace
}  // namespace ks3::test

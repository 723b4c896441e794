// Certificates made at test time with the OpenSSL API (nothing checked in): a throw-away CA and
// a server certificate it signed for 127.0.0.1 and localhost.
#pragma once

#include <string>

namespace ks3::test {

struct TestCertificates {
  std::string ca_pem;           // the CA certificate (what a client must trust)
  std::string server_cert_pem;  // the server's certificate (signed by the CA)
  std::string server_key_pem;   // the server's private key
};

// Fresh keys (EC P-256) and certificates valid from an hour ago for a day. The server
// certificate's subjectAltName is `subject_alt_names` (OpenSSL config syntax).
TestCertificates make_test_certificates(
    const std::string& subject_alt_names = "IP:127.0.0.1,DNS:localhost");

// Writes `text` to a new file in the temp directory and returns its path.
std::string write_temp_file(const std::string& name_hint, const std::string& text);

}  // namespace ks3::test

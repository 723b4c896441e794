// TLS for S3 connections: one shared OpenSSL context per client (verification on by default,
// system CAs or a custom CA file) and the per-connection set-up (SNI, host name check).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace ks3::s3 {

struct TlsOptions {
  // Verify the server's certificate chain and host name. Turning this off is only for test
  // set-ups with throw-away certificates; it is logged as a warning.
  bool verify = true;
  // PEM file with the CA certificate(s) to trust instead of the system store (for example a
  // private CA that signed MinIO's certificate). Empty: the system's default CA store.
  std::string ca_file;
};

// Builds the client TLS context (TLS 1.2 or later). Throws std::runtime_error naming the
// problem when the CA file cannot be loaded (start-up only).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options);

// Prepares one new TLS connection to `host` before its handshake: sets SNI (not for IP
// literals: "Literal IPv4 and IPv6 addresses are not permitted in HostName", RFC 6066 3) and,
// when `verify` is set, makes OpenSSL check that the certificate matches the host name (or IP
// address, against its iPAddress subjectAltName). Returns false if OpenSSL refused a setting.
bool prepare_tls_connection(SSL* ssl, std::string_view host, bool verify);

}  // namespace ks3::s3

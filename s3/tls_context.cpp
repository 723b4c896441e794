#include "s3/tls_context.hpp"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

#include "metrics/log.hpp"

namespace ks3::s3 {
namespace {

std::string host_without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!options.verify) {
    context->set_verify_mode(ssl::verify_none);
    log::warn(
        "TLS certificate verification is disabled for S3: any server can impersonate the "
        "endpoint; use this only for tests, and set a CA file instead");
    return context;
  }
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) {
      throw std::runtime_error("cannot load the system CA certificates for S3 TLS: " +
                               ec.message() + " (install ca-certificates or set a CA file)");
    }
  } else {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      throw std::runtime_error("cannot load the S3 TLS CA file '" + options.ca_file +
                               "': " + ec.message() + " (it must be a readable PEM file)");
    }
  }
  return context;
}

bool prepare_tls_connection(SSL* ssl, std::string_view host, bool verify) {
  const std::string name = host_without_brackets(host);
  const bool ip = is_ip_literal(name);
  if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) return false;
  if (!verify) return true;
  if (ip) {
    // A certificate for an IP address names it in an iPAddress subjectAltName.
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
  }
  // RFC 6125 host name matching (wildcards in the left-most label only), done by OpenSSL
  // during the handshake's chain verification.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, name.c_str()) == 1;
}

}  // namespace ks3::s3

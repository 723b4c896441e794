// Where S3 requests go: the endpoint URL, the addressing style, and the target (host, port,
// Host header, path) of one request. Pure; no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ks3::s3 {

enum class AddressingStyle {
  // Virtual-hosted for AWS endpoints (*.amazonaws.com), path-style for everything else
  // (MinIO, Ceph RGW, local servers), which is what those servers expect by default.
  automatic,
  // "https://endpoint/bucket/key": MinIO's default.
  path,
  // "https://bucket.endpoint/key": AWS's default ("Virtual-hosted-style requests").
  virtual_hosted,
};

// Parses "auto" | "path" | "virtual" (also "virtual-hosted"); false if unknown.
bool parse_addressing_style(std::string_view text, AddressingStyle& out);
std::string_view to_string(AddressingStyle style);

struct Endpoint {
  bool https = true;
  std::string host;  // lowercased; an IPv6 literal keeps its brackets ("[::1]")
  std::uint16_t port = 443;

  // The Host header value: the host, plus ":port" unless it is the scheme's default port.
  std::string authority() const;
  // "https://host:port", for messages.
  std::string url() const;
};

// Parses an endpoint URL such as "http://127.0.0.1:9000" or "https://s3.eu-west-1.amazonaws.com".
// Only a scheme (http or https), a host and an optional port are allowed: no user info, path,
// query or fragment. Throws std::invalid_argument with a message naming what is wrong (this
// runs at start-up, while the configuration is read).
Endpoint parse_endpoint(std::string_view url);

// The AWS S3 regional endpoint, "https://s3.<region>.amazonaws.com".
Endpoint aws_endpoint(std::string_view region);

// True for endpoints in AWS's own domain (where virtual-hosted addressing is the default).
bool is_aws_endpoint(const Endpoint& endpoint);

// Whether a bucket name can be a DNS label of a virtual-hosted request: lowercase letters,
// digits, '-' (and '.' only over plain http: "When you use virtual-hosted-style buckets with
// SSL, the SSL wildcard certificate only matches buckets that do not contain periods").
bool is_virtual_host_compatible(std::string_view bucket, bool https);

struct RequestTarget {
  std::string host;  // where to connect (and the TLS server name)
  std::uint16_t port = 0;
  bool https = true;
  std::string host_header;  // host[:port]
  std::string raw_path;     // not yet URI-encoded: "/bucket/key", "/key", "/bucket", "/"
};

// The target of a request on bucket/key (key may be empty: bucket-level requests; bucket may
// be empty: service-level requests). With AddressingStyle::virtual_hosted or automatic on AWS,
// a bucket that cannot be a DNS label falls back to path-style.
RequestTarget resolve_target(const Endpoint& endpoint, AddressingStyle style,
                             std::string_view bucket, std::string_view key);

}  // namespace ks3::s3

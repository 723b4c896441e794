#include "s3/endpoint.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "s3/ascii.hpp"

namespace ks3::s3 {
namespace {

std::uint16_t default_port(bool https) {
  return https ? 443 : 80;
}

[[noreturn]] void reject(std::string_view url, std::string_view why) {
  throw std::invalid_argument("invalid S3 endpoint '" + std::string(url) +
                              "': " + std::string(why) +
                              " (expected e.g. http://127.0.0.1:9000 or "
                              "https://s3.eu-west-1.amazonaws.com)");
}

}  // namespace

bool parse_addressing_style(std::string_view text, AddressingStyle& out) {
  if (text == "auto") {
    out = AddressingStyle::automatic;
  } else if (text == "path") {
    out = AddressingStyle::path;
  } else if (text == "virtual" || text == "virtual-hosted") {
    out = AddressingStyle::virtual_hosted;
  } else {
    return false;
  }
  return true;
}

std::string_view to_string(AddressingStyle style) {
  switch (style) {
    case AddressingStyle::automatic:
      return "auto";
    case AddressingStyle::path:
      return "path";
    case AddressingStyle::virtual_hosted:
      return "virtual";
  }
  return "auto";
}

std::string Endpoint::authority() const {
  if (port == default_port(https)) return host;
  return host + ":" + std::to_string(port);
}

std::string Endpoint::url() const {
  return (https ? "https://" : "http://") + authority();
}

Endpoint parse_endpoint(std::string_view url) {
  if (url.empty()) reject(url, "it is empty");
  // "localhost:9000" would parse as scheme "localhost": catch the missing scheme first.
  if (url.find("://") == std::string_view::npos) {
    reject(url, "the scheme is missing (start it with http:// or https://)");
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) reject(url, "it is not an absolute URL");
  const boost::urls::url_view& view = *parsed;

  Endpoint endpoint;
  const std::string scheme = ascii_lowercase(view.scheme());
  if (scheme == "https") {
    endpoint.https = true;
  } else if (scheme == "http") {
    endpoint.https = false;
  } else {
    reject(url, "the scheme must be http or https");
  }
  if (!view.has_authority() || view.encoded_host().empty()) reject(url, "it has no host");
  if (view.has_userinfo()) reject(url, "user info is not allowed (credentials go elsewhere)");
  if (!view.encoded_path().empty() && view.encoded_path() != "/") {
    reject(url, "a path is not allowed (the bucket is a separate setting)");
  }
  if (view.has_query() || view.has_fragment()) reject(url, "a query or fragment is not allowed");

  endpoint.host = ascii_lowercase(view.encoded_host());
  endpoint.port = default_port(endpoint.https);
  if (view.has_port()) {
    const std::string_view port_text = view.port();
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      reject(url, "the port must be a number from 1 to 65535");
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  return endpoint;
}

Endpoint aws_endpoint(std::string_view region) {
  Endpoint endpoint;
  endpoint.https = true;
  endpoint.host = "s3." + ascii_lowercase(region) + ".amazonaws.com";
  endpoint.port = 443;
  return endpoint;
}

bool is_aws_endpoint(const Endpoint& endpoint) {
  constexpr std::string_view suffix = ".amazonaws.com";
  const std::string_view host = endpoint.host;
  return host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix;
}

bool is_virtual_host_compatible(std::string_view bucket, bool https) {
  // "Bucket names must be between 3 and 63 characters long [...] consist only of lowercase
  //  letters, numbers, dots (.), and hyphens (-) [...] begin and end with a letter or number."
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(bucket.front()) || !alnum(bucket.back())) return false;
  for (const char c : bucket) {
    if (alnum(c) || c == '-') continue;
    if (c == '.' && !https) continue;
    return false;
  }
  return true;
}

RequestTarget resolve_target(const Endpoint& endpoint, AddressingStyle style,
                             std::string_view bucket, std::string_view key) {
  RequestTarget target;
  target.port = endpoint.port;
  target.https = endpoint.https;

  bool virtual_hosted = style == AddressingStyle::virtual_hosted ||
                        (style == AddressingStyle::automatic && is_aws_endpoint(endpoint));
  if (bucket.empty() || !is_virtual_host_compatible(bucket, endpoint.https)) {
    virtual_hosted = false;
  }

  if (virtual_hosted) {
    target.host = std::string(bucket) + "." + endpoint.host;
    target.raw_path = "/" + std::string(key);
  } else {
    target.host = endpoint.host;
    target.raw_path = "/";
    if (!bucket.empty()) {
      target.raw_path += bucket;
      if (!key.empty()) target.raw_path += "/" + std::string(key);
    }
  }
  target.host_header = target.host;
  if (target.port != default_port(target.https)) {
    target.host_header += ":" + std::to_string(target.port);
  }
  return target;
}

}  // namespace ks3::s3

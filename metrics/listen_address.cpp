#include "metrics/listen_address.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace ks3::metrics {

namespace {

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw std::invalid_argument("invalid listen address '" + std::string(text) +
                              "': " + std::string(why) +
                              " (expected host:port, e.g. 0.0.0.0:9400, 127.0.0.1:9400, "
                              "[::]:9400 or :9400)");
}

}  // namespace

boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) bad(text, "no port");
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);

  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535) {
    bad(text, "the port must be a number from 0 to 65535");
  }

  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [v6]:port
  } else if (host.find(':') != std::string_view::npos) {
    bad(text, "an IPv6 address needs brackets");
  }
  boost::asio::ip::address address;
  if (host.empty() || host == "*") {
    address = boost::asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = boost::asio::ip::address_v4::loopback();
  } else {
    boost::system::error_code parse_error;
    address = boost::asio::ip::make_address(std::string(host), parse_error);
    if (parse_error) bad(text, "the host must be an IP address or localhost");
  }
  return {address, static_cast<unsigned short>(port)};
}

}  // namespace ks3::metrics

// The HTTP listen address setting: "host:port".
//   "0.0.0.0:9400"   all IPv4 interfaces (containers, Kubernetes)
//   "127.0.0.1:9400" loopback only
//   "[::]:9400"      all IPv6 (and, on Linux by default, IPv4) interfaces
//   ":9400"          same as 0.0.0.0:9400
//   "localhost:0"    loopback, any free port (tests; the bound port is reported)
// The host must be an IP address or "localhost": no DNS lookup at start-up.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace ks3::metrics {

// Throws std::invalid_argument with a message naming the bad value and the expected form.
boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text);

}  // namespace ks3::metrics

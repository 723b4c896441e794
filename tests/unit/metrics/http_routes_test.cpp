#include "metrics/http_routes.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <stdexcept>

#include "metrics/listen_address.hpp"

using namespace ks3::metrics;

namespace {

Endpoints fixed(bool healthy, ReadinessStatus ready) {
  return Endpoints{[] { return std::string("m 1\n"); },
                   [healthy] {
                     return HealthStatus{healthy, healthy ? "ok" : "stalled"};
                   },
                   [ready] { return ready; }};
}

}  // namespace

TEST(HttpRoutes, MetricsIsPrometheusText) {
  auto reply = route_request("GET", "/metrics", fixed(true, {}));
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(reply.body, "m 1\n");
  EXPECT_EQ(reply.content_encoding, "");
  EXPECT_EQ(reply.vary, "Accept-Encoding");
  EXPECT_EQ(route_request("GET", "/metrics?name[]=x", fixed(true, {})).status, 200u);
}

namespace {

std::string gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);  // gzip wrapper only
  std::string out(1 << 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip member";
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

TEST(HttpRoutes, MetricsIsGzippedWhenAccepted) {
  auto e = fixed(true, {});
  auto reply = route_request("GET", "/metrics", e, "gzip, deflate");  // what Prometheus sends
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_encoding, "gzip");
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(gunzip(reply.body), "m 1\n");
  EXPECT_EQ(route_request("GET", "/metrics", e, "gzip;q=0").content_encoding, "");
  EXPECT_EQ(route_request("GET", "/metrics", e, "identity").body, "m 1\n");
  // Only /metrics is compressed.
  EXPECT_EQ(route_request("GET", "/readyz", e, "gzip").content_encoding, "");
}

TEST(HttpRoutes, AcceptEncodingWeights) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("GZIP"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(accepts_gzip("br;q=1, gzip ; q=0.001"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000, deflate"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0")) << "an explicit gzip entry wins over *";
}

TEST(HttpRoutes, HealthzFollowsTheHeartbeat) {
  EXPECT_EQ(route_request("GET", "/healthz", fixed(true, {})).status, 200u);
  auto stalled = route_request("GET", "/healthz", fixed(false, {}));
  EXPECT_EQ(stalled.status, 503u);
  EXPECT_EQ(stalled.body, "stalled\n");
}

TEST(HttpRoutes, ReadyzGivesTheReason) {
  auto ready = route_request("GET", "/readyz", fixed(true, {}));
  EXPECT_EQ(ready.status, 200u);
  EXPECT_EQ(ready.body, "ready\n");
  auto not_ready = route_request("HEAD", "/readyz", fixed(true, {false, "kafka group not joined"}));
  EXPECT_EQ(not_ready.status, 503u);
  EXPECT_EQ(not_ready.body, "not ready: kafka group not joined\n");
}

TEST(HttpRoutes, UnknownPathIs404WrongMethodIs405WithAllow) {
  EXPECT_EQ(route_request("GET", "/", fixed(true, {})).status, 404u);
  EXPECT_EQ(route_request("GET", "/metrics/", fixed(true, {})).status, 404u);
  EXPECT_EQ(route_request("POST", "/nope", fixed(true, {})).status, 404u);
  EXPECT_EQ(route_request("GET", "*", fixed(true, {})).status, 404u);
  auto post = route_request("POST", "/metrics", fixed(true, {}));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.allow, "GET, HEAD");
  EXPECT_EQ(route_request("DELETE", "/readyz", fixed(true, {})).status, 405u);
}

TEST(HttpRoutes, ThrowingEndpointIs500NotACrash) {
  Endpoints e{[]() -> std::string { throw std::runtime_error("collector broke"); }, {}, {}};
  auto reply = route_request("GET", "/metrics", e);
  EXPECT_EQ(reply.status, 500u);
  EXPECT_NE(reply.body.find("collector broke"), std::string::npos);
  // Missing functions: defaults, no crash.
  EXPECT_EQ(route_request("GET", "/healthz", Endpoints{}).status, 200u);
  EXPECT_EQ(route_request("GET", "/readyz", Endpoints{}).status, 200u);
}

TEST(ListenAddress, AcceptedForms) {
  auto ep = parse_listen_address("127.0.0.1:9400");
  EXPECT_EQ(ep.address().to_string(), "127.0.0.1");
  EXPECT_EQ(ep.port(), 9400);
  EXPECT_EQ(parse_listen_address(":9400").address().to_string(), "0.0.0.0");
  EXPECT_EQ(parse_listen_address("*:1").address().to_string(), "0.0.0.0");
  EXPECT_EQ(parse_listen_address("localhost:0").address().to_string(), "127.0.0.1");
  auto v6 = parse_listen_address("[::1]:8080");
  EXPECT_TRUE(v6.address().is_v6());
  EXPECT_EQ(v6.port(), 8080);
}

TEST(ListenAddress, RejectedFormsNameTheValue) {
  for (const char* bad : {"9400", "host:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:9x", "::1:80",
                          "example.com:80", "[::1:80"}) {
    try {
      parse_listen_address(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

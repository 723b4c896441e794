#include "metrics/http_routes.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(route_request("GET", "/metrics?name[]=x", fixed(true, {})).status, 200u);
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

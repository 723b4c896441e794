// The observability HTTP server over real loopback TCP: endpoints, HEAD, keep-alive, errors,
// garbage input, limits, slow clients, readiness and liveness, shutdown.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "metrics/http_server.hpp"
#include "metrics/registry.hpp"
#include "metrics/sink_metrics.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace ks3::metrics;
using namespace std::chrono_literals;

namespace {

// A blocking-style HTTP client with a deadline on every step (its own io_context).
class Client {
 public:
  explicit Client(unsigned short port) : stream_(io_) {
    stream_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  error_code send(std::string_view raw) {
    return run([&](auto done) { asio::async_write(stream_, asio::buffer(raw), done); });
  }

  http::response<http::string_body> request(std::string_view raw) {
    EXPECT_FALSE(send(raw));
    http::response<http::string_body> res;
    auto ec = run([&](auto done) { http::async_read(stream_, buffer_, res, done); });
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  // Reads everything until the server closes (or the deadline passes: then ec is timeout).
  std::pair<std::string, error_code> read_until_close(std::chrono::milliseconds deadline = 5s) {
    std::string text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.clear();
    auto ec = run([&](auto done) { asio::async_read(stream_, asio::dynamic_buffer(text), done); },
                  deadline);
    return {text, ec};
  }

  beast::flat_buffer& buffer() { return buffer_; }
  beast::tcp_stream& stream() { return stream_; }

  template <typename Start>
  error_code run(Start start, std::chrono::milliseconds deadline = 5s) {
    error_code result;
    stream_.expires_after(deadline);
    start([&](error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::string get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra_headers) +
         "\r\n";
}

// A server on 127.0.0.1:0 with its own loop thread. With `separate_loop`, the heartbeat runs on
// a second io_context (the "pipeline loop") so a test can block that loop while the server
// keeps answering.
class MetricsServerTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}, bool separate_loop = false) {
    options.listen_address = "127.0.0.1:0";
    auto& watched = separate_loop ? pipeline_io_ : server_io_;
    heartbeat_ = std::make_unique<LoopHeartbeat>(watched.get_executor(), 20ms,
                                                 &sink_.event_loop_delay_seconds);
    server_ = std::make_unique<HttpServer>(
        server_io_.get_executor(), make_endpoints(registry_, *heartbeat_, readiness_, options),
        options);
    port_ = server_->start().port();
    heartbeat_->start();
    server_thread_ = std::thread([this] { server_io_.run(); });
    if (separate_loop) pipeline_thread_ = std::thread([this] { pipeline_io_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop();
    heartbeat_->stop();
    // stop() must let the loop run out of work (D's graceful shutdown relies on it).
    auto deadline = std::chrono::steady_clock::now() + 5s;
    auto done = [this] {
      return server_io_.stopped() && (!pipeline_thread_.joinable() || pipeline_io_.stopped());
    };
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE(done()) << "the loops did not run out of work after stop()";
    server_io_.stop();
    pipeline_io_.stop();
    server_thread_.join();
    if (pipeline_thread_.joinable()) pipeline_thread_.join();
  }

  asio::io_context server_io_;
  asio::io_context pipeline_io_;
  Registry registry_;
  SinkMetrics sink_{registry_};
  Readiness readiness_{&sink_.ready};
  std::unique_ptr<LoopHeartbeat> heartbeat_;
  std::unique_ptr<HttpServer> server_;
  unsigned short port_ = 0;
  std::thread server_thread_;
  std::thread pipeline_thread_;
};

TEST_F(MetricsServerTest, GetMetricsServesPrometheusText) {
  sink_.topic("orders").records_consumed.inc(5);
  start();
  Client c(port_);
  auto res = c.request(get("/metrics"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[http::field::content_type], kMetricsContentType);
  EXPECT_NE(res.body().find("kafka_s3_sink_records_consumed_total{topic=\"orders\"} 5\n"),
            std::string::npos);
  EXPECT_NE(res.body().find("# TYPE kafka_s3_sink_records_consumed_total counter\n"),
            std::string::npos);
}

TEST_F(MetricsServerTest, MetricsIsGzippedForAScraperThatAcceptsIt) {
  sink_.topic("orders").records_consumed.inc(5);
  start();
  Client c(port_);
  auto plain = c.request(get("/metrics"));
  auto res = c.request(get("/metrics", "Accept-Encoding: gzip\r\n"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[http::field::content_encoding], "gzip");
  EXPECT_EQ(res[http::field::vary], "Accept-Encoding");
  EXPECT_EQ(plain[http::field::content_encoding], "");
  ASSERT_GE(res.body().size(), 2u);
  EXPECT_EQ(res.body().substr(0, 2), "\x1f\x8b") << "not a gzip member";
  EXPECT_LT(res.body().size(), plain.body().size());
}

TEST_F(MetricsServerTest, HeadHasContentLengthButNoBody) {
  start();
  Client c(port_);
  ASSERT_FALSE(c.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto [text, ec] = c.read_until_close();
  EXPECT_EQ(ec, asio::error::eof);
  auto header_end = text.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << text;
  EXPECT_EQ(text.substr(header_end + 4), "") << "HEAD must not carry a body";
  EXPECT_TRUE(text.starts_with("HTTP/1.1 200")) << text;
  EXPECT_NE(text.find("Content-Length: "), std::string::npos) << text;
  EXPECT_EQ(text.find("Content-Length: 0\r\n"), std::string::npos) << text;
}

TEST_F(MetricsServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/healthz")).result_int(), 200);
  EXPECT_EQ(c.request(get("/readyz")).result_int(), 200);
  auto last = c.request(get("/metrics", "Connection: close\r\n"));
  EXPECT_EQ(last.result_int(), 200);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(c.read_until_close().second, asio::error::eof);
}

TEST_F(MetricsServerTest, Http10ClosesAfterTheResponse) {
  start();
  Client c(port_);
  ASSERT_FALSE(c.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto [text, ec] = c.read_until_close();
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_TRUE(text.starts_with("HTTP/1.0 200")) << text;
}

TEST_F(MetricsServerTest, UnknownPath404WrongMethod405WithAllow) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/nope")).result_int(), 404);
  auto res = c.request("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
  // The connection is still usable after both.
  EXPECT_EQ(c.request(get("/metrics")).result_int(), 200);
}

TEST_F(MetricsServerTest, GarbageGets400AndTheServerKeepsServing) {
  start();
  {
    Client c(port_);
    ASSERT_FALSE(c.send(std::string("\x00\x01\x02 garbage\r\n\r\n", 15)));
    auto [text, ec] = c.read_until_close();
    EXPECT_TRUE(text.starts_with("HTTP/1.1 400")) << text;
  }
  {
    Client c(port_);
    ASSERT_FALSE(c.send("GET /metrics HTTP/9.9\r\n\r\n"));
    EXPECT_TRUE(c.read_until_close().first.starts_with("HTTP/1.1 400"));
  }
  // Random bytes: any answer or a close is fine; what matters is that the server survives.
  std::mt19937 rng(42);
  for (int i = 0; i < 40; ++i) {
    std::string junk(1 + rng() % 3000, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    Client c(port_);
    c.send(junk);
    c.send("\r\n\r\n");
    auto [text, ec] = c.read_until_close(2s);
    EXPECT_NE(ec, beast::error::timeout) << "server neither answered nor closed garbage #" << i;
  }
  Client c(port_);
  EXPECT_EQ(c.request(get("/metrics")).result_int(), 200);
}

TEST_F(MetricsServerTest, OversizedRequestsAreRejected) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 16;
  start(options);
  {
    Client c(port_);
    c.send(get("/metrics", "X-Big: " + std::string(4096, 'a') + "\r\n"));
    EXPECT_TRUE(c.read_until_close().first.starts_with("HTTP/1.1 431")) << "header limit";
  }
  {
    Client c(port_);
    c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
           std::string(100, 'b'));
    EXPECT_TRUE(c.read_until_close().first.starts_with("HTTP/1.1 413")) << "body limit";
  }
}

TEST_F(MetricsServerTest, SlowClientDoesNotBlockOthersAndTimesOut) {
  HttpServerOptions options;
  options.read_timeout = 500ms;
  start(options);
  Client slow(port_);
  ASSERT_FALSE(slow.send("GET /metr"));  // and then nothing

  auto t0 = std::chrono::steady_clock::now();
  Client fast(port_);
  EXPECT_EQ(fast.request(get("/metrics")).result_int(), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 400ms) << "a stalled client delayed another";

  // The stalled request is dropped after the read timeout, not held forever.
  auto [text, ec] = slow.read_until_close(5s);
  EXPECT_NE(ec, beast::error::timeout) << "the server kept a silent connection open";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(MetricsServerTest, ReadyzReportsTheReasonThenRecovers) {
  readiness_.declare("kafka", "kafka group not joined");
  start();
  Client c(port_);
  auto res = c.request(get("/readyz"));
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res.body(), "not ready: kafka group not joined\n");
  EXPECT_NE(c.request(get("/metrics")).body().find("kafka_s3_sink_ready 0\n"), std::string::npos);

  readiness_.set_ready("kafka");
  readiness_.set_not_ready("s3", "s3 unreachable: connection refused");
  EXPECT_EQ(c.request(get("/readyz")).body(), "not ready: s3 unreachable: connection refused\n");
  readiness_.set_ready("s3");
  res = c.request(get("/readyz"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "ready\n");
  EXPECT_NE(c.request(get("/metrics")).body().find("kafka_s3_sink_ready 1\n"), std::string::npos);
}

TEST_F(MetricsServerTest, HealthzTurns503WhileThePipelineLoopIsBlocked) {
  HttpServerOptions options;
  options.health_stale_after = 200ms;
  start(options, /*separate_loop=*/true);
  Client c(port_);
  EXPECT_EQ(c.request(get("/healthz")).result_int(), 200);

  std::atomic<bool> release{false};
  asio::post(pipeline_io_, [&] {
    while (!release.load()) std::this_thread::sleep_for(1ms);  // a stuck pipeline
  });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  unsigned status = 200;
  std::string body;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    auto res = c.request(get("/healthz"));
    status = res.result_int();
    body = res.body();
  }
  EXPECT_EQ(status, 503u);
  EXPECT_TRUE(body.starts_with("event loop stalled: last heartbeat")) << body;

  release = true;
  deadline = std::chrono::steady_clock::now() + 5s;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    status = c.request(get("/healthz")).result_int();
  }
  EXPECT_EQ(status, 200u) << "healthz did not recover after the loop was released";
  // The late tick shows as loop delay: one observation above 0.1 s.
  auto delay = sink_.event_loop_delay_seconds.collect();
  ASSERT_EQ(delay.bucket.at(5).upper_bound, 0.1);
  EXPECT_GE(delay.sample_count - delay.bucket[5].cumulative_count, 1u)
      << "the stall was not observed as delay";
}

TEST_F(MetricsServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions options;
  options.max_connections = 2;
  start(options);
  Client a(port_), b(port_);
  EXPECT_EQ(a.request(get("/healthz")).result_int(), 200);  // both sessions are now registered
  EXPECT_EQ(b.request(get("/healthz")).result_int(), 200);
  Client over(port_);
  over.send(get("/healthz"));
  auto [text, ec] = over.read_until_close(2s);
  EXPECT_EQ(text, "") << "the connection over the limit was served";
  EXPECT_NE(ec, beast::error::timeout);

  a.stream().close();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    Client again(port_);
    again.send(get("/healthz", "Connection: close\r\n"));
    served = again.read_until_close(2s).first.starts_with("HTTP/1.1 200");
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served) << "a slot freed by a closed connection was not reused";
}

TEST_F(MetricsServerTest, StopClosesIdleKeepAliveConnections) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/healthz")).result_int(), 200);
  server_->stop();
  auto [text, ec] = c.read_until_close(3s);
  EXPECT_NE(ec, beast::error::timeout) << "stop() left a keep-alive connection open";
}

TEST(MetricsServerStart, BusyPortThrowsNamingTheAddress) {
  asio::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
  HttpServer server(io.get_executor(), Endpoints{}, options);
  try {
    server.start();
    FAIL() << "bound a port that is in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(options.listen_address), std::string::npos) << e.what();
  }
}

}  // namespace

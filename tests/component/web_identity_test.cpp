// The web identity credentials provider against a tiny in-process fake STS on 127.0.0.1:
// fetches with the token file's current content, caches, refreshes before expiry, keeps valid
// credentials while STS fails, and reports a refusal as credentials_unavailable.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "s3/s3_error.hpp"
#include "s3/uri_encode.hpp"
#include "s3/web_identity_provider.hpp"

namespace ks3::s3 {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::system_clock;

std::string iso8601(Clock::time_point t) {
  const std::time_t s = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One response per connection (the provider closes after each exchange).
class FakeSts {
 public:
  explicit FakeSts(asio::io_context& io) : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io, serve(), asio::detached);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

  // What the next requests get: (status, body) pairs, the last one repeating.
  std::vector<std::pair<unsigned, std::string>> responses;
  std::vector<std::string> request_bodies;

  static std::string success(const std::string& key_id, Clock::time_point expires) {
    return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
           "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>" +
           key_id + "</AccessKeyId><SecretAccessKey>secret-" + key_id +
           "</SecretAccessKey><SessionToken>token-" + key_id + "</SessionToken><Expiration>" +
           iso8601(expires) +
           "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
           "</AssumeRoleWithWebIdentityResponse>";
  }
  static std::string refusal() {
    return "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
           "<Message>Token expired</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
  }

 private:
  asio::awaitable<void> serve() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      co_await answer(std::move(socket));
    }
  }

  asio::awaitable<void> answer(tcp::socket socket) {
    asio::streambuf buffer;
    auto [ec, n] = co_await asio::async_read_until(socket, buffer, "\r\n\r\n",
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::string head(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n);
    buffer.consume(n);
    std::size_t length = 0;
    if (auto at = head.find("Content-Length: "); at != std::string::npos) {
      length = std::stoul(head.substr(at + 16));
    }
    if (buffer.size() < length) {
      co_await asio::async_read(socket, buffer, asio::transfer_exactly(length - buffer.size()),
                                asio::as_tuple(asio::use_awaitable));
    }
    request_bodies.emplace_back(asio::buffers_begin(buffer.data()),
                                asio::buffers_begin(buffer.data()) + length);
    const auto& [status, body] = responses.at(std::min(served_++, responses.size() - 1));
    const std::string reply =
        "HTTP/1.1 " + std::to_string(status) +
        " X\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
  }

  tcp::acceptor acceptor_;
  std::size_t served_ = 0;
};

class WebIdentityTest : public ::testing::Test {
 protected:
  WebIdentityTest() : sts_(io_) {}

  std::unique_ptr<WebIdentityCredentialsProvider> provider() {
    WebIdentitySettings settings;
    settings.role_arn = "arn:aws:iam::123456789012:role/sink";
    settings.token_file = "/var/run/token";
    settings.session_name = "sink-0";
    settings.region = "us-east-1";
    settings.sts_endpoint = sts_.url();
    auto files = [this](const std::string& path) -> std::optional<std::string> {
      if (path != "/var/run/token" || token_.empty()) return std::nullopt;
      return token_;
    };
    RetryConfig retry{2, std::chrono::milliseconds(1), std::chrono::milliseconds(2),
                      std::chrono::milliseconds(5000)};
    return std::make_unique<WebIdentityCredentialsProvider>(io_.get_executor(), settings,
                                                            TlsOptions{}, HttpTimeouts{}, files,
                                                            retry, [this] { return now_; });
  }

  boost::system::result<Credentials> get(CredentialsProvider& p) {
    std::optional<boost::system::result<Credentials>> out;
    asio::co_spawn(io_, p.get(), [&](std::exception_ptr e, boost::system::result<Credentials> r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
    });
    io_.restart();
    while (!out && io_.run_one_for(std::chrono::seconds(10))) {
    }
    if (!out) ADD_FAILURE() << "get() did not finish";
    return out.value_or(make_error_code(Errc::credentials_unavailable));
  }

  asio::io_context io_;
  FakeSts sts_;
  std::string token_ = "jwt-token-1";
  Clock::time_point now_ = Clock::from_time_t(1700000000);
};

TEST_F(WebIdentityTest, FetchesCachesAndRefreshesBeforeExpiry) {
  sts_.responses = {{200, FakeSts::success("ASIAFIRST", now_ + std::chrono::hours(1))},
                    {200, FakeSts::success("ASIASECOND", now_ + std::chrono::hours(2))}};
  auto p = provider();
  auto first = get(*p);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->access_key_id, "ASIAFIRST");
  EXPECT_EQ(first->secret_access_key, "secret-ASIAFIRST");
  EXPECT_EQ(first->session_token, "token-ASIAFIRST");
  ASSERT_EQ(sts_.request_bodies.size(), 1u);
  EXPECT_NE(sts_.request_bodies[0].find("Action=AssumeRoleWithWebIdentity"), std::string::npos);
  EXPECT_NE(sts_.request_bodies[0].find("WebIdentityToken=jwt-token-1"), std::string::npos);
  EXPECT_NE(sts_.request_bodies[0].find("RoleSessionName=sink-0"), std::string::npos);

  now_ += std::chrono::minutes(30);  // still 30 minutes to go: cached
  EXPECT_EQ(get(*p)->access_key_id, "ASIAFIRST");
  EXPECT_EQ(sts_.request_bodies.size(), 1u);
  EXPECT_EQ(p->fetches(), 1u);

  token_ = "jwt-token-2";            // Kubernetes rotated the token file
  now_ += std::chrono::minutes(26);  // 4 minutes left: inside the refresh margin
  auto refreshed = get(*p);
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->access_key_id, "ASIASECOND");
  ASSERT_EQ(sts_.request_bodies.size(), 2u);
  EXPECT_NE(sts_.request_bodies[1].find("WebIdentityToken=jwt-token-2"), std::string::npos);
}

TEST_F(WebIdentityTest, KeepsValidCredentialsWhileStsFailsThenGivesUp) {
  sts_.responses = {{200, FakeSts::success("ASIAFIRST", now_ + std::chrono::hours(1))}, {503, ""}};
  auto p = provider();
  ASSERT_TRUE(get(*p));
  now_ += std::chrono::minutes(57);  // refresh due, STS down, old credentials still valid
  auto kept = get(*p);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->access_key_id, "ASIAFIRST");
  EXPECT_EQ(sts_.request_bodies.size(), 3u);  // 1 + 2 attempts (503 is retried)
  now_ += std::chrono::minutes(5);            // expired now
  EXPECT_EQ(get(*p).error(), make_error_code(Errc::credentials_unavailable));
}

TEST_F(WebIdentityTest, RefusalAndMissingTokenAreCredentialsUnavailable) {
  sts_.responses = {{400, FakeSts::refusal()}};
  auto p = provider();
  EXPECT_EQ(get(*p).error(), make_error_code(Errc::credentials_unavailable));
  EXPECT_EQ(sts_.request_bodies.size(), 1u);  // a 400 refusal is not retried
  token_.clear();
  EXPECT_EQ(get(*p).error(), make_error_code(Errc::credentials_unavailable));
  EXPECT_EQ(sts_.request_bodies.size(), 1u);  // no token: STS not even asked
  EXPECT_NE(p->describe().find("arn:aws:iam::123456789012:role/sink"), std::string::npos);
}

}  // namespace
}  // namespace ks3::s3

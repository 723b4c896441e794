#include "s3/web_identity_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/log.hpp"
#include "s3/s3_error.hpp"
#include "s3/sts.hpp"

namespace ks3::s3 {
namespace asio = boost::asio;

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(
    asio::any_io_executor executor, WebIdentitySettings settings, const TlsOptions& tls,
    HttpTimeouts timeouts, FileReader read_file, RetryConfig retry, WallClock clock)
    : executor_(executor),
      settings_(std::move(settings)),
      endpoint_(parse_endpoint(sts::endpoint_url(settings_.region, settings_.sts_endpoint))),
      verify_tls_(tls.verify),
      timeouts_(timeouts),
      read_file_(std::move(read_file)),
      retry_(retry),
      clock_(std::move(clock)),
      refresh_lock_(executor, 1) {
  if (endpoint_.https) tls_ = make_tls_context(tls);
}

std::string WebIdentityCredentialsProvider::describe() const {
  return "web identity (role " + settings_.role_arn + " via " + endpoint_.url() + ")";
}

asio::awaitable<boost::system::result<Credentials>> WebIdentityCredentialsProvider::get() {
  if (cached_ && !sts::needs_refresh(*cached_, clock_(), refresh_margin)) co_return *cached_;
  // One fetch at a time: callers that waited find the fresh credentials in the cache.
  if (co_await refresh_lock_.acquire()) co_return make_error_code(asio::error::operation_aborted);
  SemaphorePermit permit(refresh_lock_);
  if (cached_ && !sts::needs_refresh(*cached_, clock_(), refresh_margin)) co_return *cached_;
  auto fresh = co_await fetch();
  if (fresh) {
    cached_ = *fresh;
    co_return *fresh;
  }
  // STS is down but the old credentials have not expired yet: keep using them.
  if (cached_ && cached_->expiration && clock_() < *cached_->expiration) {
    log::warn("STS refresh failed; using the current credentials until they expire",
              {{"role_arn", settings_.role_arn}});
    co_return *cached_;
  }
  co_return fresh.error();
}

asio::awaitable<boost::system::result<Credentials>> WebIdentityCredentialsProvider::fetch() {
  const auto token = read_file_(settings_.token_file);
  if (!token || token->empty()) {
    log::error("cannot read the web identity token file: check AWS_WEB_IDENTITY_TOKEN_FILE",
               {{"path", settings_.token_file}});
    co_return make_error_code(Errc::credentials_unavailable);
  }
  RetryState state(retry_, std::chrono::steady_clock::now());
  asio::steady_timer timer(executor_);
  for (;;) {
    Outcome outcome = Outcome::fail;
    auto result = co_await fetch_once(*token, outcome);
    if (result) {
      ++fetches_;
      log::info("fetched temporary credentials from STS",
                {{"role_arn", settings_.role_arn}, {"access_key", redacted(*result)}});
      co_return result;
    }
    const auto delay = state.after_failure(outcome, std::chrono::steady_clock::now());
    if (!delay) co_return make_error_code(Errc::credentials_unavailable);
    timer.expires_after(*delay);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
  }
}

asio::awaitable<boost::system::result<Credentials>> WebIdentityCredentialsProvider::fetch_once(
    const std::string& token, Outcome& outcome) {
  const HttpTarget target{endpoint_.host, endpoint_.port, endpoint_.https};
  auto connection =
      co_await HttpConnection::connect(executor_, target, tls_, verify_tls_, timeouts_);
  if (!connection) {
    outcome = classify_transport(connection.error());
    log::warn("STS connection failed",
              {{"endpoint", endpoint_.url()}, {"error", connection.error().message()}});
    co_return connection.error();
  }
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Host", endpoint_.authority()},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"Accept", "application/xml"}};
  request.body = make_body(sts::build_assume_role_with_web_identity_body(
      {settings_.role_arn, settings_.session_name, token, settings_.duration}));
  ExchangeStats stats;
  auto response = co_await (*connection)->exchange(request, stats);
  (*connection)->close();
  if (!response) {
    outcome = classify_transport(response.error());
    log::warn("STS request failed",
              {{"endpoint", endpoint_.url()}, {"error", response.error().message()}});
    co_return response.error();
  }
  xml::ErrorBody error;
  auto credentials = sts::parse_assume_role_with_web_identity(response->body, &error);
  if (credentials && response->status == 200) co_return credentials;
  outcome = classify({}, response->status, error.code);
  // A 200 without credentials, or STS failing to reach the identity provider: transient.
  if (outcome == Outcome::success || error.code == "IDPCommunicationError") {
    outcome = Outcome::retry;
  }
  const std::string_view what =
      outcome == Outcome::retry
          ? "STS AssumeRoleWithWebIdentity failed (transient)"
          : "STS AssumeRoleWithWebIdentity refused: check the role's trust policy and the token";
  log::write(outcome == Outcome::retry ? log::Level::warn : log::Level::error, what,
             {{"role_arn", settings_.role_arn},
              {"status", response->status},
              {"code", error.code},
              {"message", error.message},
              {"request_id", error.request_id}});
  co_return make_error_code(Errc::credentials_unavailable);
}

}  // namespace ks3::s3

// The retrying request loop of the S3 client (see client_impl.hpp).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <optional>

#include "metrics/log.hpp"
#include "s3/client_impl.hpp"
#include "s3/crc32c.hpp"

namespace ks3::s3 {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Bodies below this are hashed inline: a hop to another thread costs more than it saves. The
// hop costs the loop a few microseconds; MD5 alone runs at ~450 MB/s on the machines measured
// (16 KiB: ~35 us), so bodies of one compression block and more go to the workers (CRC-32C is
// far cheaper, but a signed payload's SHA-256 is not). At 256 KiB
// the objects of 1 KiB documents (~130 KB) were hashed on the loop: 14% of its time.
constexpr std::size_t kHashOffloadThreshold = 16 * 1024;

}  // namespace

Client::Impl::Impl(asio::any_io_executor ex, ClientConfig cfg,
                   std::shared_ptr<CredentialsProvider> creds, ClientObserver* obs)
    : executor(std::move(ex)),
      config(std::move(cfg)),
      credentials(std::move(creds)),
      observer(obs) {
  validate(config);
  endpoint = resolve_endpoint(config);
  sign_payload = signs_payload(config.payload_signing, endpoint);
  if (endpoint.https) tls = make_tls_context(config.tls);
}

asio::awaitable<std::string> Client::Impl::hash_body(OperationRequest& request,
                                                     BodyChecksum checksum) {
  const SharedBody body = request.body;
  const bool sign = sign_payload;
  const std::optional<UploadChecksum> algorithm =
      checksum == BodyChecksum::upload ? std::optional(config.checksum) : std::nullopt;
  auto compute = [body, sign, algorithm]() {
    const std::string_view bytes = body ? std::string_view(*body) : std::string_view();
    std::pair<std::string, std::string> out;
    out.first = payload_hash_for(body, sign);
    if (algorithm == UploadChecksum::crc32c) out.second = crc32c_base64(bytes);
    if (algorithm == UploadChecksum::md5) out.second = sigv4::md5_base64(bytes);
    return out;
  };
  std::pair<std::string, std::string> hashes;
  if (hashing_executor && body && body->size() >= kHashOffloadThreshold) {
    hashes = co_await asio::co_spawn(
        *hashing_executor,
        [&]() -> asio::awaitable<std::pair<std::string, std::string>> { co_return compute(); },
        asio::use_awaitable);
  } else {
    hashes = compute();
  }
  request.payload_hash = std::move(hashes.first);
  // "x-amz-checksum-crc32c: [...] the base64-encoded, 32-bit CRC-32C checksum of the object"
  // and "Content-MD5: The base64-encoded 128-bit MD5 digest of the message": S3 checks the body
  // against either and answers BadDigest on a mismatch (PutObject, UploadPart).
  if (algorithm == UploadChecksum::crc32c) {
    request.headers.emplace_back("x-amz-checksum-crc32c", hashes.second);
  }
  if (algorithm == UploadChecksum::md5) request.headers.emplace_back("content-md5", hashes.second);
  co_return std::move(hashes.second);
}

ConnectionPool& Client::Impl::pool_for(const RequestTarget& target) {
  HttpTarget http_target{target.host, target.port, target.https};
  auto& pool = pools[http_target.key()];
  if (!pool) {
    ConnectionPoolOptions options;
    options.max_connections = config.max_connections;
    options.idle_timeout = config.idle_timeout;
    options.timeouts = config.timeouts;
    options.verify_tls = config.tls.verify;
    pool = std::make_unique<ConnectionPool>(executor, std::move(http_target), tls, options);
  }
  return *pool;
}

S3Error Client::Impl::make_error(const OperationRequest& request) const {
  S3Error error;
  error.operation = std::string(request.operation);
  error.bucket = request.bucket;
  error.key = request.key;
  return error;
}

asio::awaitable<Client::Impl::Attempt> Client::Impl::send_once(const OperationRequest& request) {
  Attempt result;
  auto creds = co_await credentials->get();
  if (!creds) {
    result.credentials_error = creds.error();
    co_return result;
  }
  const RequestTarget target =
      resolve_target(endpoint, config.addressing, request.bucket, request.key);
  // A server may close an idle keep-alive connection just as we reuse it: a failure on a reused
  // connection before any byte of answer (other than a timeout) is resent at once on another
  // connection, without counting as an attempt (bounded: each stale connection is discarded).
  for (std::size_t resend = 0; resend <= config.max_connections; ++resend) {
    result = Attempt{};
    result.sends = static_cast<int>(resend) + 1;
    const auto asked = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> slot_granted;
    bool stale = false;
    {
      // The lease ends with this block: the connection is back in the pool (or closed, after
      // a failure) before any backoff wait.
      auto lease = co_await pool_for(target).acquire(&slot_granted);
      if (!lease) {
        result.transport = lease.error();
      } else {
        // Signed once it holds a connection, for this send: x-amz-date is when the request
        // goes out, not when it began waiting for one of s3.max_connections (a queue behind
        // slow uploads) or a backoff, so the server never sees it as skewed or held.
        const HttpRequest http_request = build_request(
            request, target, {*creds, config.region, std::chrono::system_clock::now(), &key_cache},
            config.user_agent);
        auto response = co_await (*lease)->exchange(http_request, result.stats);
        if (response) {
          result.response = std::move(*response);
        } else {
          result.transport = response.error();
          lease->discard();
          // Not a timeout: a server that stays silent did not close the connection, and
          // resending at once would hide the stall from the retry count, backoff and metrics.
          stale = lease->reused() && result.stats.bytes_received == 0 &&
                  result.transport != asio::error::operation_aborted &&
                  result.transport != boost::beast::error::timeout &&
                  result.transport != asio::error::timed_out;
        }
      }
    }
    if (observer) {
      // The wait for one of s3.max_connections is queueing, reported apart; the request's
      // duration starts when it had a slot (a connect, if one was needed, is part of it).
      if (slot_granted) observer->on_connection_wait(*slot_granted - asked);
      observer->on_request_done(request.operation, result.transport ? 0 : result.response.status,
                                std::chrono::steady_clock::now() - slot_granted.value_or(asked),
                                result.stats.bytes_sent, result.stats.bytes_received);
    }
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (!stale || cancellation.cancelled() != asio::cancellation_type::none) break;
    log::debug("S3 keep-alive connection was closed by the server; sending again",
               {{"operation", request.operation}, {"reason", result.transport.message()}});
  }
  co_return result;
}

S3Error Client::Impl::credentials_failure(const OperationRequest& request, int sent,
                                          const Attempt& result) const {
  S3Error error = make_error(request);
  error.attempts = sent;
  error.error = result.credentials_error;
  if (result.credentials_error != make_error_code(Errc::credentials_unavailable)) {
    error.transport = result.credentials_error;
  }
  error.message = "no usable credentials from " + credentials->describe();
  return error;
}

S3Error Client::Impl::failure(const OperationRequest& request, int sent, const Attempt& result,
                              const ResponseVerdict& verdict) const {
  S3Error error = make_error(request);
  error.attempts = sent;
  error.http_status = result.transport ? 0 : result.response.status;
  error.code = verdict.code;
  error.message = verdict.message;
  error.request_id = verdict.request_id;
  error.transport = result.transport;
  error.error = result.transport ? result.transport : verdict.error;
  error.outcome = verdict.outcome;
  return error;
}

asio::awaitable<S3Result<HttpResponse>> Client::Impl::execute(const OperationRequest& request,
                                                              ExpectedBody expected) {
  using Clock = std::chrono::steady_clock;
  RetryState retry(config.retry, Clock::now());
  asio::steady_timer backoff(executor);
  // Requests on the wire, resends on a stale connection included: S3Error::attempts reports
  // this, so a NoSuchUpload after any earlier send leads to the Complete HEAD fallback.
  int sent = 0;
  for (int attempt = 1;; ++attempt) {
    Attempt result = co_await send_once(request);
    sent += std::max(result.sends, 1);
    if (result.credentials_error) co_return credentials_failure(request, sent, result);

    ResponseVerdict verdict;
    // A cancelled caller (an aborted upload, a shutdown) gets no retry, whatever error the
    // interrupted step reported (Beast reports a cancelled read as a timeout).
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) {
      result.transport = asio::error::operation_aborted;
    }
    if (result.transport) {
      verdict.outcome = classify_transport(result.transport);
    } else {
      verdict = classify_response(result.response, expected);
    }
    if (verdict.outcome == Outcome::success) {
      result.response.requests_sent = sent;
      co_return std::move(result.response);
    }

    S3Error error = failure(request, sent, result, verdict);
    if (verdict.outcome == Outcome::not_found) co_return error;

    const auto delay = retry.after_failure(verdict.outcome, Clock::now());
    if (!delay) {
      if (retry.give_up() == GiveUp::attempts || retry.give_up() == GiveUp::deadline) {
        // The last failure stays visible (status, Code, transport); `error` says why we stopped.
        error.error = retry.give_up_error();
      }
      co_return error;
    }
    const std::string reason = retry_reason(result.transport, error.http_status, error.code);
    if (observer) observer->on_retry(request.operation, reason);
    log::warn("S3 request failed, retrying",
              {{"operation", request.operation},
               {"bucket", request.bucket},
               {"key", request.key},
               {"attempt", attempt},
               {"status", error.http_status},
               {"reason", reason},
               {"code", error.code},
               {"backoff_ms", static_cast<std::int64_t>(delay->count())}});
    backoff.expires_after(*delay);
    auto [ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {  // cancelled while backing off
      error.error = ec;
      error.outcome = Outcome::fail;
      co_return error;
    }
  }
}

}  // namespace ks3::s3

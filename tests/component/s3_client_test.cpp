// The S3 client against the strict fake S3: operations, retries, failures, connection reuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/thread_pool.hpp>
#include <set>

#include "s3/client.hpp"
#include "s3/credentials_provider.hpp"
#include "tests/component/s3_test_support.hpp"

namespace ks3::test {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;

s3::ListObjectsRequest listing(std::string prefix, std::string delimiter = {},
                               std::string token = {}, int max_keys = 1000) {
  s3::ListObjectsRequest request;
  request.prefix = std::move(prefix);
  request.delimiter = std::move(delimiter);
  request.continuation_token = std::move(token);
  request.max_keys = max_keys;
  return request;
}

class S3ClientTest : public ::testing::Test {
 protected:
  S3ClientTest() : fake(io.get_executor(), options()) {}

  static FakeS3Options options() {
    FakeS3Options options;
    options.credentials = test_credentials();  // every signature is checked
    return options;
  }

  s3::Client make_client(const s3::ClientConfig& config) {
    return s3::Client(io.get_executor(), config,
                      s3::make_static_credentials(test_credentials(), "test"), &observer);
  }
  s3::Client make_client() { return make_client(test_config(fake)); }

  asio::io_context io;
  FakeS3 fake;
  RecordingObserver observer;
};

TEST_F(S3ClientTest, PutHeadGetListDeleteRoundTrip) {
  auto client = make_client();
  const std::string data = "hello, object\n";
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    auto put =
        co_await client.put_object("test-bucket", "dir/a.txt", s3::make_body(data), "text/plain");
    if (!put) co_return "put: " + put.error().describe();
    if (put->etag != "\"" + md5_hex(data) + "\"") co_return "etag " + put->etag;
    auto head = co_await client.head_object("test-bucket", "dir/a.txt");
    if (!head) co_return "head: " + head.error().describe();
    if (head->size != data.size() || head->etag != put->etag) co_return "head mismatch";
    if (head->content_type != "text/plain") co_return "content type " + head->content_type;
    auto get = co_await client.get_object("test-bucket", "dir/a.txt");
    if (!get) co_return "get: " + get.error().describe();
    if (get->data != data) co_return "data mismatch";
    auto list = co_await client.list_objects_v2("test-bucket", listing("dir/"));
    if (!list) co_return "list: " + list.error().describe();
    if (list->contents.size() != 1 || list->contents[0].key != "dir/a.txt" ||
        list->contents[0].size != data.size()) {
      co_return "list mismatch";
    }
    if (auto del = co_await client.delete_object("test-bucket", "dir/a.txt"); !del) {
      co_return "delete: " + del.error().describe();
    }
    auto gone = co_await client.head_object("test-bucket", "dir/a.txt");
    if (gone || !s3::is_not_found(gone.error())) co_return "object still there after delete";
    if (gone.error().attempts != 1) co_return "a missing key was retried";
    co_return "ok";
  }());
  EXPECT_EQ(outcome, "ok");
  // The CRC-32C went with the PutObject; payloads were signed over plain http.
  const auto requests = fake.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].op, S3Op::put_object);
  EXPECT_EQ(requests[0].checksum, "crc32c");
  EXPECT_EQ(requests[0].payload_hash, sha256_hex(data));
  EXPECT_TRUE(observer.retries.empty());
  EXPECT_EQ(observer.done.size(), requests.size());
  EXPECT_GT(observer.bytes_sent, data.size());
}

TEST_F(S3ClientTest, HeadBucketAndMissingBucket) {
  auto client = make_client();
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    if (auto ok = co_await client.head_bucket("test-bucket"); !ok) {
      co_return "head bucket: " + ok.error().describe();
    }
    auto missing = co_await client.head_bucket("no-such-bucket");
    if (missing) co_return "missing bucket reported as present";
    co_return std::to_string(missing.error().http_status);
  }());
  EXPECT_EQ(outcome, "404");
}

TEST_F(S3ClientTest, OddKeysRoundTripThroughSignatureCheck) {
  auto client = make_client();
  const std::vector<std::string> keys = {
      "with space/file name.json",
      "unicode/caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC/\xF0\x9F\x98\x80.txt",
      "plus+equals=percent%tilde~",
      "bang!star*quote'paren(close)",
      "query?hash#amp&semicolon;colon:comma,at@dollar$",
      "deep/a//double-slash/trailing-dot.",
  };
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    for (const auto& key : keys) {
      auto put = co_await client.put_object("test-bucket", key, s3::make_body("data:" + key));
      if (!put) co_return "put " + key + ": " + put.error().describe();
    }
    auto all = co_await client.list_all_objects("test-bucket", "");
    if (!all) co_return "list: " + all.error().describe();
    if (all->size() != keys.size()) co_return "listed " + std::to_string(all->size());
    for (const auto& key : keys) {
      auto get = co_await client.get_object("test-bucket", key);
      if (!get) co_return "get " + key + ": " + get.error().describe();
      if (get->data != "data:" + key) co_return "data mismatch for " + key;
    }
    co_return "ok";
  }());
  EXPECT_EQ(outcome, "ok");
  // The fake decoded the paths back to exactly these keys.
  auto stored = fake.keys("test-bucket");
  auto expected = keys;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored, expected);
}

TEST_F(S3ClientTest, WrongSecretIsRejectedWithoutRetry) {
  auto client = s3::Client(io.get_executor(), test_config(fake),
                           s3::make_static_credentials(
                               {"AKIDTESTFAKE000001", "wrong-secret", "", std::nullopt}, "test"));
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().http_status, 403u);
  EXPECT_EQ(result.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(result.error().attempts, 1);
  EXPECT_NE(result.error().describe().find("Check the secret access key"), std::string::npos);
  EXPECT_EQ(result.error().describe().find("wrong-secret"), std::string::npos);
  EXPECT_EQ(fake.count(S3Op::put_object), 1u);
}

TEST_F(S3ClientTest, RetriesSlowDownThenSucceeds) {
  auto client = make_client();
  fake.inject(S3Op::put_object, Fault::slow_down(), 2);
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.count(S3Op::put_object), 3u);
  ASSERT_EQ(observer.retries.size(), 2u);
  EXPECT_EQ(observer.retries[0], "PutObject:SlowDown");
  ASSERT_TRUE(fake.object("test-bucket", "k"));
}

TEST_F(S3ClientTest, RetriesServerErrorsOfEveryRetryableKind) {
  auto client = make_client();
  fake.inject(S3Op::get_object, Fault::http_error(500, "InternalError"));
  fake.inject(S3Op::get_object, Fault::http_error(503, "ServiceUnavailable"));
  fake.inject(S3Op::get_object, Fault::http_error(429, "TooManyRequests"));
  fake.put_object("test-bucket", "k", "stored");
  auto result = run_on(io, client.get_object("test-bucket", "k"));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->data, "stored");
  EXPECT_EQ(fake.count(S3Op::get_object), 4u);
}

TEST_F(S3ClientTest, ResetWhileSendingTheBodyIsRetriedOnANewConnection) {
  auto client = make_client();
  fake.inject(S3Op::put_object, Fault::reset_request());
  const std::string data(256 * 1024, 'r');
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body(data)));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.object("test-bucket", "k")->data, data);
  EXPECT_EQ(fake.count(S3Op::put_object), 2u);
  // The reset connection was thrown away, not reused.
  EXPECT_EQ(fake.connections_accepted(), 2u);
  EXPECT_EQ(client.pool_stats().discarded, 1u);
  ASSERT_EQ(observer.retries.size(), 1u);
}

TEST_F(S3ClientTest, ResetMidResponseBodyIsRetried) {
  auto client = make_client();
  fake.put_object("test-bucket", "k", std::string(100000, 'g'));
  fake.inject(S3Op::get_object, Fault::reset_response());
  auto result = run_on(io, client.get_object("test-bucket", "k"));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->data.size(), 100000u);
  EXPECT_EQ(fake.count(S3Op::get_object), 2u);
  EXPECT_EQ(fake.connections_accepted(), 2u);
}

TEST_F(S3ClientTest, SlowResponseTimesOutAndIsRetried) {
  auto config = test_config(fake);
  config.timeouts.read = milliseconds(150);
  auto client = make_client(config);
  fake.inject(S3Op::put_object, Fault::slow_response(milliseconds(2000)));
  const auto started = std::chrono::steady_clock::now();
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.count(S3Op::put_object), 1u);  // the slow one is logged when it answers
  EXPECT_LT(elapsed, milliseconds(1500));       // did not wait for the slow answer
  ASSERT_EQ(observer.retries.size(), 1u);
  EXPECT_EQ(observer.retries[0], "PutObject:timeout");
}

TEST_F(S3ClientTest, SlowResponseOnAReusedConnectionIsATimeoutRetry) {
  // A silent server on a pooled keep-alive connection is a timeout like on a new one: counted,
  // logged and backed off as a retry, not taken for a connection the server had closed (which
  // is resent at once and for free).
  auto config = test_config(fake);
  config.timeouts.read = milliseconds(150);
  auto client = make_client(config);
  auto warm = run_on(io, client.put_object("test-bucket", "warm", s3::make_body("x")));
  ASSERT_TRUE(warm) << warm.error().describe();
  fake.inject(S3Op::put_object, Fault::slow_response(milliseconds(2000)));
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(client.pool_stats().reused, 1u);  // the slow answer was awaited on the pooled one
  ASSERT_EQ(observer.retries.size(), 1u);
  EXPECT_EQ(observer.retries[0], "PutObject:timeout");
}

TEST_F(S3ClientTest, ClientErrorsAreNotRetried) {
  auto client = make_client();
  fake.inject(S3Op::put_object, Fault::http_error(403, "AccessDenied"));
  fake.inject(S3Op::put_object, Fault::http_error(400, "InvalidArgument"));
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    auto denied = co_await client.put_object("test-bucket", "k", s3::make_body("x"));
    if (denied || denied.error().attempts != 1 || denied.error().code != "AccessDenied") {
      co_return "403 handled wrongly";
    }
    auto invalid = co_await client.put_object("test-bucket", "k", s3::make_body("x"));
    if (invalid || invalid.error().attempts != 1 || invalid.error().http_status != 400) {
      co_return "400 handled wrongly";
    }
    auto missing = co_await client.get_object("test-bucket", "nope");
    if (missing || !s3::is_not_found(missing.error()) || missing.error().code != "NoSuchKey" ||
        missing.error().attempts != 1) {
      co_return "404 handled wrongly";
    }
    co_return "ok";
  }());
  EXPECT_EQ(outcome, "ok");
  EXPECT_EQ(fake.count(S3Op::put_object), 2u);
  EXPECT_EQ(fake.count(S3Op::get_object), 1u);
  EXPECT_TRUE(observer.retries.empty());
}

TEST_F(S3ClientTest, GivesUpAtTheAttemptLimit) {
  auto config = test_config(fake);
  config.retry.max_attempts = 3;
  auto client = make_client(config);
  fake.inject(S3Op::put_object, Fault::http_error(503, "SlowDown"), 10);
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().attempts, 3);
  EXPECT_EQ(result.error().error, s3::make_error_code(s3::Errc::retries_exhausted));
  EXPECT_EQ(result.error().code, "SlowDown");
  EXPECT_EQ(fake.count(S3Op::put_object), 3u);
}

TEST_F(S3ClientTest, GivesUpAtTheDeadline) {
  auto config = test_config(fake);
  config.retry.max_attempts = 1000;
  config.retry.base_delay = milliseconds(20);
  config.retry.max_delay = milliseconds(40);
  config.retry.deadline = milliseconds(300);
  auto client = make_client(config);
  fake.inject(S3Op::put_object, Fault::http_error(500, "InternalError"), 1000);
  const auto started = std::chrono::steady_clock::now();
  auto result = run_on(io, client.put_object("test-bucket", "k", s3::make_body("x")));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().error, s3::make_error_code(s3::Errc::deadline_exceeded));
  EXPECT_GT(result.error().attempts, 2);
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST_F(S3ClientTest, ConnectionRefusedIsRetriedThenReported) {
  auto config = test_config(fake);
  fake.stop();  // nothing listens on the port any more
  config.retry.max_attempts = 2;
  auto client = make_client(config);
  auto result = run_on(io, client.head_bucket("test-bucket"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().attempts, 2);
  EXPECT_EQ(result.error().transport, asio::error::connection_refused);
  EXPECT_NE(result.error().describe().find("Nothing listens at the endpoint"), std::string::npos);
}

TEST_F(S3ClientTest, SequentialRequestsReuseOneConnection) {
  auto client = make_client();
  auto outcome = run_on(io, [&]() -> awaitable<bool> {
    for (int i = 0; i < 5; ++i) {
      auto put =
          co_await client.put_object("test-bucket", "k" + std::to_string(i), s3::make_body("x"));
      if (!put) co_return false;
    }
    co_return true;
  }());
  EXPECT_TRUE(outcome);
  EXPECT_EQ(fake.connections_accepted(), 1u);
  EXPECT_EQ(client.pool_stats().opened, 1u);
  EXPECT_EQ(client.pool_stats().reused, 4u);
  std::set<std::uint64_t> connections;
  for (const auto& record : fake.requests()) connections.insert(record.connection);
  EXPECT_EQ(connections.size(), 1u);
}

TEST_F(S3ClientTest, KeepAliveConnectionClosedByTheServerIsReplacedWithoutARetry) {
  auto config = test_config(fake);
  config.retry.max_attempts = 1;  // the resend must not need a retry
  auto client = make_client(config);
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    if (!co_await client.put_object("test-bucket", "a", s3::make_body("1"))) co_return "first";
    fake.close_connections();  // the pooled connection is now dead
    auto second = co_await client.put_object("test-bucket", "b", s3::make_body("2"));
    if (!second) co_return second.error().describe();
    co_return "ok";
  }());
  EXPECT_EQ(outcome, "ok");
  EXPECT_EQ(fake.connections_accepted(), 2u);
  EXPECT_TRUE(observer.retries.empty());
  EXPECT_EQ(client.pool_stats().discarded, 1u);
}

TEST_F(S3ClientTest, IdleConnectionsPastTheIdleTimeoutAreNotReused) {
  auto config = test_config(fake);
  config.idle_timeout = milliseconds(50);
  auto client = make_client(config);
  ASSERT_TRUE(run_on(io, client.put_object("test-bucket", "a", s3::make_body("1"))));
  io.run_for(milliseconds(120));  // the pooled connection ages past the idle timeout
  io.restart();
  ASSERT_TRUE(run_on(io, client.put_object("test-bucket", "b", s3::make_body("2"))));
  EXPECT_EQ(client.pool_stats().opened, 2u);
  EXPECT_EQ(client.pool_stats().reused, 0u);
}

TEST_F(S3ClientTest, HashingCanRunOnAnotherExecutor) {
  auto client = make_client();
  asio::thread_pool pool(1);
  client.set_hashing_executor(pool.get_executor());
  const std::string data(1024 * 1024, 'h');  // above the inline-hashing threshold
  auto result = run_on(io, client.put_object("test-bucket", "hashed", s3::make_body(data)));
  pool.join();
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.requests().at(0).payload_hash, sha256_hex(data));
  EXPECT_EQ(fake.requests().at(0).checksum, "crc32c");
}

// PutObject of the one-byte object "k<i>": whether it succeeded.
awaitable<bool> put_one_byte(s3::Client& client, int i) {
  auto put = co_await client.put_object("test-bucket", "k" + std::to_string(i), s3::make_body("x"));
  co_return static_cast<bool>(put);
}

TEST_F(S3ClientTest, ConcurrentRequestsAreBoundedByMaxConnections) {
  auto config = test_config(fake);
  config.max_connections = 2;
  auto client = make_client(config);
  fake.set_latency(S3Op::put_object, milliseconds(30));
  auto outcome = run_on(io, [&]() -> awaitable<bool> {
    using namespace asio::experimental::awaitable_operators;
    auto one = [&](int i) { return put_one_byte(client, i); };
    auto [a, b, c, d, e, f] = co_await (one(1) && one(2) && one(3) && one(4) && one(5) && one(6));
    co_return a&& b&& c&& d&& e&& f;
  }());
  EXPECT_TRUE(outcome);
  EXPECT_EQ(fake.max_in_flight(S3Op::put_object), 2);
  EXPECT_EQ(fake.connections_accepted(), 2u);
}

// A request waiting for one of s3.max_connections is signed when it gets one: its x-amz-date
// says when it went out, not when it began to wait (signed at the start, the second request
// below would arrive 2.5 s or more after its date). Its wait is reported apart from its
// duration (counted in it, the second request would last 5 s).
TEST_F(S3ClientTest, ARequestWaitingForAConnectionIsSignedAndTimedOnceItHasOne) {
  auto config = test_config(fake);
  config.max_connections = 1;
  config.timeouts.read = milliseconds(10000);
  auto client = make_client(config);
  fake.set_latency(S3Op::put_object, milliseconds(2500));
  auto outcome = run_on(io, [&]() -> awaitable<bool> {
    using namespace asio::experimental::awaitable_operators;
    auto one = [&](int i) { return put_one_byte(client, i); };
    auto [a, b] = co_await (one(1) && one(2));
    co_return a&& b;
  }());
  EXPECT_TRUE(outcome);
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    ASSERT_TRUE(request.signed_before_arrival.has_value()) << request.key;
    // x-amz-date has whole seconds: up to 1 s older than the signing, plus the send.
    EXPECT_LT(request.signed_before_arrival->count(), 2000)
        << request.key << " arrived " << request.signed_before_arrival->count()
        << " ms after its x-amz-date: it was signed before it waited for the connection";
  }
  // One request waited about as long as the other was held, and neither lasted much longer.
  ASSERT_EQ(observer.connection_waits.size(), 2u);
  const auto longest_wait =
      std::max(observer.connection_waits.at(0), observer.connection_waits.at(1));
  EXPECT_GE(longest_wait, milliseconds(2400));
  ASSERT_EQ(observer.durations.size(), 2u);
  for (const auto duration : observer.durations) {
    EXPECT_GE(duration, milliseconds(2400));
    EXPECT_LT(duration, milliseconds(4000)) << "the wait for the connection was counted in it";
  }
}

TEST_F(S3ClientTest, ListsPageByPageWithContinuationTokens) {
  auto client = make_client();
  for (int i = 0; i < 25; ++i) {
    fake.put_object("test-bucket", "logs/" + std::string(i < 10 ? "0" : "") + std::to_string(i),
                    "x");
  }
  fake.put_object("test-bucket", "logs/sub/a", "x");
  fake.put_object("test-bucket", "logs/sub/b", "x");
  fake.put_object("test-bucket", "other", "x");
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    auto first = co_await client.list_objects_v2("test-bucket", listing("logs/", "", "", 10));
    if (!first) co_return first.error().describe();
    if (first->contents.size() != 10 || !first->is_truncated) co_return "first page wrong";
    auto second = co_await client.list_objects_v2(
        "test-bucket", listing("logs/", "", first->next_continuation_token, 10));
    if (!second || second->contents.front().key != "logs/10") co_return "second page wrong";
    auto all = co_await client.list_all_objects("test-bucket", "logs/");
    if (!all || all->size() != 27) co_return "list_all_objects wrong";
    auto delimited = co_await client.list_objects_v2("test-bucket", listing("logs/", "/"));
    if (!delimited || delimited->contents.size() != 25 ||
        delimited->common_prefixes != std::vector<std::string>{"logs/sub/"}) {
      co_return "delimiter listing wrong";
    }
    co_return "ok";
  }());
  EXPECT_EQ(outcome, "ok");
}

TEST(FakeS3OwnThread, ServesFromItsOwnThread) {
  FakeS3 fake;  // its own io_context and thread
  asio::io_context io;
  s3::Client client(io.get_executor(), test_config(fake),
                    s3::make_static_credentials(test_credentials(), "test"));
  auto put = run_on(io, client.put_object("test-bucket", "k", s3::make_body("threaded")));
  ASSERT_TRUE(put) << put.error().describe();
  EXPECT_EQ(fake.object("test-bucket", "k")->data, "threaded");
  fake.close_connections();
  fake.stop();
  auto refused = run_on(io, client.head_bucket("test-bucket"));
  EXPECT_FALSE(refused);
}

}  // namespace
}  // namespace ks3::test

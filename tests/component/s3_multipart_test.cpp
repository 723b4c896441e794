// Multipart uploads against the strict fake S3: parts, limits, failures, aborts.
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "s3/client.hpp"
#include "s3/credentials_provider.hpp"
#include "s3/multipart_upload.hpp"
#include "tests/component/s3_test_support.hpp"

namespace ks3::test {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using s3::S3Error;
using s3::S3Result;
using std::chrono::milliseconds;

constexpr std::size_t kPart = s3::kMinPartSize;
// How long the fake holds each part in the limit tests: long enough that the parts meant to
// overlap do, however slowly the loop hashes and sends the next 5 MiB part (it serves the fake
// too). At 40 ms, a ThreadSanitizer run on a loaded CI machine saw only 2 of 3 in flight.
constexpr auto kOverlapLatency = std::chrono::milliseconds(400);
// And how long those tests may take: they move 30-45 MiB through the fake on the one loop,
// which under ThreadSanitizer, beside five other shards on 2 loaded cores, once took over the
// default 30 s. They are about limits, not speed (ctest still stops a component test at 120 s).
constexpr auto kLimitTestTime = std::chrono::seconds(90);

s3::SharedBody filled(std::size_t size, char c) {
  return s3::make_body(std::string(size, c));
}

class S3MultipartTest : public ::testing::Test {
 protected:
  S3MultipartTest() : fake(io.get_executor()) {}

  // Unsigned payloads keep the tests fast (no SHA-256 over every 5 MiB part on both sides);
  // the upload checksum still protects every part.
  s3::Client& client(s3::MultipartLimits limits = {},
                     s3::UploadChecksum checksum = s3::UploadChecksum::crc32c) {
    auto config = test_config(fake);
    config.payload_signing = s3::PayloadSigning::unsigned_payload;
    config.checksum = checksum;
    // No test here is about timeouts, and several count requests exactly: a 5 MiB part under
    // ThreadSanitizer on a loaded machine took longer than the 2 s default of the tests and
    // was sent twice (5 UploadParts instead of 4).
    config.timeouts.write = config.timeouts.read = std::chrono::seconds(20);
    client_.emplace(io.get_executor(), config,
                    s3::make_static_credentials(test_credentials(), "test"), &observer);
    uploads_.emplace(*client_, limits);
    return *client_;
  }
  s3::MultipartUploads& uploads() { return *uploads_; }
  void uploads_parts_in_order(s3::UploadChecksum checksum);

  // Runs the io_context until the fake has no open upload (a background abort) or time is up.
  void run_until_no_open_uploads() {
    for (int i = 0; i < 200 && fake.open_uploads() > 0; ++i) {
      io.run_for(milliseconds(10));
    }
    io.restart();
  }

  asio::io_context io;
  FakeS3 fake;
  RecordingObserver observer;
  std::optional<s3::Client> client_;
  std::optional<s3::MultipartUploads> uploads_;
};

TEST_F(S3MultipartTest, ObjectWithoutPartsIsOnePutObject) {
  client();
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "small.jsonl", "application/x-ndjson");
    co_return co_await upload.complete(s3::make_body("{\"a\":1}\n"));
  }());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.count(S3Op::put_object), 1u);
  EXPECT_EQ(fake.count(S3Op::create_multipart_upload), 0u);
  EXPECT_EQ(fake.object("test-bucket", "small.jsonl")->content_type, "application/x-ndjson");
  EXPECT_EQ(observer.parts_ok, 1);
}

// Run with each upload checksum: the fake refuses a CRC-32C upload whose parts or Complete lack
// their checksums, and a part whose body does not match either header.
void S3MultipartTest::uploads_parts_in_order(s3::UploadChecksum checksum) {
  client({}, checksum);
  const auto a = filled(kPart, 'a');
  const auto b = filled(kPart + 1, 'b');
  const auto c = filled(kPart, 'c');
  const auto last = filled(1000, 'z');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "big object", "text/plain");
    for (const auto& part : {a, b, c}) {
      if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    }
    co_return co_await upload.complete(last);
  }());
  ASSERT_TRUE(result) << result.error().describe();
  const auto stored = fake.object("test-bucket", "big object");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->data, *a + *b + *c + *last);
  EXPECT_EQ(stored->content_type, "text/plain");
  EXPECT_EQ(result->etag, stored->etag);
  EXPECT_TRUE(stored->etag.ends_with("-4\""));
  EXPECT_EQ(fake.count(S3Op::create_multipart_upload), 1u);
  EXPECT_EQ(fake.count(S3Op::upload_part), 4u);
  EXPECT_EQ(fake.count(S3Op::complete_multipart_upload), 1u);
  EXPECT_EQ(fake.open_uploads(), 0u);
  for (const auto& record : fake.requests()) {
    if (record.op == S3Op::upload_part) {
      EXPECT_EQ(record.checksum, s3::to_string(checksum));
    }
  }
  EXPECT_EQ(observer.uploads_in_flight, 0);
  EXPECT_EQ(observer.parts_in_flight, 0);
  EXPECT_EQ(observer.parts_ok, 4);
}

TEST_F(S3MultipartTest, PartsAreUploadedAndCompletedInOrderWithCrc32c) {
  uploads_parts_in_order(s3::UploadChecksum::crc32c);
}

TEST_F(S3MultipartTest, PartsAreUploadedAndCompletedInOrderWithContentMd5) {
  uploads_parts_in_order(s3::UploadChecksum::md5);
}

TEST_F(S3MultipartTest, PerObjectInFlightLimitIsRespected) {
  client({.max_parts_in_flight = 10, .max_parts_in_flight_per_object = 2});
  fake.set_latency(S3Op::upload_part, kOverlapLatency);
  const auto part = filled(kPart, 'p');
  std::size_t max_seen = 0;
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "limited", "");
    for (int i = 0; i < 6; ++i) {
      if (auto added = co_await upload.add_part(part); !added) co_return added.error();
      max_seen = std::max(max_seen, uploads().parts_in_flight());
    }
    co_return co_await upload.complete(nullptr);
  }(), kLimitTestTime);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.max_in_flight(S3Op::upload_part), 2);
  EXPECT_EQ(observer.max_parts_in_flight, 2);
  EXPECT_EQ(max_seen, 2u);
  EXPECT_EQ(fake.object("test-bucket", "limited")->data.size(), 6 * kPart);
}

TEST_F(S3MultipartTest, GlobalInFlightLimitIsSharedByAllUploads) {
  client({.max_parts_in_flight = 3, .max_parts_in_flight_per_object = 4});
  fake.set_latency(S3Op::upload_part, kOverlapLatency);
  const auto part = filled(kPart, 'g');
  auto ok = run_on(io, [&]() -> awaitable<bool> {
    using namespace asio::experimental::awaitable_operators;
    auto one = [&](std::string key) -> awaitable<bool> {
      auto upload = uploads().open("test-bucket", key, "");
      for (int i = 0; i < 3; ++i) {
        if (!co_await upload.add_part(part)) co_return false;
      }
      co_return static_cast<bool>(co_await upload.complete(nullptr));
    };
    auto [x, y, z] = co_await (one("x") && one("y") && one("z"));
    co_return x&& y&& z;
  }(), kLimitTestTime);
  EXPECT_TRUE(ok);
  EXPECT_EQ(fake.max_in_flight(S3Op::upload_part), 3);
  EXPECT_EQ(fake.keys("test-bucket").size(), 3u);
  EXPECT_EQ(uploads().parts_in_flight(), 0u);
}

// Callers that close many objects at once take a completion slot before complete(): at most
// max_completing objects complete at a time, whatever the client's connections (8 here).
TEST_F(S3MultipartTest, CompletionSlotsBoundTheObjectsCompletingAtOnce) {
  client({.max_parts_in_flight = 8, .max_parts_in_flight_per_object = 4, .max_completing = 2});
  fake.set_latency(S3Op::put_object, kOverlapLatency);
  int waited = 0;
  auto ok = run_on(io, [&]() -> awaitable<bool> {
    using namespace asio::experimental::awaitable_operators;
    auto one = [&](std::string key) -> awaitable<bool> {
      auto upload = uploads().open("test-bucket", key, "");
      auto slot = co_await upload.completion_slot();
      if (!slot) co_return false;
      ++waited;
      co_return static_cast<bool>(co_await upload.complete(s3::make_body(key)));
    };
    auto [a, b, c, d, e, f] = co_await (one("a") && one("b") && one("c") && one("d") &&
                                        one("e") && one("f"));
    co_return a&& b&& c&& d&& e&& f;
  }(), kLimitTestTime);
  EXPECT_TRUE(ok);
  EXPECT_EQ(waited, 6);
  EXPECT_EQ(fake.max_in_flight(S3Op::put_object), 2);
  EXPECT_EQ(fake.keys("test-bucket").size(), 6u);
}

TEST_F(S3MultipartTest, RetriedPartsStillComplete) {
  client();
  fake.inject(S3Op::upload_part, Fault::slow_down(), 2);
  fake.inject(S3Op::create_multipart_upload, Fault::http_error(500, "InternalError"));
  const auto part = filled(kPart, 'r');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "retried", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(s3::make_body("tail"));
  }());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.object("test-bucket", "retried")->data, *part + "tail");
  EXPECT_EQ(fake.count(S3Op::upload_part), 4u);
  EXPECT_EQ(fake.open_uploads(), 0u);
}

TEST_F(S3MultipartTest, FailedPartAbortsTheUpload) {
  client();
  fake.inject(S3Op::upload_part, Fault::http_error(403, "AccessDenied"));
  const auto part = filled(kPart, 'f');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "denied", "");
    for (int i = 0; i < 3; ++i) {
      if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    }
    co_return co_await upload.complete(nullptr);
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "AccessDenied");
  EXPECT_EQ(result.error().operation, "UploadPart");
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_EQ(fake.count(S3Op::complete_multipart_upload), 0u);
  EXPECT_EQ(fake.open_uploads(), 0u);
  EXPECT_FALSE(fake.object("test-bucket", "denied"));
  EXPECT_EQ(observer.uploads_in_flight, 0);
}

TEST_F(S3MultipartTest, CompleteAnswering200WithErrorIsRetried) {
  client();
  fake.inject(S3Op::complete_multipart_upload, Fault::error_in_200("InternalError"));
  const auto part = filled(kPart, 'e');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "error-in-200", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(nullptr);
  }());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.count(S3Op::complete_multipart_upload), 2u);
  EXPECT_TRUE(fake.object("test-bucket", "error-in-200"));
  EXPECT_EQ(fake.open_uploads(), 0u);
}

TEST_F(S3MultipartTest, Permanent200WithErrorOnCompleteFailsAndAborts) {
  client();
  fake.inject(S3Op::complete_multipart_upload, Fault::error_in_200("InvalidPart"));
  const auto part = filled(kPart, 'e');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "bad-complete", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(nullptr);
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidPart");
  EXPECT_EQ(result.error().http_status, 200u);
  EXPECT_EQ(fake.count(S3Op::complete_multipart_upload), 1u);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_EQ(fake.open_uploads(), 0u);
}

TEST_F(S3MultipartTest, NoSuchUploadOnARetriedCompleteFallsBackToHead) {
  client();
  // The first Complete completes the upload but its answer is lost (connection reset).
  fake.inject(S3Op::complete_multipart_upload, Fault::reset_response());
  const auto part = filled(kPart, 'h');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "lost-answer", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(s3::make_body("end"));
  }());
  ASSERT_TRUE(result) << result.error().describe();
  const auto requests = fake.requests();
  std::vector<std::string> complete_codes;
  for (const auto& r : requests) {
    if (r.op == S3Op::complete_multipart_upload) complete_codes.push_back(r.error_code);
  }
  ASSERT_EQ(complete_codes.size(), 2u);
  EXPECT_EQ(complete_codes[1], "NoSuchUpload");
  EXPECT_EQ(fake.count(S3Op::head_object), 1u);
  EXPECT_EQ(result->etag, fake.object("test-bucket", "lost-answer")->etag);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 0u);
}

// A CreateMultipartUpload applied whose answer was lost leaves an upload nobody knows the id
// of; once the object is complete the upload lists the key's uploads and aborts that stray.
TEST_F(S3MultipartTest, AnUploadCreatedByALostAnswerIsAbortedAfterTheComplete) {
  client();
  fake.inject(S3Op::create_multipart_upload, Fault::reset_response());
  const auto part = filled(kPart, 's');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "dir=a b/stray", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(s3::make_body("end"));
  }());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(fake.count(S3Op::create_multipart_upload), 2u);
  EXPECT_EQ(fake.count(S3Op::list_multipart_uploads), 1u);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_EQ(fake.open_uploads(), 0u);
  EXPECT_EQ(fake.object("test-bucket", "dir=a b/stray")->data, *part + "end");
}

// Listing needs s3:ListBucketMultipartUploads: without it the object still completes (the stray
// stays for a lifecycle rule), and an upload created at the first request lists nothing.
TEST_F(S3MultipartTest, StrayCleanupIsBestEffortAndOnlyAfterARepeatedCreate) {
  client();
  fake.inject(S3Op::create_multipart_upload, Fault::reset_response());
  fake.inject(S3Op::list_multipart_uploads, Fault::http_error(403, "AccessDenied"));
  const auto part = filled(kPart, 'd');
  auto run = [&](std::string key) {
    return run_on(io, [&, key]() -> awaitable<S3Result<s3::PutObjectResult>> {
      auto upload = uploads().open("test-bucket", key, "");
      if (auto added = co_await upload.add_part(part); !added) co_return added.error();
      co_return co_await upload.complete(nullptr);
    }());
  };
  auto denied = run("denied");
  ASSERT_TRUE(denied) << denied.error().describe();
  EXPECT_EQ(fake.count(S3Op::list_multipart_uploads), 1u);
  EXPECT_EQ(fake.open_uploads(), 1u);  // the stray
  auto clean = run("clean");
  ASSERT_TRUE(clean) << clean.error().describe();
  EXPECT_EQ(fake.count(S3Op::list_multipart_uploads), 1u);  // no new listing
}

TEST_F(S3MultipartTest, NoSuchUploadOnTheFirstCompleteIsAFailure) {
  client();
  fake.inject(S3Op::complete_multipart_upload, Fault::http_error(404, "NoSuchUpload"));
  const auto part = filled(kPart, 'n');
  auto result = run_on(io, [&]() -> awaitable<S3Result<s3::PutObjectResult>> {
    auto upload = uploads().open("test-bucket", "gone", "");
    if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    co_return co_await upload.complete(nullptr);
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "NoSuchUpload");
  EXPECT_EQ(fake.count(S3Op::head_object), 0u);
  EXPECT_EQ(fake.open_uploads(), 0u);  // aborted after the failure
}

TEST_F(S3MultipartTest, TooSmallPartIsRefusedBeforeAnythingIsSent) {
  client();
  auto result = run_on(io, [&]() -> awaitable<S3Result<void>> {
    auto upload = uploads().open("test-bucket", "small-part", "");
    co_return co_await upload.add_part(filled(kPart - 1, 's'));
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().error, s3::make_error_code(s3::Errc::invalid_argument));
  EXPECT_NE(result.error().describe().find("5 MiB"), std::string::npos);
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(S3MultipartTest, UnfinishedUploadIsAbortedWhenDestroyed) {
  client();
  const auto part = filled(kPart, 'd');
  auto added = run_on(io, [&]() -> awaitable<bool> {
    auto upload = uploads().open("test-bucket", "dropped", "");
    co_return static_cast<bool>(co_await upload.add_part(part));
    // `upload` goes out of scope unfinished here.
  }());
  ASSERT_TRUE(added);
  run_until_no_open_uploads();
  EXPECT_EQ(fake.open_uploads(), 0u);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_EQ(fake.aborted_uploads(), 1u);
}

TEST_F(S3MultipartTest, AbortCancelsPartsInFlight) {
  client();
  fake.set_latency(S3Op::upload_part, milliseconds(3000));
  const auto part = filled(kPart, 'c');
  const auto started = std::chrono::steady_clock::now();
  auto aborted = run_on(io, [&]() -> awaitable<S3Result<void>> {
    auto upload = uploads().open("test-bucket", "cancelled", "");
    for (int i = 0; i < 2; ++i) {
      if (auto added = co_await upload.add_part(part); !added) co_return added.error();
    }
    co_return co_await upload.abort();
  }());
  ASSERT_TRUE(aborted) << aborted.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2000));
  EXPECT_EQ(fake.open_uploads(), 0u);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_EQ(observer.parts_in_flight, 0);
  EXPECT_EQ(observer.uploads_in_flight, 0);
}

TEST_F(S3MultipartTest, CancelledCallerLeavesNoUploadBehind) {
  client();
  fake.set_latency(S3Op::upload_part, milliseconds(2000));
  const auto part = filled(kPart, 'x');
  const auto started = std::chrono::steady_clock::now();
  auto outcome = run_on(io, [&]() -> awaitable<std::string> {
    using namespace asio::experimental::awaitable_operators;
    auto write_object = [&]() -> awaitable<bool> {
      auto upload = uploads().open("test-bucket", "interrupted", "");
      if (!co_await upload.add_part(part)) co_return false;
      co_return static_cast<bool>(co_await upload.complete(s3::make_body("end")));
    };
    asio::steady_timer deadline(io, milliseconds(100));
    auto winner = co_await (write_object() || deadline.async_wait(asio::use_awaitable));
    co_return winner.index() == 1 ? "deadline" : "upload finished";
  }());
  EXPECT_EQ(outcome, "deadline");
  run_until_no_open_uploads();
  EXPECT_EQ(fake.open_uploads(), 0u);
  EXPECT_EQ(fake.count(S3Op::abort_multipart_upload), 1u);
  EXPECT_FALSE(fake.object("test-bucket", "interrupted"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1800));
}

TEST(PartSize, StaysWithinS3Limits) {
  constexpr std::size_t kMiB = 1024 * 1024;
  EXPECT_EQ(s3::part_size_for(0, 0), 5 * kMiB);
  EXPECT_EQ(s3::part_size_for(100 * kMiB, 8 * kMiB), 8 * kMiB);
  // 100 GiB in 8 MiB parts would be 12,800 parts: the part size grows to stay within 10,000.
  const std::uint64_t big = 100ull * 1024 * kMiB;
  const std::size_t size = s3::part_size_for(big, 8 * kMiB);
  EXPECT_GT(size, 8 * kMiB);
  EXPECT_LE((big + size - 1) / size, 10000u);
  EXPECT_EQ(size % kMiB, 0u);
  EXPECT_EQ(s3::part_size_for(std::uint64_t{1} << 50, 0), s3::kMaxPartSize);
}

}  // namespace
}  // namespace ks3::test

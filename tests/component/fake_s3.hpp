// A strict in-process fake S3 for component tests: a Beast HTTP(S) server on 127.0.0.1, port 0,
// serving an in-memory store (fake_s3_store.hpp) that enforces S3's rules, with fault
// injection per request type and a log of every request (so a test can assert that an Abort
// was sent, how many attempts were made, how many parts were in flight at once, and how many
// TCP connections were used).
//
//   ks3::test::FakeS3 s3(io.get_executor());           // serves on the test's io_context
//   s3.inject(S3Op::upload_part, Fault::slow_down());  // the next UploadPart answers 503
//   ... run the client against s3.endpoint() ...
//   EXPECT_EQ(s3.open_uploads(), 0u);
//
// Strictness beyond the store: the request path must be SigV4-canonical (encoded once,
// uppercase hex), x-amz-content-sha256 must match the body unless UNSIGNED-PAYLOAD, and, when
// credentials are given, the SigV4 signature is recomputed from the request as received.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3/credentials.hpp"
#include "tests/component/fake_s3_store.hpp"

namespace ks3::test {

struct Fault {
  enum class Kind {
    http_error,      // answer `status` with an <Error><Code>code</Code>
    error_in_200,    // answer 200 whose body is an <Error> (CompleteMultipartUpload does so)
    reset_request,   // drop the connection (TCP RST) while the request body arrives
    reset_response,  // apply the request, then drop the connection halfway through the answer
    slow_response,   // apply the request, then wait `delay` before answering
  };
  Kind kind = Kind::http_error;
  unsigned status = 503;
  std::string code = "SlowDown";
  std::chrono::milliseconds delay{0};
  // Apply the request to the store before answering with the fault: a success whose answer
  // was lost (e.g. a Complete that did complete, so the retry finds NoSuchUpload).
  bool apply_first = false;

  static Fault http_error(unsigned status, std::string code);
  static Fault slow_down() { return http_error(503, "SlowDown"); }
  static Fault error_in_200(std::string code = "InternalError");
  static Fault reset_request();
  static Fault reset_response();
  static Fault slow_response(std::chrono::milliseconds delay);
  Fault applied() const {
    Fault copy = *this;
    copy.apply_first = true;
    return copy;
  }
};

struct RequestRecord {
  S3Op op = S3Op::unknown;
  std::string method;
  std::string target;  // as received
  std::string bucket;
  std::string key;  // decoded
  std::string upload_id;
  int part_number = 0;
  unsigned status = 0;     // 0: no answer (connection dropped)
  std::string error_code;  // S3 Code of an error answer
  std::string fault;       // the injected fault, if any
  std::uint64_t connection = 0;
  std::size_t body_size = 0;
  std::string checksum;      // the body's integrity header: "crc32c", "md5" or "" (none)
  std::string payload_hash;  // x-amz-content-sha256
  // How long before its head arrived the request was signed (x-amz-date, whole seconds, so
  // up to 1 s more than it was); empty without a readable x-amz-date.
  std::optional<std::chrono::milliseconds> signed_before_arrival;
};

struct FakeS3Options {
  std::string bucket = "test-bucket";  // created at start
  // When set, the SigV4 signature of every request is checked (403 SignatureDoesNotMatch).
  std::optional<s3::Credentials> credentials;
  std::string region = "us-east-1";
  // Serve HTTPS with this PEM certificate (chain) and private key; empty: plain HTTP.
  std::string tls_certificate_pem;
  std::string tls_private_key_pem;
  std::size_t max_body = 64 * 1024 * 1024;
};

class FakeS3 {
 public:
  // Serves on `executor` (the test's io_context): single-threaded with the client.
  explicit FakeS3(boost::asio::any_io_executor executor, FakeS3Options options = {});
  // Serves on its own thread (for tests whose loop blocks or that run several loops).
  explicit FakeS3(FakeS3Options options = {});
  ~FakeS3();
  FakeS3(const FakeS3&) = delete;
  FakeS3& operator=(const FakeS3&) = delete;

  std::uint16_t port() const;
  std::string endpoint() const;  // "http://127.0.0.1:<port>" (https when TLS)
  // Closes the listener and every open connection.
  void stop();
  // Closes every open connection (as a server does with idle keep-alive connections) but
  // keeps listening.
  void close_connections();

  // The next `times` requests of type `op` get `fault`.
  void inject(S3Op op, Fault fault, int times = 1);
  // Every request of type `op` waits this long before it is applied and answered (lets
  // concurrency build up so in-flight limits are observable).
  void set_latency(S3Op op, std::chrono::milliseconds latency);

  void create_bucket(const std::string& bucket);
  void put_object(const std::string& bucket, const std::string& key, std::string data);
  std::optional<StoredObject> object(const std::string& bucket, const std::string& key) const;
  std::vector<std::string> keys(const std::string& bucket) const;
  std::size_t open_uploads() const;
  std::size_t completed_uploads() const;
  std::size_t aborted_uploads() const;

  std::vector<RequestRecord> requests() const;
  std::size_t count(S3Op op) const;
  // The most requests of type `op` that were being processed at the same time.
  int max_in_flight(S3Op op) const;
  std::size_t connections_accepted() const;
  std::size_t tls_handshake_failures() const;
  void clear_log();

  struct State;

 private:
  struct Runner;
  void start();
  std::shared_ptr<State> state_;
  std::unique_ptr<Runner> runner_;  // set when serving on its own thread
};

}  // namespace ks3::test

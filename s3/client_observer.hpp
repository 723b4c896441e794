// A probe on the S3 client: the metrics wiring implements it (the client has no metrics
// dependency). Called on the io_context's thread; implementations must be cheap and must not
// throw. Every method has a no-op default so an implementation picks what it needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace ks3::s3 {

class ClientObserver {
 public:
  virtual ~ClientObserver() = default;

  // One HTTP attempt of `operation` ("PutObject", "UploadPart", ...) ended. http_status is 0
  // when no response was read (connect failure, timeout, reset). Bytes are on the wire,
  // headers included. The duration starts once the attempt had one of max_connections (a
  // connect included), so it does not count the wait for one: on_connection_wait does.
  virtual void on_request_done(std::string_view /*operation*/, unsigned /*http_status*/,
                               std::chrono::nanoseconds /*duration*/, std::uint64_t /*bytes_sent*/,
                               std::uint64_t /*bytes_received*/) {}

  // An attempt waited this long for one of max_connections (reported before its
  // on_request_done; not for an attempt cancelled while it waited).
  virtual void on_connection_wait(std::chrono::nanoseconds /*waited*/) {}

  // An attempt failed and will be retried; reason is an S3 Code ("SlowDown"), "http_503" or a
  // transport reason ("timeout", "connection_reset", ...): a short label, no free text.
  virtual void on_retry(std::string_view /*operation*/, std::string_view /*reason*/) {}

  // Multipart uploads open and parts in flight went up or down by delta.
  virtual void on_uploads_in_flight(int /*delta*/) {}
  virtual void on_parts_in_flight(int /*delta*/) {}

  // One part (UploadPart, or the PutObject of a one-part object) finished with its duration,
  // retries included.
  virtual void on_part_uploaded(std::chrono::nanoseconds /*duration*/, std::uint64_t /*bytes*/,
                                bool /*ok*/) {}
};

}  // namespace ks3::s3

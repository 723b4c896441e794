// Streaming object upload: parts go out as UploadPart of a multipart upload created on the
// first part, in parallel up to a per-object and a global in-flight limit; an object that
// never needed a part goes out as one PutObject.
//
//   s3::MultipartUploads uploads(client, {.max_parts_in_flight = 16});   // one per process
//   s3::MultipartUpload upload = uploads.open(bucket, key, "application/x-ndjson");
//   co_await upload.add_part(full_part);       // waits for a slot: this is the backpressure
//   ...
//   auto done = co_await upload.complete(last_bytes);  // PutObject or CompleteMultipartUpload
//
// Rules kept here so S3 never rejects the Complete: "Each part must be at least 5 MB in size,
// except the last part" (add_part refuses smaller parts), "Part numbers can be any number from
// 1 to 10,000" (part_size_for() picks a part size that stays within them), ETags recorded in
// slots reserved in part order (complete() refuses to run with an empty slot).
//
// Failures: the first failed part (after the client's retries) is reported by the next
// add_part() or by complete(); the upload is then aborted: in-flight parts are cancelled and
// awaited, then AbortMultipartUpload is sent. An upload destroyed unfinished is aborted in the
// background. So no multipart upload is left behind after a failure (a crash can still leave
// one: the README recommends a lifecycle rule for incomplete uploads).
//
// Cancelling the coroutine that awaits add_part() or complete() fails the upload; it is then
// aborted (by the failing call, or in the background when the MultipartUpload is destroyed).
//
// One io_context thread. An upload keeps what it needs of the Client and the MultipartUploads
// alive, so they may go first; the io_context must keep running until background aborts end
// (and a ClientObserver given to the Client must outlive them). Calls on one upload are
// sequential (await one before the next), except abort(), which may be called while an
// add_part() or complete() is waiting.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "s3/async_semaphore.hpp"
#include "s3/client.hpp"

namespace ks3::s3 {

// "5 MiB to 5 GiB. There is no minimum size limit on the last part of your multipart upload."
inline constexpr std::size_t kMinPartSize = std::size_t{5} * 1024 * 1024;
inline constexpr std::size_t kMaxPartSize = std::size_t{5} * 1024 * 1024 * 1024;
inline constexpr int kMaxParts = 10000;

// The part size to use for an object expected to reach `expected_object_size` bytes: the
// preferred size, raised to 5 MiB and to what keeps the object within 10,000 parts (rounded
// up to a whole MiB), at most 5 GiB.
std::size_t part_size_for(std::uint64_t expected_object_size, std::size_t preferred_part_size);

struct MultipartLimits {
  // Parts being uploaded at once, all uploads together (bounds memory and connections).
  std::size_t max_parts_in_flight = 16;
  // Parts being uploaded at once for one object.
  std::size_t max_parts_in_flight_per_object = 4;
  // Objects completing at once, all uploads together (MultipartUpload::completion_slot()). A
  // PutObject takes no part slot, so this is what bounds single-request objects; set it to the
  // client's connection count, or it caps their throughput.
  std::size_t max_completing = 64;
};

class MultipartUpload;

// Creates uploads that share the global in-flight limit.
class MultipartUploads {
 public:
  MultipartUploads(Client& client, MultipartLimits limits);
  MultipartUploads(const MultipartUploads&) = delete;
  MultipartUploads& operator=(const MultipartUploads&) = delete;

  // The settings (object_settings.hpp) go with the CreateMultipartUpload, or with the PutObject
  // of an object that never needed a part.
  MultipartUpload open(std::string bucket, std::string key, std::string content_type = {},
                       ObjectSettings settings = {});

  const MultipartLimits& limits() const { return limits_; }
  std::size_t parts_in_flight() const;  // all uploads together

 private:
  Client& client_;
  MultipartLimits limits_;
  std::shared_ptr<AsyncSemaphore> global_slots_;
  std::shared_ptr<AsyncSemaphore> completion_slots_;
};

class MultipartUpload {
 public:
  MultipartUpload(MultipartUpload&&) noexcept;
  MultipartUpload& operator=(MultipartUpload&&) noexcept;
  // An unfinished upload (not completed, not aborted) is aborted in the background.
  ~MultipartUpload();

  // Schedules one part (not the last: at least 5 MiB), creating the multipart upload on the
  // first call. Returns once the part has an in-flight slot (waiting while the per-object or
  // the global limit is reached), not when it is uploaded. Returns the first failure of an
  // earlier part (and aborts the upload), or an invalid_argument error for a part that is too
  // small or past part 10,000 (the upload is aborted then too).
  boost::asio::awaitable<S3Result<void>> add_part(SharedBody part);

  // Finishes the object with `last` (may be null or empty). If no part was added, the object
  // is one PutObject of `last`. Otherwise `last` (if not empty) becomes the last part, every
  // part is awaited, and CompleteMultipartUpload is sent; on any failure the upload is aborted
  // and the first error returned.
  boost::asio::awaitable<S3Result<PutObjectResult>> complete(SharedBody last);

  // Waits for one of the completion slots all uploads share (MultipartLimits::max_completing)
  // and returns it; nullopt if the wait was cancelled. complete() does not take one itself: a
  // caller that closes many objects at once (thousands, when objects are keyed by a field)
  // takes a slot first and holds it through complete(). The objects beyond the limit then wait
  // holding only their own state, not a request built, signed and queued in the client with
  // the coroutine frames under it (about 9 KB each, measured).
  boost::asio::awaitable<std::optional<SemaphorePermit>> completion_slot();

  // Cancels in-flight parts, waits for them, and aborts the multipart upload if one was
  // created. Idempotent; after it, add_part() and complete() fail.
  boost::asio::awaitable<S3Result<void>> abort();

  const std::string& bucket() const;
  const std::string& key() const;
  const std::string& upload_id() const;  // empty until the first part
  int parts_added() const;
  std::uint64_t bytes_added() const;
  bool finished() const;  // completed or aborted

  struct State;

 private:
  friend class MultipartUploads;
  explicit MultipartUpload(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace ks3::s3

// One open object: records go into its ObjectBuffer; every full part is queued and uploaded
// (a multipart upload created with the first part); at the cut the last bytes are finished and
// the object completes: PutObject when it never needed a part, else CompleteMultipartUpload.
//
// A coroutine per object does the S3 calls in order (the upload's calls are sequential). Before
// the final call it waits for the partition's journal gate (PartitionState::may_complete), so an
// object exists in S3 only when a replay would cut it the same way. Aborting (revoke, shutdown
// deadline, journal failure) cancels the upload; nothing half-written stays visible.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "s3/multipart_upload.hpp"
#include "server/pipeline/async_condition.hpp"
#include "server/pipeline/memory_account.hpp"
#include "server/format/object_buffer.hpp"
#include "server/pipeline/partition_runtime.hpp"
#include "server/format/record_encoder.hpp"
#include "server/delivery/rotation.hpp"

namespace ks3::server {

struct ObjectSummary {
  std::string key;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  std::uint64_t records = 0;
  std::uint64_t uncompressed_bytes = 0;
  std::uint64_t compressed_bytes = 0;
  std::uint32_t parts = 0;
  std::int64_t oldest_timestamp_ms = -1;  // oldest record time in the object, -1 if none
  SteadyTime opened_at{};
  CutReason reason = CutReason::none;
  bool dead_letter = false;
};

enum class ObjectOutcome { completed, aborted, failed };

class ObjectWriter : public std::enable_shared_from_this<ObjectWriter> {
 public:
  using Done = std::function<void(ObjectWriter&, ObjectOutcome, const std::string& error)>;

  ObjectWriter(boost::asio::any_io_executor executor, s3::MultipartUploads& uploads,
               std::string bucket, std::string content_type, ObjectSummary summary,
               ObjectBuffer buffer, std::shared_ptr<MemoryAccount> memory,
               std::shared_ptr<PartitionRuntime> partition, Done done);

  // Starts the coroutine that uploads parts and completes or aborts the object.
  void start();

  // Appends one encoded record (at `offset`, with Kafka timestamp `timestamp_ms`).
  void append(std::string_view encoded, std::int64_t offset, std::int64_t timestamp_ms);

  // The segment closed: finish the stream; complete once the journal gate allows.
  void close(const ClosedSegment& segment, CutReason reason);

  // Abandon the object: cancel its upload (idempotent).
  void abort();

  const ObjectSummary& summary() const { return summary_; }
  const ClosedSegment& segment() const { return segment_; }
  std::uint64_t buffered_bytes() const { return accounted_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> wait_for_gate();
  void account();  // brings the memory account in line with the buffer
  void queue_full_parts();
  void finish(ObjectOutcome outcome, const std::string& error);

  boost::asio::any_io_executor executor_;
  s3::MultipartUpload upload_;
  ObjectSummary summary_;
  ObjectBuffer buffer_;
  std::shared_ptr<MemoryAccount> memory_;
  std::shared_ptr<PartitionRuntime> partition_;
  Done done_;
  AsyncCondition wake_;
  std::deque<s3::SharedBody> parts_;
  s3::SharedBody last_;
  ClosedSegment segment_;
  std::uint64_t accounted_ = 0;  // buffered bytes counted in the memory account
  bool closing_ = false;
  bool aborting_ = false;
  bool finished_ = false;
};

// Content type of objects: by format, or by compression when compressed.
std::string object_content_type(OutputFormat format, Compression compression);

}  // namespace ks3::server

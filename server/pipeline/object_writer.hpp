// One open object: records go into its ObjectBuffer; whole blocks go to the worker pool to be
// compressed and come back in order; every full part is queued and uploaded (a multipart upload
// created with the first part); at the cut the last block is compressed and the object
// completes: PutObject when it never needed a part, else CompleteMultipartUpload.
//
// Lifecycle (ObjectPhase): open (records arrive) -> closing (cut: the last blocks are being
// compressed) -> completing (every byte known: the remaining parts upload, the final call waits
// for the partition's journal gate, PartitionState::may_complete) -> done. Any phase but done can
// go to aborting (revoke, shutdown deadline, journal failure): the upload is cancelled, nothing
// half-written stays visible, and the object is done with ObjectOutcome::aborted. A failure (S3
// gave up, a compression job threw) ends in done with ObjectOutcome::failed.
//
// Parquet and Avro container files (format.type parquet, avro): the object also has a body
// (ObjectBody: ParquetObject, AvroObject) behind BodyJobs. The loop collects the records in a
// batch; each full batch is a body job on the worker pool (the encoding: shredding,
// dictionaries, statistics, page or block compression), one job of the object at a time (the
// body is stateful); at the cut the last job adds the rest and finishes the file (footer
// included: a few hundred bytes of metadata on the worker with the rest, not worth a trip of its
// own). The file bytes a job hands back (closed row groups or blocks) go into the ObjectBuffer,
// whose compression is none (these formats compress inside the file), and from there the same
// way to parts.
//
// Order: compression and body jobs carry sequence numbers (OrderedResults); results are applied
// in that order, so the records keep their order however many workers run the object's jobs.
// Memory: a job's input counts in the budget until its result is back, a result until applied.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "s3/multipart_upload.hpp"
#include "s3/s3_error.hpp"
#include "server/delivery/rotation.hpp"
#include "server/format/body_jobs.hpp"
#include "server/format/object_body.hpp"
#include "server/format/object_buffer.hpp"
#include "server/format/record_encoder.hpp"
#include "server/pipeline/async_condition.hpp"
#include "server/pipeline/memory_account.hpp"
#include "server/pipeline/partition_runtime.hpp"
#include "server/workers/ordered_results.hpp"
#include "server/workers/worker_pool.hpp"

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

enum class ObjectPhase { open, closing, completing, aborting, done };
std::string_view to_string(ObjectPhase phase);

enum class ObjectOutcome { completed, aborted, failed };

// Why an object failed: S3 gave up (typed, up to the log line) or a compression or body job
// threw.
struct ObjectFailure {
  std::optional<s3::S3Error> s3;
  std::string internal;  // set when the failure is not S3's

  std::string describe() const { return s3 ? s3->describe() : internal; }
};

class ObjectWriter : public std::enable_shared_from_this<ObjectWriter> {
 public:
  using Done = std::function<void(ObjectWriter&, ObjectOutcome, const ObjectFailure& failure)>;

  ObjectWriter(boost::asio::any_io_executor executor, s3::MultipartUploads& uploads,
               WorkerPool& workers, std::string bucket, std::string content_type,
               s3::ObjectSettings settings, ObjectSummary summary, ObjectBuffer buffer,
               std::shared_ptr<MemoryAccount> memory, std::shared_ptr<PartitionRuntime> partition,
               Done done, std::unique_ptr<ObjectBody> body = nullptr);
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Registers the object with its partition. The coroutine that uploads parts and completes
  // or aborts the object starts with its first full part or at the close or abort
  // (ensure_running). An exception escaping it (a bug) fails the object instead of vanishing.
  void start();

  // Appends one encoded record (at `offset`, with Kafka timestamp `timestamp_ms`); with a body,
  // `encoded` is what the body takes (a Parquet row, an Avro datum).
  void append(std::string_view encoded, std::int64_t offset, std::int64_t timestamp_ms);

  // The pipeline tick: no record arrived since the last tick -> give back unused capacity, so an
  // idle object holds at most one partial raw block plus compressed bytes not uploaded yet.
  void on_tick();

  // The segment closed: compress the rest; complete once the journal gate allows.
  void close(const ClosedSegment& segment, CutReason reason);

  // Abandon the object: cancel its upload (idempotent).
  void abort();

  ObjectPhase phase() const { return phase_; }
  const ObjectSummary& summary() const { return summary_; }
  const ClosedSegment& segment() const { return segment_; }
  std::uint64_t buffered_bytes() const { return accounted_; }

 private:
  void ensure_running();  // spawns run() once
  boost::asio::awaitable<void> run();
  // Hands the next full part to the upload; false when that failed (the object is finished).
  boost::asio::awaitable<bool> upload_next_part();
  // PutObject or CompleteMultipartUpload; true when the object is finished (completed or
  // failed), false when it was aborted meanwhile.
  boost::asio::awaitable<bool> complete_upload();
  boost::asio::awaitable<bool> wait_for_gate();
  bool stopped() const { return phase_ == ObjectPhase::aborting || phase_ == ObjectPhase::done; }
  // Sends whole blocks (or, at the close, the rest) to the worker pool.
  void dispatch();
  void submit(std::string raw);
  void on_compressed(std::uint64_t sequence, std::uint64_t raw_bytes, CompressedBlocks result);
  // Sends the body's batch (or, at the close, the last job) to the worker pool.
  void dispatch_body();
  void on_body_done(std::uint64_t sequence, std::uint64_t input_bytes, bool last,
                    JobResult<BodyOutput> result);
  void seal();     // every block compressed: the last part is known
  void account();  // brings the memory account in line with the buffers and jobs
  std::uint64_t overhead_bytes() const;  // per-object cost besides bytes, by phase
  void fail_internal(std::string message);
  void fail_s3(const s3::S3Error& error);  // S3 gave up (after the client's retries)
  // Cancels the multipart upload on its own coroutine (abort, or a failed object).
  void spawn_upload_abort();
  void queue_full_parts();
  void finish(ObjectOutcome outcome, const ObjectFailure& failure);

  boost::asio::any_io_executor executor_;
  s3::MultipartUpload upload_;
  WorkerPool& workers_;
  ObjectSummary summary_;
  ObjectBuffer buffer_;
  // Format parquet or avro: until the last body job's bytes are applied.
  std::optional<BodyJobs> body_;
  std::shared_ptr<MemoryAccount> memory_;
  std::shared_ptr<PartitionRuntime> partition_;
  Done done_;
  AsyncCondition wake_;
  ObjectPhase phase_ = ObjectPhase::open;
  std::list<s3::SharedBody> parts_;  // not a deque: one of those costs ~600 bytes empty
  s3::SharedBody last_;
  ClosedSegment segment_;
  // Jobs: numbered when sent, applied in that order; their bytes count until applied.
  OrderedResults compressed_;
  OrderedResults body_results_;
  bool running_ = false;  // run() was spawned
  bool appended_since_tick_ = false;
  std::uint64_t accounted_ = 0;       // bytes counted in the memory account
  std::uint64_t accounted_open_ = 0;  // of which counted as open (phase open)
};

// Content type of objects: by format, or by compression when compressed.
std::string object_content_type(OutputFormat format, Compression compression);

}  // namespace ks3::server

#include "server/pipeline/object_writer.hpp"

#include <boost/asio/co_spawn.hpp>

#include "metrics/exception_message.hpp"
#include "metrics/log.hpp"

namespace ks3::server {
namespace asio = boost::asio;

namespace {

// While a compression job of the object runs, whole blocks collect until this many raw bytes
// are waiting (one job then carries many blocks); an object never has more jobs than this out.
constexpr std::uint64_t kBatchBytes = 256 * 1024;
constexpr std::uint64_t kMaxJobsPerObject = 4;

}  // namespace

std::string_view to_string(ObjectPhase phase) {
  switch (phase) {
    case ObjectPhase::open:
      return "open";
    case ObjectPhase::closing:
      return "closing";
    case ObjectPhase::completing:
      return "completing";
    case ObjectPhase::aborting:
      return "aborting";
    case ObjectPhase::done:
      return "done";
  }
  return "?";
}

std::string object_content_type(OutputFormat format, Compression compression) {
  // Parquet pages carry their codec inside the file; the object is not compressed as a whole.
  // Parquet pages and Avro blocks carry their codec inside the file.
  if (format == OutputFormat::parquet) return "application/vnd.apache.parquet";
  if (format == OutputFormat::avro) return "application/avro";
  switch (compression) {
    case Compression::gzip:
      return "application/gzip";
    case Compression::zstd:
      return "application/zstd";
    case Compression::none:
    case Compression::snappy:
      break;
  }
  switch (format) {
    case OutputFormat::jsonl:
      return "application/x-ndjson";
    case OutputFormat::csv:
      return "text/csv";
    case OutputFormat::raw:
    case OutputFormat::parquet:
    case OutputFormat::avro:
      break;
  }
  return "application/octet-stream";
}

ObjectWriter::ObjectWriter(asio::any_io_executor executor, s3::MultipartUploads& uploads,
                           WorkerPool& workers, std::string bucket, std::string content_type,
                           s3::ObjectSettings settings, ObjectSummary summary, ObjectBuffer buffer,
                           std::shared_ptr<MemoryAccount> memory,
                           std::shared_ptr<PartitionRuntime> partition, Done done,
                           std::unique_ptr<ObjectBody> body)
    : executor_(executor),
      upload_(uploads.open(std::move(bucket), summary.key, std::move(content_type),
                           std::move(settings))),
      workers_(workers),
      summary_(std::move(summary)),
      buffer_(std::move(buffer)),
      body_(body ? std::optional<BodyJobs>(std::in_place, std::move(body)) : std::nullopt),
      memory_(std::move(memory)),
      partition_(std::move(partition)),
      done_(std::move(done)),
      wake_(executor) {
  account();
}

ObjectWriter::~ObjectWriter() {
  if (accounted_open_ > 0) {
    memory_->adjust_open(-static_cast<std::int64_t>(accounted_open_));
    partition_->open_bytes -= accounted_open_;
  }
  if (accounted_ > 0) {
    memory_->adjust_buffered(-static_cast<std::int64_t>(accounted_));
    partition_->buffered_bytes -= accounted_;
  }
}

void ObjectWriter::start() {
  partition_->live.insert(this);
}

// The upload coroutine starts with the first full part or at the close (or abort): an open
// object that fits in one part, the common case when objects are keyed by a field, has no
// coroutine (its frame and co_spawn's state cost ~1.4 KB, heaptrack of the 10,000-object
// dataset). Until then the pipeline's map of open objects keeps the writer alive.
void ObjectWriter::ensure_running() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(
      executor_, [self = shared_from_this()]() { return self->run(); },
      [self = shared_from_this()](std::exception_ptr error) {
        if (error)
          self->fail_internal("object upload coroutine threw: " + log::exception_message(error));
      });
}

// What an object costs besides its bytes, measured with heaptrack at the peak of the
// 10,000-open-objects bench dataset (~17,000 writers alive, ~7,000 of them closed and waiting
// for a completion slot): the writer, its upload's state and its key ~2 KB while open; once closed
// also the upload coroutine (frame and co_spawn's state, ~1.4 KB) and its place in the queue for
// a completion slot (~0.2 KB). Counted, a backlog of closed objects pauses consumption like any
// other bytes (closed objects settle on their own: no pressure cut). Before the completion
// slots, a closed object waited inside the S3 client with its request built and signed: ~14 KB.
constexpr std::uint64_t kOpenObjectOverheadBytes = 2 * 1024;
constexpr std::uint64_t kClosedObjectOverheadBytes = 4 * 1024;

std::uint64_t ObjectWriter::overhead_bytes() const {
  switch (phase_) {
    case ObjectPhase::open:
      return kOpenObjectOverheadBytes;
    case ObjectPhase::closing:
    case ObjectPhase::completing:
      return kClosedObjectOverheadBytes;
    case ObjectPhase::aborting:
    case ObjectPhase::done:
      return 0;
  }
  return 0;
}

void ObjectWriter::account() {
  const std::uint64_t held = buffer_.held_bytes() + compressed_.held_bytes() +
                             body_results_.held_bytes() + (body_ ? body_->held_bytes() : 0) +
                             overhead_bytes();
  const std::uint64_t open = phase_ == ObjectPhase::open ? held : 0;
  if (open != accounted_open_) {
    memory_->adjust_open(static_cast<std::int64_t>(open) -
                         static_cast<std::int64_t>(accounted_open_));
    partition_->open_bytes += open;
    partition_->open_bytes -= accounted_open_;
    accounted_open_ = open;
  }
  const auto delta = static_cast<std::int64_t>(held) - static_cast<std::int64_t>(accounted_);
  if (delta == 0) return;
  memory_->adjust_buffered(delta);
  partition_->buffered_bytes += held;
  partition_->buffered_bytes -= accounted_;
  accounted_ = held;
}

void ObjectWriter::queue_full_parts() {
  while (auto part = buffer_.take_full_part()) {
    parts_.push_back(memory_->counted_part(std::move(*part)));
    ++summary_.parts;
    ensure_running();
    wake_.notify_all();
  }
}

void ObjectWriter::append(std::string_view encoded, std::int64_t offset,
                          std::int64_t timestamp_ms) {
  if (body_) {
    body_->add(encoded);
    dispatch_body();
  } else {
    buffer_.append(encoded);
  }
  appended_since_tick_ = true;
  ++summary_.records;
  summary_.last_offset = offset;
  if (timestamp_ms >= 0 &&
      (summary_.oldest_timestamp_ms < 0 || timestamp_ms < summary_.oldest_timestamp_ms)) {
    summary_.oldest_timestamp_ms = timestamp_ms;
  }
  dispatch();
  account();
}

void ObjectWriter::on_tick() {
  if (phase_ == ObjectPhase::open && !appended_since_tick_) {
    buffer_.release_idle();
    if (body_) body_->release_idle();
    account();
  }
  appended_since_tick_ = false;
}

void ObjectWriter::dispatch() {
  if (phase_ == ObjectPhase::open) {
    const std::uint64_t whole = buffer_.full_block_bytes();
    if (whole == 0) return;
    const std::uint64_t out = compressed_.in_flight();
    if (out > 0 && (whole < kBatchBytes || out >= kMaxJobsPerObject)) {
      return;  // sent when a job comes back
    }
    submit(buffer_.take_full_blocks());
  } else if (phase_ == ObjectPhase::closing && !body_ && !buffer_.raw_ended()) {
    // (With a body: once its last bytes are in the buffer.)
    std::string rest = buffer_.take_rest();
    // An object without a byte still gets one (empty) block: a valid gzip or zstd file.
    if (!rest.empty() || compressed_.sent() == 0) submit(std::move(rest));
  }
}

void ObjectWriter::submit(std::string raw) {
  const std::uint64_t raw_bytes = raw.size();
  const std::uint64_t sequence = compressed_.send(raw_bytes);
  workers_.compress(executor_, buffer_.compression(), buffer_.level(), std::move(raw),
                    // The job keeps the writer: its bytes count until the result is back.
                    [self = shared_from_this(), sequence, raw_bytes](CompressedBlocks result) {
                      self->on_compressed(sequence, raw_bytes, std::move(result));
                    });
}

void ObjectWriter::on_compressed(std::uint64_t sequence, std::uint64_t raw_bytes,
                                 CompressedBlocks result) {
  if (phase_ == ObjectPhase::aborting || phase_ == ObjectPhase::done) {
    compressed_.discard(raw_bytes);
    account();
    return;
  }
  if (result.error) {
    compressed_.discard(raw_bytes);
    fail_internal("compression of object " + summary_.key +
                  " failed: " + log::exception_message(result.error));
    return;
  }
  compressed_.receive(sequence, raw_bytes, std::move(result.value),
                      [this](std::string& bytes) { buffer_.add_compressed(bytes); });
  queue_full_parts();
  dispatch();
  if (phase_ == ObjectPhase::closing && buffer_.raw_ended() && compressed_.in_flight() == 0) {
    seal();
  }
  account();
}

void ObjectWriter::dispatch_body() {
  if (!body_) return;
  std::optional<BodyJob> job = body_->take_job(phase_ == ObjectPhase::closing);
  if (!job) return;
  const std::uint64_t input_bytes = job->input_bytes();
  const bool last = job->last;
  const std::uint64_t sequence = body_results_.send(input_bytes);
  // The job holds the body (shared): the loop does not touch it until the job is back, and a
  // body of an aborted object is freed by its last job, on the worker.
  workers_.run<BodyOutput>(
      executor_, JobKind::body, [job = std::move(*job)] { return run_body_job(job); },
      [self = shared_from_this(), sequence, input_bytes, last](JobResult<BodyOutput> result) {
        self->on_body_done(sequence, input_bytes, last, std::move(result));
      });
}

void ObjectWriter::on_body_done(std::uint64_t sequence, std::uint64_t input_bytes, bool last,
                                JobResult<BodyOutput> result) {
  if (phase_ == ObjectPhase::aborting || phase_ == ObjectPhase::done) {
    body_results_.discard(input_bytes);
    account();
    return;
  }
  if (result.error) {
    body_results_.discard(input_bytes);
    fail_internal("encoding the file of object " + summary_.key +
                  " failed: " + log::exception_message(result.error));
    return;
  }
  body_->job_done(result.value.held_after);
  body_results_.receive(sequence, input_bytes, std::move(result.value.bytes),
                        [this](std::string& bytes) { buffer_.append(bytes); });
  if (last) body_.reset();  // every byte of the file is in the buffer
  dispatch_body();
  dispatch();
  account();
}

void ObjectWriter::close(const ClosedSegment& segment, CutReason reason) {
  if (phase_ != ObjectPhase::open) return;
  segment_ = segment;
  summary_.reason = reason;
  phase_ = ObjectPhase::closing;
  ensure_running();
  dispatch_body();
  dispatch();
  account();
}

void ObjectWriter::seal() {
  std::string last = buffer_.take_last_part();
  buffer_.release_idle();
  summary_.uncompressed_bytes = buffer_.uncompressed_bytes();
  summary_.compressed_bytes = buffer_.compressed_bytes();
  if (!last.empty()) last_ = memory_->counted_part(std::move(last));
  phase_ = ObjectPhase::completing;
  wake_.notify_all();
}

void ObjectWriter::abort() {
  if (phase_ == ObjectPhase::aborting || phase_ == ObjectPhase::done) return;
  phase_ = ObjectPhase::aborting;
  ensure_running();  // it aborts the upload and finishes the object
  body_.reset();
  buffer_.discard();
  compressed_.clear_waiting();
  body_results_.clear_waiting();
  account();
  wake_.notify_all();
  // The upload may be waiting inside add_part() or complete(): abort() is the one call allowed
  // alongside them, and makes them return.
  spawn_upload_abort();
}

void ObjectWriter::fail_internal(std::string message) {
  if (phase_ == ObjectPhase::done) return;
  ObjectFailure failure;
  failure.internal = std::move(message);
  finish(ObjectOutcome::failed, failure);
  // Nothing of a failed object may stay visible: cancel the upload.
  spawn_upload_abort();
}

void ObjectWriter::spawn_upload_abort() {
  asio::co_spawn(
      executor_,
      [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->upload_.abort(); },
      [key = summary_.key](std::exception_ptr error) {
        if (error)
          log::error("aborting an upload threw",
                     {{"key", key}, {"error", log::exception_message(error)}});
      });
}

asio::awaitable<bool> ObjectWriter::wait_for_gate() {
  const std::uint64_t required = segment_.required_journal_version;
  co_await partition_->changed.wait_until([&] {
    return phase_ != ObjectPhase::completing || partition_->phase == PartitionPhase::journal_lost ||
           partition_->state.may_complete(required);
  });
  co_return phase_ == ObjectPhase::completing && partition_->state.may_complete(required);
}

// The frame of run() lives as long as the object, so it holds no S3 result: those live in
// the frames of upload_next_part() and complete_upload(), which exist only while a request is
// out (every coroutine local has its own room in GCC's frames: with the results and failures
// inline, run()'s frame was 1.7 KB; it is 0.5 KB).
asio::awaitable<void> ObjectWriter::run() {
  auto self = shared_from_this();  // keep alive across suspensions
  while (true) {
    co_await wake_.wait_until(
        [&] { return stopped() || phase_ == ObjectPhase::completing || !parts_.empty(); });
    if (stopped()) break;
    if (!parts_.empty()) {
      if (!co_await upload_next_part()) co_return;  // failed: finished
      if (stopped()) break;
      continue;
    }
    // Completing and every part handed over: the final call waits for the journal gate, then
    // for a completion slot (thousands of objects can close at once when they are keyed by a
    // field: those beyond the slots wait here, holding no request in the S3 client).
    if (!co_await wait_for_gate()) break;
    std::optional<s3::SemaphorePermit> slot = co_await upload_.completion_slot();
    if (!slot || stopped()) break;
    if (co_await complete_upload()) co_return;  // completed or failed: finished
    break;
  }
  parts_.clear();
  last_.reset();
  if (phase_ != ObjectPhase::done) co_await upload_.abort();
  finish(ObjectOutcome::aborted, {});
}

asio::awaitable<bool> ObjectWriter::upload_next_part() {
  s3::SharedBody part = std::move(parts_.front());
  parts_.pop_front();
  auto added = co_await upload_.add_part(std::move(part));
  if (added || stopped()) co_return true;
  fail_s3(added.error());
  co_return false;
}

asio::awaitable<bool> ObjectWriter::complete_upload() {
  auto completed = co_await upload_.complete(std::move(last_));
  // An abort during complete() may come too late: the outcome is what S3 answered.
  if (!completed && stopped()) co_return false;
  if (!completed) {
    fail_s3(completed.error());
  } else {
    finish(ObjectOutcome::completed, {});
  }
  co_return true;
}

void ObjectWriter::fail_s3(const s3::S3Error& error) {
  // The upload has aborted itself (MultipartUpload aborts on any failure it reports).
  ObjectFailure failure;
  failure.s3 = error;
  finish(ObjectOutcome::failed, failure);
}

void ObjectWriter::finish(ObjectOutcome outcome, const ObjectFailure& failure) {
  if (phase_ == ObjectPhase::done) return;
  phase_ = ObjectPhase::done;
  body_.reset();
  parts_.clear();
  last_.reset();
  buffer_.discard();
  compressed_.clear_waiting();
  body_results_.clear_waiting();
  account();
  partition_->live.erase(this);
  wake_.notify_all();
  if (done_) done_(*this, outcome, failure);
  partition_->changed.notify_all();
}

}  // namespace ks3::server

#include "server/pipeline/object_writer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace ks3::server {
namespace asio = boost::asio;

std::string object_content_type(OutputFormat format, Compression compression) {
  switch (compression) {
    case Compression::gzip:
      return "application/gzip";
    case Compression::zstd:
      return "application/zstd";
    case Compression::none:
      break;
  }
  switch (format) {
    case OutputFormat::jsonl:
      return "application/x-ndjson";
    case OutputFormat::csv:
      return "text/csv";
    case OutputFormat::raw:
      break;
  }
  return "application/octet-stream";
}

ObjectWriter::ObjectWriter(asio::any_io_executor executor, s3::MultipartUploads& uploads,
                           std::string bucket, std::string content_type, ObjectSummary summary,
                           ObjectBuffer buffer, std::shared_ptr<MemoryAccount> memory,
                           std::shared_ptr<PartitionRuntime> partition, Done done)
    : executor_(executor),
      upload_(uploads.open(std::move(bucket), summary.key, std::move(content_type))),
      summary_(std::move(summary)),
      buffer_(std::move(buffer)),
      memory_(std::move(memory)),
      partition_(std::move(partition)),
      done_(std::move(done)),
      wake_(executor) {
  account();
}

void ObjectWriter::start() {
  partition_->live.insert(this);
  asio::co_spawn(
      executor_, [self = shared_from_this()]() { return self->run(); }, asio::detached);
}

void ObjectWriter::account() {
  const std::uint64_t held = buffer_.held_bytes();
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
    wake_.notify_all();
  }
}

void ObjectWriter::append(std::string_view encoded, std::int64_t offset,
                          std::int64_t timestamp_ms) {
  buffer_.append(encoded);
  ++summary_.records;
  summary_.last_offset = offset;
  if (timestamp_ms >= 0 &&
      (summary_.oldest_timestamp_ms < 0 || timestamp_ms < summary_.oldest_timestamp_ms)) {
    summary_.oldest_timestamp_ms = timestamp_ms;
  }
  queue_full_parts();
  account();
}

void ObjectWriter::close(const ClosedSegment& segment, CutReason reason) {
  if (closing_ || aborting_) return;
  segment_ = segment;
  summary_.reason = reason;
  std::string last = buffer_.finish();
  summary_.uncompressed_bytes = buffer_.uncompressed_bytes();
  summary_.compressed_bytes = buffer_.compressed_bytes();
  if (!last.empty()) last_ = memory_->counted_part(std::move(last));
  account();
  closing_ = true;
  wake_.notify_all();
}

void ObjectWriter::abort() {
  if (aborting_ || finished_) return;
  aborting_ = true;
  buffer_.finish();  // drops the compressor state
  account();
  wake_.notify_all();
  // The upload may be waiting inside add_part() or complete(): abort() is the one call allowed
  // alongside them, and makes them return.
  asio::co_spawn(
      executor_,
      [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->upload_.abort(); },
      asio::detached);
}

asio::awaitable<bool> ObjectWriter::wait_for_gate() {
  const std::uint64_t required = segment_.required_journal_version;
  co_await partition_->changed.wait_until([&] {
    return aborting_ || partition_->gate_failed || partition_->state.may_complete(required);
  });
  co_return !aborting_ && partition_->state.may_complete(required);
}

asio::awaitable<void> ObjectWriter::run() {
  auto self = shared_from_this();  // keep alive across suspensions
  while (true) {
    co_await wake_.wait_until([&] { return aborting_ || closing_ || !parts_.empty(); });
    if (aborting_) break;
    if (!parts_.empty()) {
      s3::SharedBody part = std::move(parts_.front());
      parts_.pop_front();
      auto added = co_await upload_.add_part(std::move(part));
      if (aborting_) break;
      if (!added) {
        finish(ObjectOutcome::failed, added.error().describe());
        co_return;
      }
      continue;
    }
    // Closing and every part handed over: the final call waits for the journal gate.
    if (!co_await wait_for_gate()) break;
    auto completed = co_await upload_.complete(std::move(last_));
    // An abort during complete() may come too late: the outcome is what S3 answered.
    if (!completed && aborting_) break;
    if (!completed) {
      finish(ObjectOutcome::failed, completed.error().describe());
    } else {
      finish(ObjectOutcome::completed, {});
    }
    co_return;
  }
  parts_.clear();
  last_.reset();
  co_await upload_.abort();
  finish(ObjectOutcome::aborted, {});
}

void ObjectWriter::finish(ObjectOutcome outcome, const std::string& error) {
  if (finished_) return;
  finished_ = true;
  parts_.clear();
  last_.reset();
  account();
  partition_->live.erase(this);
  if (done_) done_(*this, outcome, error);
  partition_->changed.notify_all();
}

}  // namespace ks3::server

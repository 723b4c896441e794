// The event-loop side of an object body (ObjectBody: ParquetObject, AvroObject): the loop only
// collects the encoded records into a batch; a full batch goes to the body as one job that runs
// on a worker (run_body_job): Parquet shredding, dictionaries, statistics, page compression and
// row-group assembly, JSON schema inference, Avro block compression. At the close the last job
// adds the rest and finishes the file (for parquet.value: infer the whole encoding happens then:
// the schema is known only at the end of the object). Pure: no threads, no Asio.
//
// Why batches and not "one job per row group": a row group closes when its *compressed* size
// reaches parquet.row_group_bytes, which only the encoding itself knows, and a row group held raw
// until then would cost several times its compressed size (64 MiB by default). So the body keeps
// its state (the open row group, column by column) and gets the records in batches, one job at a
// time: the body is stateful, so an object's jobs must not overlap (objects still encode in
// parallel). It sees exactly the calls the synchronous path makes, in the same order, so the
// file bytes are the same whatever the batch boundaries and the timing.
//
// What stays on the loop: RecordEncoder::encode (the pipeline's per-record parse and check), as
// a bad record must be caught before it joins an object, with its topic/partition/offset, for
// the bad-record policy; and the batch copy, a memcpy per record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/format/object_body.hpp"

namespace ks3::server {

// One job: records (back to back, with their sizes) for the body; `last` also finishes the file.
struct BodyJob {
  std::shared_ptr<ObjectBody> body;
  std::string records;
  std::vector<std::uint32_t> sizes;
  bool last = false;

  // Bytes the job's input holds (counted in the memory budget while it is out).
  std::uint64_t input_bytes() const {
    return records.capacity() + sizes.capacity() * sizeof(std::uint32_t);
  }
};

// What a job hands back: the file bytes it finished and the body's held bytes after it.
struct BodyOutput {
  std::string bytes;
  std::size_t held_after = 0;
};

// Runs on a worker: adds the records to the body, takes the bytes it finished (and, `last`, the
// rest of the file). Throws what the body throws (a bug: a malformed record).
BodyOutput run_body_job(const BodyJob& job);

class BodyJobs {
 public:
  // A job goes out once the batch holds this many bytes (and no job of the body is out).
  static constexpr std::size_t kBatchBytes = 64 * 1024;

  explicit BodyJobs(std::unique_ptr<ObjectBody> body, std::size_t batch_bytes = kBatchBytes);

  // One record as the pipeline encoded it for this format (a Parquet row, an Avro datum).
  void add(std::string_view encoded);
  // A job to run when one may go out: no job of the body is out, and the batch is full, or
  // `closing` (the last job: the rest of the records and the end of the file). nullopt otherwise.
  std::optional<BodyJob> take_job(bool closing);
  // The job out came back; `held_after` from its output.
  void job_done(std::size_t held_after);

  bool job_out() const { return job_out_; }
  // The last job was taken (and, with !job_out(), applied): the body has nothing more to give.
  bool finished() const { return last_taken_; }
  // Idle: give back the batch's unused capacity.
  void release_idle();
  // Bytes held on the loop: the batch + the body's held bytes as of its last job (while a job is
  // out its input counts separately, at the workers).
  std::size_t held_bytes() const;

 private:
  std::shared_ptr<ObjectBody> body_;
  std::size_t batch_bytes_;
  std::string records_;
  std::vector<std::uint32_t> sizes_;
  std::size_t body_held_ = 0;
  bool job_out_ = false;
  bool last_taken_ = false;
};

}  // namespace ks3::server

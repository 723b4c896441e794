#include "server/format/body_jobs.hpp"

#include <limits>
#include <stdexcept>

namespace ks3::server {

BodyOutput run_body_job(const BodyJob& job) {
  BodyOutput out;
  std::string_view rest = job.records;
  for (const std::uint32_t size : job.sizes) {
    job.body->add(rest.substr(0, size));
    rest.remove_prefix(size);
  }
  // Bytes go out once per job, as a row group or block closes inside it: the file is never held
  // twice (the synchronous path takes them after every record; the bytes are the same).
  if (job.last) {
    job.body->finish(out.bytes);
  } else {
    job.body->take_bytes(out.bytes);
  }
  out.held_after = job.body->held_bytes();
  return out;
}

BodyJobs::BodyJobs(std::unique_ptr<ObjectBody> body, std::size_t batch_bytes)
    : body_(std::move(body)), batch_bytes_(batch_bytes), body_held_(body_->held_bytes()) {}

void BodyJobs::add(std::string_view encoded) {
  if (last_taken_) throw std::logic_error("body: a record after the last job");
  if (encoded.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::logic_error("body: a record over 4 GiB");  // Kafka's limits are far below
  }
  records_.append(encoded);
  sizes_.push_back(static_cast<std::uint32_t>(encoded.size()));
}

std::optional<BodyJob> BodyJobs::take_job(bool closing) {
  if (job_out_ || last_taken_) return std::nullopt;
  if (!closing && records_.size() < batch_bytes_) return std::nullopt;
  BodyJob job;
  job.body = body_;
  job.records.swap(records_);
  job.sizes.swap(sizes_);
  job.last = closing;
  job_out_ = true;
  last_taken_ = closing;
  return job;
}

void BodyJobs::job_done(std::size_t held_after) {
  job_out_ = false;
  body_held_ = held_after;
}

void BodyJobs::release_idle() {
  records_.shrink_to_fit();
  sizes_.shrink_to_fit();
}

std::size_t BodyJobs::held_bytes() const {
  return records_.capacity() + sizes_.capacity() * sizeof(std::uint32_t) + body_held_;
}

}  // namespace ks3::server

// The body of an object whose file format has a structure of its own (Parquet, Avro container
// files): encoded records in, file bytes out. The pipeline calls it from worker-pool jobs
// (body_jobs.hpp: batches of records, one job of a body at a time, never two threads at once);
// the ObjectWriter moves the bytes into its ObjectBuffer (compression none: the formats
// compress inside the file) as the jobs come back. Implementations are pure: no I/O, no clock,
// no shared state; the same records give the same bytes however they are batched.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ks3::server {

class ObjectBody {
 public:
  virtual ~ObjectBody() = default;
  // One record as the pipeline encoded it for this format. Throws std::logic_error on input
  // the encoder could not have produced (a bug).
  virtual void add(std::string_view encoded) = 0;
  // Appends the finished file bytes so far to `out` (an empty `out` may swap buffers).
  virtual void take_bytes(std::string& out) = 0;
  // Appends the rest of the file to `out`. Add nothing afterwards.
  virtual void finish(std::string& out) = 0;
  // Bytes held, for the memory budget.
  virtual std::size_t held_bytes() const = 0;
};

}  // namespace ks3::server

// Sequence numbers for the jobs of one stream (an object's compression jobs, its body jobs):
// jobs may come back in any order; their results are applied in the order the jobs were sent.
// Also counts the bytes the stream has out: the input bytes of jobs in flight (until their result
// comes back) and results waiting for an earlier one (until applied), for the memory budget.
// Pure: no threads; used on the event loop only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace ks3::server {

class OrderedResults {
 public:
  // Numbers a job whose input holds `input_bytes`; they count until its result comes back.
  std::uint64_t send(std::uint64_t input_bytes);
  // The result of job `sequence` (sent with `input_bytes`): `apply` gets it and every result
  // waiting behind it, in sending order.
  void receive(std::uint64_t sequence, std::uint64_t input_bytes, std::string result,
               const std::function<void(std::string&)>& apply);
  // Job `sequence` came back but its result is not wanted (the object is aborted or failed).
  void discard(std::uint64_t input_bytes);
  // Drops the results waiting (abort, failure); jobs in flight still count until they return.
  void clear_waiting();

  std::uint64_t sent() const { return next_; }
  std::uint64_t in_flight() const { return in_flight_; }
  // Input bytes of jobs in flight + results waiting for an earlier one.
  std::uint64_t held_bytes() const { return at_workers_ + waiting_bytes_; }

 private:
  std::uint64_t next_ = 0;
  std::uint64_t next_to_apply_ = 0;
  std::map<std::uint64_t, std::string> waiting_;
  std::uint64_t waiting_bytes_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t at_workers_ = 0;
};

}  // namespace ks3::server

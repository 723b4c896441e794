// The command lines of the bench tools (pure, on CLI11 through cli/): arguments without the
// program name -> the tool's options, or an Exit (--help: status 0; a usage error: status 2 and
// one line naming it). Each tool's header comment says what the options mean.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <span>
#include <string>

#include "bench/lib/record_gen.hpp"
#include "server/cli/exit.hpp"

namespace ks3::bench {

// ks3_load_gen --bootstrap HOST:PORT --topic T --records N [--value-size BYTES]
//   [--shape edfi|debezium|events] [--keys CARDINALITY] [--seed S] [--delete-ratio R]
//   [--partitioner key|round-robin] [--rate RECORDS_PER_S] [--first-index I] [--allow-drop]
struct LoadGenArgs {
  std::string bootstrap;
  std::string topic;
  std::uint64_t records = 0;
  std::uint64_t first_index = 0;
  GenOptions gen;
  bool round_robin = false;
  double rate = 0;  // records per second; 0: as fast as possible
  bool allow_drop = false;
};
cli::Parsed<LoadGenArgs> parse_load_gen_args(std::span<const std::string> args);

// ks3_null_s3 [--listen HOST:PORT] [--bucket NAME]... [--latency-ms MS]
//   [--min-part-size BYTES] [--verify-md5] [--verbose]
struct NullS3Args {
  std::string host = "127.0.0.1";  // an IP address
  std::uint16_t port = 0;
  std::set<std::string> buckets;
  std::chrono::milliseconds latency{0};
  std::uint64_t min_part_size = 5ULL << 20;
  bool verify_md5 = false;
  bool verbose = false;
};
cli::Parsed<NullS3Args> parse_null_s3_args(std::span<const std::string> args);

// ks3_wait_committed --bootstrap HOST:PORT --group G --topic T [--slack N] [--timeout-s S]
//   [--interval-ms MS]
struct WaitCommittedArgs {
  std::string bootstrap, group, topic;
  long slack = 0;
  long timeout_s = 120;
  long interval_ms = 50;
};
cli::Parsed<WaitCommittedArgs> parse_wait_committed_args(std::span<const std::string> args);

}  // namespace ks3::bench

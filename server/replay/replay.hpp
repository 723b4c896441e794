// Replay: this sink's JSONL objects under an S3 prefix produced back to a Kafka topic.
//
//   1. ListObjectsV2 under `prefix`; keys matched against the sink's key template
//      (replay_plan.hpp) give the plan: per source partition, objects by start offset.
//   2. The target topic's partition count (a metadata request, run on a helper thread): with
//      partitioning `auto`, records keep their source partition when the target has more
//      partitions than the largest source partition number, else the producer's partitioner
//      picks one by key (logged as a warning; the per-key order is kept, the partition numbers
//      are not). `keep` fails instead of falling back; `key` always uses the partitioner.
//   3. Per partition, objects are fetched (GetObject, one at a time unless object groups
//      interleave, replay_merge.hpp), decompressed by extension and decoded line by line
//      (envelope_decoder.hpp); records are produced in offset order with their key, value,
//      headers and timestamp by an idempotent producer.
//   4. Progress is logged every `progress_interval`; at the end the producer is flushed and the
//      counts returned. The first delivery failure ends the replay with an error.
//
// Event loop: nothing here blocks the io_context for long. produce() only queues (a full queue
// is retried after a 5 ms timer), delivery reports are served by rd_kafka_poll(.., 0), the final
// flush polls with a 10 ms timer until the queue is empty (bounded by flush_timeout), and the
// one blocking librdkafka call (metadata) runs on a helper thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "s3/client.hpp"
#include "s3/client_config.hpp"
#include "s3/credentials_chain.hpp"
#include "server/replay/envelope_decoder.hpp"

namespace ks3::server::replay {

enum class Partitioning { auto_, keep, key };

struct ReplayOptions {
  std::string bucket;
  std::string prefix;  // list objects under this key prefix (e.g. "raw/orders/")
  // How the sink named its objects: its key_template and s3.prefix.
  std::string key_template =
      "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}";
  std::string key_prefix;
  std::string source_topic;  // only objects of this topic (needed when several are found)
  DecodeOptions encodings;   // the sink's format.key_encoding and format.value_encoding

  std::string target_topic;
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::map<std::string, std::string> producer_properties;  // librdkafka, passed through
  Partitioning partitioning = Partitioning::auto_;

  bool dry_run = false;  // plan, fetch and decode everything; produce nothing
  std::chrono::milliseconds progress_interval{5000};
  std::chrono::milliseconds metadata_timeout{10000};
  std::chrono::milliseconds flush_timeout{120000};
  std::uint64_t max_object_bytes = std::uint64_t{1} << 30;  // GetObject limit
};

struct ReplayResult {
  bool ok = false;
  std::string error;  // when !ok: what failed (the object, line, partition or Kafka error)

  std::size_t objects = 0;          // objects read
  std::size_t objects_skipped = 0;  // keys under the prefix that are not objects of the template
  std::uint64_t records = 0;        // records produced (and, unless dry_run, delivered)
  std::uint64_t duplicates = 0;     // records skipped: their offset was produced already
  std::uint64_t bytes = 0;          // stored (compressed) bytes fetched
  std::size_t partitions = 0;       // source partitions
  bool kept_partitions = false;     // records went to their source partition numbers
  int target_partitions = 0;
};

// Runs the replay on the client's executor.
boost::asio::awaitable<ReplayResult> run_replay(ReplayOptions options, s3::Client& client);

// Everything `kafka-s3-sink replay` needs: the replay, the S3 client settings and credentials.
// The command line that fills it is server/app/replay_cli.hpp.
struct ReplayCommand {
  ReplayOptions replay;
  s3::ClientConfig client;
  s3::CredentialsConfig credentials;
};

// The S3 settings from the AWS environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE, ...).
ReplayCommand replay_command_from_environment();

// Runs a whole replay on its own io_context: 0 done, 1 the replay failed (the error is printed
// on `err`), 2 a usage or configuration error.
int run_replay_command(const ReplayCommand& command, std::ostream& out, std::ostream& err);

}  // namespace ks3::server::replay

// ks3_wait_committed: waits until a consumer group has committed every partition of a topic up to
// its end offset (minus --slack), then prints the moment that happened (Unix time, ms). The timing
// half of bench/run: one librdkafka handle polls the group's committed offsets (one OffsetFetch
// request a poll) without joining the group, so it costs the machine almost nothing while the
// sink works. tests/tools/kafka_group_offsets then checks the end state independently.
//
//   ks3_wait_committed --bootstrap HOST:PORT --group G --topic T [--slack N]
//                      [--timeout-s S] [--interval-ms MS]
//
// The end offsets are read once, at start: run it after the last record was produced.
// --slack 1: done when each partition has committed all but its last record (bench/run ends each
// partition with one sentinel record whose arrival cuts the last data object, so no idle-flush
// wait is in the timing). Output: "done_at=1735689600.123 partitions=N records=R" (records:
// the sum of the targets). Exit 1 on timeout (the partitions still behind go to stderr).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "bench/lib/tool_args.hpp"

namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "ks3_wait_committed: %s\n", message.c_str());
  std::exit(2);
}

using Args = ks3::bench::WaitCommittedArgs;

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                      decltype(&rd_kafka_topic_partition_list_destroy)>;

Handle make_client(const Args& args) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [name, value] :
       {std::pair<const char*, std::string>{"bootstrap.servers", args.bootstrap},
        {"group.id", args.group},
        {"enable.auto.commit", "false"},
        {"client.id", "ks3_wait_committed"}}) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      die(std::string(name) + ": " + errstr);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    die(std::string("cannot create the client: ") + errstr);
  }
  return Handle(rk, &rd_kafka_destroy);
}

int partition_count(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &metadata, 10000);
  rd_kafka_topic_destroy(handle);
  if (err) die("metadata of " + topic + ": " + rd_kafka_err2str(err));
  int count =
      metadata->topic_cnt == 1 && !metadata->topics[0].err ? metadata->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(metadata);
  if (count <= 0) die("topic " + topic + " does not exist");
  return count;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed =
      ks3::bench::parse_wait_committed_args(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto* exit = std::get_if<ks3::cli::Exit>(&parsed)) return ks3::cli::finish(*exit);
  const Args& args = std::get<Args>(parsed);
  Handle client = make_client(args);
  rd_kafka_t* rk = client.get();
  const int partitions = partition_count(rk, args.topic);
  std::vector<std::int64_t> target(partitions, 0);
  std::int64_t records = 0;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t low = 0, high = 0;
    auto err = rd_kafka_query_watermark_offsets(rk, args.topic.c_str(), p, &low, &high, 10000);
    if (err) die("watermarks of partition " + std::to_string(p) + ": " + rd_kafka_err2str(err));
    target[p] = high > args.slack ? high - args.slack : 0;
    records += target[p];
  }
  PartitionList list(rd_kafka_topic_partition_list_new(partitions),
                     &rd_kafka_topic_partition_list_destroy);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list.get(), args.topic.c_str(), p);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(args.timeout_s);
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list.get(), 5000);
    std::vector<int> behind;
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      // A partition with nothing to land (target 0) counts as done even without a commit.
      if (target[tp.partition] > 0 && (tp.err || tp.offset < target[tp.partition])) {
        behind.push_back(tp.partition);
      }
    }
    if (!err && behind.empty()) {
      std::printf("done_at=%.3f partitions=%d records=%lld\n", unix_now(), partitions,
                  static_cast<long long>(records));
      return 0;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::fprintf(stderr, "ks3_wait_committed: timed out after %lds; %zu partitions behind%s\n",
                   args.timeout_s, behind.size(),
                   err ? (std::string(" (") + rd_kafka_err2str(err) + ")").c_str() : "");
      for (int p : behind) {
        std::fprintf(stderr, "  partition %d: committed %lld, target %lld\n", p,
                     static_cast<long long>(list->elems[p].offset),
                     static_cast<long long>(target[p]));
      }
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(args.interval_ms));
  }
}

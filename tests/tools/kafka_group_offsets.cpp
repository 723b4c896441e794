// kafka_group_offsets: prints, for every partition of the given topics, the consumer group's
// committed offset with its metadata string and the partition's end offset (high watermark).
// Used by the integration scripts (tests/integration/lib/kafka.sh) to check commits.
//
//   kafka_group_offsets --bootstrap HOST:PORT,... --group GROUP --topic TOPIC [--topic ...]
//                       [--reset-to earliest] [--until at-end|above:N --timeout-s S]
//
// --reset-to earliest first commits, for every partition, its earliest offset (low watermark)
// with no metadata, as `kafka-consumer-groups --reset-offsets --to-earliest` does (the group
// must have no active member), then prints as usual.
//
// --until waits in this one process (one OffsetFetch and the watermarks every 100 ms, far cheaper
// than a new client per poll from a shell loop) until the group's commits reach the end offsets
// of every partition holding records (at-end) or add up to more than N (above:N), then prints as
// usual. Errors while waiting (a broker down, a topic not there yet) are retried. Exit status 3
// after --timeout-s (default 60) without the condition, with the last table printed.
//
// Output, one line per partition, sorted by topic then partition (tab-separated):
//   TOPIC  PARTITION  COMMITTED  END  METADATA
// COMMITTED is -1 when the group has no commit for the partition; METADATA is printed with
// non-printable bytes as '?' (empty when none). Exit status 1 with a message on any error.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "kafka_group_offsets: %s\n", message.c_str());
  std::exit(1);
}

struct Args {
  std::string bootstrap;
  std::string group;
  std::vector<std::string> topics;
  bool reset_to_earliest = false;
  enum class Until { none, at_end, above } until = Until::none;
  long long above = 0;
  int timeout_s = 60;
};

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) die("missing value after " + std::string(arg));
    std::string value = argv[++i];
    if (arg == "--bootstrap") {
      args.bootstrap = value;
    } else if (arg == "--group") {
      args.group = value;
    } else if (arg == "--topic") {
      args.topics.push_back(value);
    } else if (arg == "--reset-to" && value == "earliest") {
      args.reset_to_earliest = true;
    } else if (arg == "--until" && value == "at-end") {
      args.until = Args::Until::at_end;
    } else if (arg == "--until" && value.rfind("above:", 0) == 0) {
      args.until = Args::Until::above;
      args.above = std::atoll(value.c_str() + 6);
    } else if (arg == "--timeout-s") {
      args.timeout_s = std::atoi(value.c_str());
    } else {
      die("unknown argument " + std::string(arg) +
          " (usage: --bootstrap SERVERS --group GROUP --topic TOPIC...)");
    }
  }
  if (args.bootstrap.empty() || args.group.empty() || args.topics.empty()) {
    die("usage: kafka_group_offsets --bootstrap SERVERS --group GROUP --topic TOPIC...");
  }
  return args;
}

// `member`: a consumer that joins the group (--reset-to), with the timings the mock cluster needs
// (its joins wait session.timeout.ms after a member left).
rd_kafka_t* make_consumer(const Args& args, bool member = false) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      die(std::string("config ") + name + ": " + errstr);
    }
  };
  set("bootstrap.servers", args.bootstrap);
  set("group.id", args.group);
  set("enable.auto.commit", "false");
  set("log_level", "3");
  if (member) {
    set("session.timeout.ms", "6000");
    set("heartbeat.interval.ms", "500");
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) die(std::string("cannot create consumer: ") + errstr);
  return rk;
}

// A failed step: what failed, for the message (or for a retry under --until).
using Failure = std::optional<std::string>;

Failure partition_count(rd_kafka_t* rk, const std::string& topic, int& count) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  auto err = rd_kafka_metadata(rk, 0, handle, &metadata, 10000);
  rd_kafka_topic_destroy(handle);
  if (err) return "metadata for " + topic + ": " + rd_kafka_err2str(err);
  count = 0;
  if (metadata->topic_cnt == 1 && !metadata->topics[0].err)
    count = metadata->topics[0].partition_cnt;
  auto topic_err = metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_metadata_destroy(metadata);
  if (topic_err) return "topic " + topic + ": " + rd_kafka_err2str(topic_err);
  return std::nullopt;
}

std::string printable(const void* data, std::size_t size) {
  std::string out(static_cast<const char*>(data), size);
  for (char& c : out) {
    if (c < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// Joins the group (it must have no other member), waits for the assignment of every partition
// in `all`, commits each one's earliest offset with empty metadata, and leaves. (A commit from
// outside the group is refused by the mock cluster: "Unknown member".)
void reset_to_earliest(const Args& args, const rd_kafka_topic_partition_list_t* all) {
  rd_kafka_t* rk = make_consumer(args, true);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  for (const auto& topic : args.topics) {
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(rk, topics))
    die(std::string("subscribe: ") + rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(topics);
  // Wait (bounded) until the group gave this member every partition.
  for (int i = 0;; ++i) {
    if (i >= 300) die("resetting group " + args.group + ": no full assignment within 30 s");
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100)) rd_kafka_message_destroy(m);
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR && assigned) {
      const bool complete = assigned->cnt == all->cnt;
      rd_kafka_topic_partition_list_destroy(assigned);
      if (complete) break;
    }
  }
  rd_kafka_topic_partition_list_t* reset = rd_kafka_topic_partition_list_copy(all);
  for (int i = 0; i < reset->cnt; ++i) {
    auto& tp = reset->elems[i];
    int64_t low = 0;
    int64_t high = 0;
    if (auto err =
            rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, 10000)) {
      die(std::string("earliest offset of ") + tp.topic + ": " + rd_kafka_err2str(err));
    }
    tp.offset = low;
  }
  if (auto err = rd_kafka_commit(rk, reset, 0)) {
    die(std::string("resetting group ") + args.group + ": " + rd_kafka_err2str(err));
  }
  rd_kafka_topic_partition_list_destroy(reset);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

struct Row {
  std::string topic;
  int partition = 0;
  long long committed = -1;
  long long end = 0;
  std::string metadata;
};

// Every partition of the topics (sorted), or what failed.
Failure read_partitions(rd_kafka_t* rk, const Args& args, rd_kafka_topic_partition_list_t*& list) {
  list = rd_kafka_topic_partition_list_new(16);
  for (const auto& topic : args.topics) {
    int count = 0;
    if (Failure failure = partition_count(rk, topic, count)) return failure;
    for (int p = 0; p < count; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  }
  rd_kafka_topic_partition_list_sort(list, nullptr, nullptr);
  return std::nullopt;
}

// The group's committed offset and the end offset of each partition in `list`.
Failure read_rows(rd_kafka_t* rk, const Args& args, rd_kafka_topic_partition_list_t* list,
                  std::vector<Row>& rows) {
  rows.clear();
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
  if (auto err = rd_kafka_committed(rk, list, 10000)) {
    return std::string("committed offsets of group ") + args.group + ": " + rd_kafka_err2str(err);
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    if (tp.err)
      return std::string("committed offset of ") + tp.topic + ": " + rd_kafka_err2str(tp.err);
    int64_t low = 0;
    int64_t high = 0;
    if (auto err =
            rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, 10000)) {
      return std::string("end offset of ") + tp.topic + ": " + rd_kafka_err2str(err);
    }
    rows.push_back({tp.topic, tp.partition, tp.offset >= 0 ? tp.offset : -1,
                    static_cast<long long>(high), printable(tp.metadata, tp.metadata_size)});
  }
  return std::nullopt;
}

bool condition_holds(const Args& args, const std::vector<Row>& rows) {
  if (args.until == Args::Until::at_end) {
    for (const auto& row : rows) {
      if (row.end > 0 && row.committed != row.end) return false;
    }
    return true;
  }
  long long total = 0;
  for (const auto& row : rows) total += row.committed > 0 ? row.committed : 0;
  return total > args.above;
}

void print(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    std::printf("%s\t%d\t%lld\t%lld\t%s\n", row.topic.c_str(), row.partition, row.committed,
                row.end, row.metadata.c_str());
  }
}

// --until: polls until the condition holds (exit 0) or the timeout passes (exit 3; --timeout-s 0
// checks once); errors are retried, the last one reported on timeout. Prints the last table.
int wait_until(rd_kafka_t* rk, const Args& args) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(args.timeout_s);
  rd_kafka_topic_partition_list_t* list = nullptr;
  std::vector<Row> rows;
  Failure last;
  int status = 0;
  for (;;) {
    if (!list && (last = read_partitions(rk, args, list))) {
      rd_kafka_topic_partition_list_destroy(list);
      list = nullptr;
    }
    if (list && !(last = read_rows(rk, args, list, rows)) && condition_holds(args, rows)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      if (last) std::fprintf(stderr, "kafka_group_offsets: last error: %s\n", last->c_str());
      status = 3;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  print(rows);
  if (list) rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  rd_kafka_t* rk = make_consumer(args);
  if (args.until != Args::Until::none) return wait_until(rk, args);

  rd_kafka_topic_partition_list_t* list = nullptr;
  if (Failure failure = read_partitions(rk, args, list)) die(*failure);
  if (args.reset_to_earliest) reset_to_earliest(args, list);
  std::vector<Row> rows;
  if (Failure failure = read_rows(rk, args, list, rows)) die(*failure);
  print(rows);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return 0;
}

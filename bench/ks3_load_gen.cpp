// ks3_load_gen: produces N synthetic records (bench/lib/record_gen.hpp) to a Kafka topic as fast
// as librdkafka can send them (or at a fixed rate), then reports what it produced.
//
//   ks3_load_gen --bootstrap HOST:PORT --topic T --records N [--value-size BYTES]
//                [--shape edfi|debezium|events] [--keys CARDINALITY] [--seed S]
//                [--delete-ratio R] [--partitioner key|round-robin] [--rate RECORDS_PER_S]
//                [--first-index I] [--allow-drop]
//
// Output (stdout, one line, key=value): records, bytes (key + value), seconds, records_per_s,
// mb_per_s (10^6 bytes), partitions, retained (records the topic holds afterwards) and dropped.
// kafka-mock-broker keeps only ~5 MiB per partition and silently drops older data: unless
// --allow-drop is given, any drop is an error (exit 3), since a benchmark over missing data lies.
// Exit 1 on a delivery failure, 2 on bad arguments.
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

#include "bench/lib/record_gen.hpp"
#include "bench/lib/tool_args.hpp"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "ks3_load_gen: %s\n", message.c_str());
  std::exit(1);
}

using Args = ks3::bench::LoadGenArgs;

struct Delivery {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* delivery = static_cast<Delivery*>(opaque);
  if (message->err) {
    if (delivery->failed++ == 0) delivery->first_error = rd_kafka_err2str(message->err);
  } else {
    ++delivery->delivered;
  }
}

using Producer = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

Producer make_producer(const Args& args, Delivery& delivery) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // Throughput settings: big batches that fill before linger expires, no compression (the
  // sink's cost is measured, not the codec's), a deep local queue so generation never waits.
  const std::vector<std::pair<const char*, std::string>> settings = {
      {"bootstrap.servers", args.bootstrap},
      {"client.id", "ks3_load_gen"},
      {"linger.ms", "20"},
      {"batch.size", "1000000"},
      {"batch.num.messages", "100000"},
      {"compression.codec", "none"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"message.max.bytes", "2000000"},
      {"acks", "1"},
      {"enable.idempotence", "false"},
  };
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      die(std::string("librdkafka rejected ") + name + ": " + errstr);
    }
  }
  rd_kafka_conf_set_opaque(conf, &delivery);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    die(std::string("cannot create the producer: ") + errstr);
  }
  return Producer(rk, &rd_kafka_destroy);
}

int partition_count(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &metadata, 10000);
  rd_kafka_topic_destroy(handle);
  if (err) die("cannot read the metadata of topic " + topic + ": " + rd_kafka_err2str(err));
  int count = 0;
  if (metadata->topic_cnt == 1 && !metadata->topics[0].err)
    count = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);
  if (count <= 0)
    die("topic " + topic + " does not exist (create it, e.g. kafka-mock-broker --topic)");
  return count;
}

// Sends one record, waiting (serving delivery reports) while the local queue is full.
void produce_one(rd_kafka_t* rk, const std::string& topic, std::int32_t partition, std::string& key,
                 std::string& value) {
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_END);
    if (!err) return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      die(std::string("produce failed: ") + rd_kafka_err2str(err));
    rd_kafka_poll(rk, 5);
  }
}

struct Retention {
  std::int64_t retained = 0;
  std::int64_t dropped = 0;  // records before the low watermark (deleted by the broker)
};

Retention check_retention(rd_kafka_t* rk, const std::string& topic, int partitions) {
  Retention result;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000);
    if (err)
      die("cannot read the watermarks of " + topic + ":" + std::to_string(p) + ": " +
          rd_kafka_err2str(err));
    result.retained += high - low;
    result.dropped += low;
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ks3::bench::parse_load_gen_args(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto* exit = std::get_if<ks3::cli::Exit>(&parsed)) return ks3::cli::finish(*exit);
  const Args& args = std::get<Args>(parsed);
  Delivery delivery;
  Producer producer = make_producer(args, delivery);
  rd_kafka_t* rk = producer.get();
  const int partitions = partition_count(rk, args.topic);
  const ks3::bench::RecordGenerator generator(args.gen);

  std::string key, value;
  std::uint64_t bytes = 0;
  const auto start = Clock::now();
  for (std::uint64_t n = 0; n < args.records; ++n) {
    const std::uint64_t index = args.first_index + n;
    generator.make(index, key, value);
    bytes += key.size() + value.size();
    const std::int32_t partition =
        args.round_robin ? static_cast<std::int32_t>(index % partitions) : RD_KAFKA_PARTITION_UA;
    if (args.rate > 0) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(n / args.rate));
      if (Clock::now() < due) std::this_thread::sleep_until(due);
    }
    produce_one(rk, args.topic, partition, key, value);
    if ((n & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  const rd_kafka_resp_err_t flushed = rd_kafka_flush(rk, 120000);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (flushed) die(std::string("flush did not finish: ") + rd_kafka_err2str(flushed));
  if (delivery.failed) {
    die(std::to_string(delivery.failed) +
        " records failed delivery, first: " + delivery.first_error);
  }
  const Retention retention = check_retention(rk, args.topic, partitions);
  std::printf(
      "records=%llu bytes=%llu seconds=%.3f records_per_s=%.0f mb_per_s=%.1f partitions=%d "
      "retained=%lld dropped=%lld\n",
      static_cast<unsigned long long>(args.records), static_cast<unsigned long long>(bytes),
      seconds, args.records / seconds, bytes / seconds / 1e6, partitions,
      static_cast<long long>(retention.retained), static_cast<long long>(retention.dropped));
  if (retention.dropped > 0 && !args.allow_drop) {
    std::fprintf(stderr,
                 "ks3_load_gen: the broker dropped %lld old records of %s (kafka-mock-broker keeps "
                 "~5 MiB per partition): produce fewer or smaller records, or use more "
                 "partitions\n",
                 static_cast<long long>(retention.dropped), args.topic.c_str());
    return 3;
  }
  return 0;
}

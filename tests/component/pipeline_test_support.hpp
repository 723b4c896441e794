// Shared by the pipeline component tests: the pipeline wired to the strict fake S3 and a fake
// consumer (records fed by hand, commits recorded), plus decoding of what landed in S3.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metrics/registry.hpp"
#include "metrics/sink_metrics.hpp"
#include "s3/client.hpp"
#include "s3/multipart_upload.hpp"
#include "server/compress/compressor.hpp"
#include "server/config/config.hpp"
#include "server/pipeline/async_condition.hpp"
#include "server/pipeline/manifest_store.hpp"
#include "server/pipeline/pipeline.hpp"
#include "server/record/json_path.hpp"
#include "server/workers/worker_pool.hpp"
#include "tests/component/fake_s3.hpp"
#include "tests/component/s3_test_support.hpp"

namespace ks3::test {

namespace asio = boost::asio;

class FakeConsumer : public server::ConsumerControl {
 public:
  struct Commit {
    kafka::TopicPartition tp;
    std::int64_t offset = 0;
    std::string metadata;
    std::size_t objects_in_s3 = 0;  // objects the fake S3 held when the commit was acknowledged
  };

  FakeConsumer(asio::any_io_executor executor, FakeS3& s3) : released(executor), s3_(s3) {}

  asio::awaitable<boost::system::error_code> commit(kafka::TopicPartition tp,
                                                    std::int64_t next_offset,
                                                    std::string metadata) override {
    co_await released.wait_until([this] { return !hold; });
    if (fail_next > 0) {
      --fail_next;
      ++failures;
      co_return boost::system::errc::make_error_code(boost::system::errc::io_error);
    }
    log.push_back({tp, next_offset, metadata, s3_.keys("test-bucket").size()});
    committed[tp] = {next_offset, metadata};
    co_return boost::system::error_code{};
  }
  void pause_all() override {
    ++pauses;
    paused = true;
  }
  void resume_all() override {
    ++resumes;
    paused = false;
    paused_partitions.clear();
  }
  void pause(const kafka::TopicPartition& tp) override { paused_partitions.insert(tp); }
  void resume(const kafka::TopicPartition& tp) override { paused_partitions.erase(tp); }

  // The committed offset of partition `partition` of topic "t" (-1: none).
  std::int64_t offset(std::int32_t partition) const {
    auto it = committed.find({"t", partition});
    return it == committed.end() ? -1 : it->second.first;
  }
  std::string metadata(std::int32_t partition) const {
    auto it = committed.find({"t", partition});
    return it == committed.end() ? std::string() : it->second.second;
  }

  std::vector<Commit> log;
  std::map<kafka::TopicPartition, std::pair<std::int64_t, std::string>> committed;
  std::set<kafka::TopicPartition> paused_partitions;  // pause(tp) / resume(tp)
  bool hold = false;                                  // commits wait until released
  int fail_next = 0;
  int failures = 0;
  int pauses = 0;
  int resumes = 0;
  bool paused = false;
  server::AsyncCondition released;

 private:
  FakeS3& s3_;
};

// One record with an optional key and value (nullopt value: tombstone).
struct TestRecord {
  std::string topic = "t";
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 1700000000000;
  std::optional<std::string> key;
  std::optional<std::string> value;

  kafka::Record view() const {
    kafka::Record r;
    r.topic = topic;
    r.partition = partition;
    r.offset = offset;
    r.timestamp_ms = timestamp_ms;
    if (key) r.key = *key;
    if (value) r.value = *value;
    r.set_headers({});
    return r;
  }
};

inline TestRecord json_record(std::int32_t partition, std::int64_t offset,
                              std::string resource = "Student") {
  TestRecord r;
  r.partition = partition;
  r.offset = offset;
  r.key = "k" + std::to_string(offset);
  r.value = R"({"id":)" + std::to_string(offset) + R"(,"resourcename":")" + resource + R"("})";
  return r;
}

// A record as found in S3 after decoding: where it came from.
struct LandedRecord {
  std::string key;  // object key
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

// Downloads (reads from the fake) and decodes every JSON-lines object under `prefix`.
inline std::vector<LandedRecord> landed_records(const FakeS3& s3, const std::string& prefix = "") {
  std::vector<LandedRecord> out;
  server::JsonReader json;
  const auto partition_path = *server::JsonPath::parse("partition");
  const auto offset_path = *server::JsonPath::parse("offset");
  for (const std::string& key : s3.keys("test-bucket")) {
    if (!key.starts_with(prefix)) continue;
    auto object = s3.object("test-bucket", key);
    server::Compression compression = key.ends_with(".gz")    ? server::Compression::gzip
                                      : key.ends_with(".zst") ? server::Compression::zstd
                                                              : server::Compression::none;
    auto data = server::decompress(compression, object->data);
    EXPECT_TRUE(data) << "object " << key << " does not decompress";
    if (!data) continue;
    std::size_t start = 0;
    while (start < data->size()) {
      std::size_t end = data->find('\n', start);
      if (end == std::string::npos) end = data->size();
      std::string line = data->substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      EXPECT_TRUE(json.load(line)) << line;
      LandedRecord landed;
      landed.key = key;
      landed.partition = std::stoi(json.extract(partition_path).value_or("-1"));
      landed.offset = std::stoll(json.extract(offset_path).value_or("-1"));
      out.push_back(landed);
    }
  }
  return out;
}

// Checks that every offset in [from, to) of each partition landed exactly once.
inline void expect_exactly_once(
    const std::vector<LandedRecord>& landed,
    const std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>& expected_ranges) {
  std::map<std::pair<std::int32_t, std::int64_t>, std::vector<std::string>> seen;
  for (const LandedRecord& r : landed) seen[{r.partition, r.offset}].push_back(r.key);
  std::size_t expected = 0;
  for (const auto& [partition, range] : expected_ranges) {
    for (std::int64_t offset = range.first; offset < range.second; ++offset) {
      ++expected;
      auto it = seen.find({partition, offset});
      if (it == seen.end()) {
        ADD_FAILURE() << "partition " << partition << " offset " << offset << " missing";
      } else if (it->second.size() != 1) {
        ADD_FAILURE() << "partition " << partition << " offset " << offset << " landed "
                      << it->second.size() << " times, e.g. in " << it->second[0] << " and "
                      << it->second[1];
      }
    }
  }
  EXPECT_EQ(landed.size(), expected) << "records outside the expected ranges landed";
}

// The whole set-up of one pipeline over the fake S3. Several can share one FakeS3 (restarts).
struct PipelineRig {
  PipelineRig(asio::io_context& io, FakeS3& s3, server::SinkConfig config_in)
      : config(std::move(config_in)),
        client(io.get_executor(), client_config(s3, config),
               s3::make_static_credentials(test_credentials(), "test")),
        uploads(client, server::multipart_limits(config)),
        workers(config.pipeline.workers),
        metrics(registry),
        consumer(io.get_executor(), s3),
        pipeline(io.get_executor(), config, uploads, workers, metrics) {
    pipeline.set_consumer(&consumer);
    pipeline.set_fatal_handler([this](const std::string& message) { fatal = message; });
    pipeline.start();
  }

  static s3::ClientConfig client_config(const FakeS3& s3, const server::SinkConfig& config) {
    s3::ClientConfig c = test_config(s3);
    c.bucket = config.s3.client.bucket;
    // The fake S3 shares the loop with the pipeline, so a loop kept busy (a test feeding
    // thousands of records at once, under ThreadSanitizer on a loaded machine) times out every
    // request in flight: 2 s timeouts gave up a PutObject after 4 attempts. No pipeline test is
    // about client timeouts; the ones about a stalled S3 use the drain deadline.
    c.timeouts.write = c.timeouts.read = std::chrono::seconds(20);
    return c;
  }

  void assign(std::int32_t partition, std::int64_t committed = -1, std::string metadata = "") {
    kafka::AssignedPartition assigned;
    assigned.tp = {"t", partition};
    assigned.committed_offset = committed;
    assigned.committed_metadata = std::move(metadata);
    pipeline.on_assigned(std::span<const kafka::AssignedPartition>(&assigned, 1));
  }

  void feed(const TestRecord& record) { pipeline.on_record(record.view()); }

  // Cut manifests in the fake S3's bucket (call before assigning).
  void enable_manifests() {
    manifest_store.emplace(client, config.s3.client.bucket);
    pipeline.set_manifest_store(&*manifest_store);
  }

  server::SinkConfig config;
  s3::Client client;
  s3::MultipartUploads uploads;
  server::WorkerPool workers;
  metrics::Registry registry;
  metrics::SinkMetrics metrics;
  FakeConsumer consumer;
  server::Pipeline pipeline;
  std::optional<server::S3ManifestStore> manifest_store;
  std::optional<std::string> fatal;
};

// A configuration for tests: the fake's bucket, one topic, small parts, fast ticks. The fake
// consumer prefetches nothing, so the budget's librdkafka reservation is small (1 MiB).
// `sets` are --set overrides ("rotation.max_records=3").
inline server::SinkConfig test_sink_config(std::vector<std::string> sets = {}) {
  server::ConfigSources sources;
  sources.sets = std::move(sets);
  return server::load_config_from_yaml(R"(
kafka: {topics: [t], properties: {queued.max.messages.kbytes: "1024"}}
s3: {bucket: test-bucket, part_size: 5MiB}
memory: {high_watermark: 64MiB, low_watermark: 32MiB}
rotation: {max_bytes: 0, idle_flush: 0, max_open: 0, max_records: 1000000}
)",
                                       sources);
}

// Runs a coroutine returning nothing to completion (see run_on).
inline void run(asio::io_context& io, asio::awaitable<void> work,
                std::chrono::seconds limit = std::chrono::seconds(60)) {
  run_on(
      io,
      [](asio::awaitable<void> inner) -> asio::awaitable<int> {
        co_await std::move(inner);
        co_return 0;
      }(std::move(work)),
      limit);
}

// Polls `predicate` every few milliseconds on the io_context until it holds or `limit` passes.
inline asio::awaitable<bool> eventually(
    std::function<bool()> predicate, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return true;
}

}  // namespace ks3::test

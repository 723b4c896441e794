// The I/O shell of replay: S3 listing and GETs, the Kafka producer, progress and counts.
#include "server/replay/replay.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "kafka/errors.hpp"
#include "kafka/producer.hpp"
#include "metrics/log.hpp"
#include "server/compress/compressor.hpp"
#include "server/replay/replay_merge.hpp"
#include "server/replay/replay_plan.hpp"

namespace ks3::server::replay {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

std::string_view to_string(Partitioning partitioning) {
  switch (partitioning) {
    case Partitioning::auto_:
      return "auto";
    case Partitioning::keep:
      return "keep";
    case Partitioning::key:
      return "key";
  }
  return "?";
}

class Replayer {
 public:
  Replayer(const ReplayOptions& options, s3::Client& client, ReplayResult& result)
      : options_(options), client_(client), result_(result) {}

  asio::awaitable<void> run() {
    if (options_.bucket.empty()) throw ReplayError("no bucket given");
    if (options_.target_topic.empty() && !options_.dry_run) {
      throw ReplayError("no target topic given");
    }
    const KeyPattern pattern = KeyPattern::parse(options_.key_template, options_.key_prefix);
    auto listing = co_await client_.list_all_objects(options_.bucket, options_.prefix);
    if (!listing) throw ReplayError(listing.error().describe());
    std::vector<ListedObject> listed;
    listed.reserve(listing->size());
    for (const auto& object : *listing) listed.push_back({object.key, object.size});
    ReplayPlan plan = make_plan(listed, pattern, options_.source_topic);
    result_.objects_skipped = plan.skipped.size();
    result_.partitions = plan.partitions.size();
    log::info("replay plan", {{"bucket", options_.bucket},
                              {"prefix", options_.prefix},
                              {"topic", plan.topics.empty() ? "" : plan.topics.front()},
                              {"partitions", plan.partitions.size()},
                              {"objects", plan.object_count},
                              {"bytes", plan.total_bytes},
                              {"skipped", plan.skipped.size()}});
    for (std::size_t i = 0; i < plan.skipped.size() && i < 5; ++i) {
      log::warn("replay skips an object that is not a JSONL object of the key template",
                {{"key", plan.skipped[i]}, {"key_template", options_.key_template}});
    }
    if (plan.object_count == 0) {
      throw ReplayError("no JSONL objects of the key template '" + options_.key_template +
                        "' under s3://" + options_.bucket + "/" + options_.prefix);
    }

    if (!options_.dry_run) co_await start_producer(plan);
    last_progress_ = Clock::now();
    for (PartitionPlan& partition : plan.partitions) {
      co_await replay_partition(PartitionMerge(std::move(partition), options_.encodings));
    }
    if (producer_) co_await flush();
    result_.ok = true;
    log::info("replay done", {{"target_topic", options_.target_topic},
                              {"records", result_.records},
                              {"objects", result_.objects},
                              {"duplicates_skipped", result_.duplicates},
                              {"partitions_kept", result_.kept_partitions},
                              {"dry_run", options_.dry_run}});
  }

 private:
  asio::awaitable<void> start_producer(const ReplayPlan& plan) {
    producer_ = std::make_unique<kafka::Producer>(
        kafka::ProducerConfig{options_.bootstrap_servers, options_.producer_properties});
    // The metadata request blocks: on a helper thread, the event loop keeps running.
    int count = 0;
    boost::system::error_code ec;
    {
      asio::thread_pool helper(1);
      co_await asio::co_spawn(
          helper.get_executor(),
          [&]() -> asio::awaitable<void> {
            ec =
                producer_->partition_count(options_.target_topic, options_.metadata_timeout, count);
            co_return;
          },
          asio::use_awaitable);
      helper.join();
    }
    if (ec) {
      throw ReplayError("cannot read the partitions of topic '" + options_.target_topic +
                        "' from " + options_.bootstrap_servers + ": " + ec.message());
    }
    const int needed = plan.max_partition + 1;
    if (count == 0) {
      throw ReplayError("the target topic '" + options_.target_topic +
                        "' does not exist: create it first (with " + std::to_string(needed) +
                        " or more partitions to keep the source partitions)");
    }
    result_.target_partitions = count;
    const bool enough = count >= needed;
    if (options_.partitioning == Partitioning::keep && !enough) {
      throw ReplayError(
          "the target topic '" + options_.target_topic + "' has " + std::to_string(count) +
          " partitions; keeping the source partitions needs " + std::to_string(needed));
    }
    keep_partitions_ = enough && options_.partitioning != Partitioning::key;
    result_.kept_partitions = keep_partitions_;
    if (!keep_partitions_ && options_.partitioning == Partitioning::auto_) {
      log::warn(
          "the target topic has fewer partitions than the source: the producer's partitioner "
          "picks partitions by key (order per key is kept, partition numbers are not)",
          {{"target_topic", options_.target_topic},
           {"target_partitions", count},
           {"source_partitions_needed", needed}});
    }
    log::info("replay target", {{"target_topic", options_.target_topic},
                                {"bootstrap_servers", options_.bootstrap_servers},
                                {"target_partitions", count},
                                {"partitioning", to_string(options_.partitioning)},
                                {"partitions_kept", keep_partitions_}});
  }

  asio::awaitable<void> replay_partition(PartitionMerge merge) {
    const std::string topic = merge.plan().topic;
    const std::int32_t partition = merge.plan().partition;
    log::debug(
        "replay partition",
        {{"topic", topic}, {"partition", partition}, {"objects", merge.plan().objects.size()}});
    ReplayRecord record;
    std::vector<kafka::Header> headers;
    for (;;) {
      while (const ObjectRef* object = merge.object_to_open()) {
        merge.open(co_await fetch(*object));
      }
      const auto next = merge.next(record);
      if (next == PartitionMerge::Next::done) break;
      if (next == PartitionMerge::Next::duplicate) continue;
      note_missing_fields(record);
      if (producer_) {
        headers.clear();
        for (const ReplayHeader& header : record.headers) {
          headers.push_back({header.name, header.value
                                              ? std::optional<std::string_view>(*header.value)
                                              : std::nullopt});
        }
        kafka::ProducerRecord out;
        out.topic = options_.target_topic;
        out.partition = keep_partitions_ ? record.partition.value_or(partition) : -1;
        out.timestamp_ms = record.timestamp_ms;
        if (record.key) out.key = *record.key;
        if (record.value) out.value = *record.value;
        out.headers = headers;
        co_await produce(out);
      }
      ++result_.records;
      if (result_.records % 1000 == 0) co_await breathe();
    }
    result_.duplicates += merge.duplicates();
    if (merge.duplicates() > 0) {
      log::warn("replay skipped records whose offsets were already produced (overlapping objects)",
                {{"topic", topic}, {"partition", partition}, {"records", merge.duplicates()}});
    }
  }

  asio::awaitable<std::string> fetch(const ObjectRef& object) {
    auto got = co_await client_.get_object(options_.bucket, object.key, options_.max_object_bytes);
    if (!got) throw ReplayError(got.error().describe());
    ++result_.objects;
    result_.bytes += got->data.size();
    log::debug("replay object", {{"key", object.key},
                                 {"partition", object.partition},
                                 {"start_offset", object.start_offset},
                                 {"bytes", got->data.size()}});
    if (object.compression == Compression::none) co_return std::move(got->data);
    auto text = decompress(object.compression, got->data);
    if (!text) {
      throw ReplayError("s3 object '" + object.key + "' is not a valid " +
                        std::string(server::to_string(object.compression)) + " stream");
    }
    co_return std::move(*text);
  }

  asio::awaitable<void> produce(const kafka::ProducerRecord& record) {
    for (;;) {
      const auto ec = producer_->produce(record);
      if (!ec) co_return;
      if (!kafka::Producer::is_queue_full(ec)) {
        throw ReplayError("cannot produce to topic '" + options_.target_topic +
                          "': " + ec.message());
      }
      producer_->poll();
      check_delivery();
      co_await sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Serves delivery reports, logs progress and lets other work on the event loop run.
  asio::awaitable<void> breathe() {
    if (producer_) {
      producer_->poll();
      check_delivery();
    }
    const auto now = Clock::now();
    if (now - last_progress_ >= options_.progress_interval) {
      last_progress_ = now;
      log::info("replay progress", {{"records", result_.records},
                                    {"delivered", producer_ ? producer_->delivered() : 0},
                                    {"objects", result_.objects},
                                    {"bytes", result_.bytes}});
    }
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }

  asio::awaitable<void> flush() {
    const auto deadline = Clock::now() + options_.flush_timeout;
    for (;;) {
      producer_->poll();
      check_delivery();
      if (producer_->in_flight() == 0) break;
      if (Clock::now() >= deadline) {
        throw ReplayError(std::to_string(producer_->in_flight()) + " records not delivered to '" +
                          options_.target_topic + "' within " +
                          std::to_string(options_.flush_timeout.count()) + " ms");
      }
      co_await sleep_for(std::chrono::milliseconds(10));
    }
    if (producer_->delivered() != result_.records) {
      throw ReplayError("produced " + std::to_string(result_.records) + " records but " +
                        std::to_string(producer_->delivered()) + " were delivered");
    }
  }

  void check_delivery() {
    if (auto failure = producer_->failure()) {
      std::string where = failure->topic.empty() ? std::string()
                                                 : " (" + failure->topic + "/" +
                                                       std::to_string(failure->partition) + ")";
      throw ReplayError("delivery failed" + where + ": " + kafka::error_name(failure->code) + ": " +
                        failure->message);
    }
  }

  void note_missing_fields(const ReplayRecord& record) {
    if (warned_fields_) return;
    warned_fields_ = true;
    std::string missing;
    if (!record.has_key) missing += " key";
    if (!record.has_timestamp) missing += " timestamp";
    if (!record.has_headers) missing += " headers";
    if (!record.offset) missing += " offset";
    if (!missing.empty()) {
      log::info(
          "the objects' envelope lacks fields: records are produced without them (no key, "
          "the producer's time, no headers; without offset: object by object)",
          {{"missing", missing.substr(1)}});
    }
  }

  const ReplayOptions& options_;
  s3::Client& client_;
  ReplayResult& result_;
  std::unique_ptr<kafka::Producer> producer_;
  bool keep_partitions_ = false;
  bool warned_fields_ = false;
  Clock::time_point last_progress_;
};

}  // namespace

asio::awaitable<ReplayResult> run_replay(ReplayOptions options, s3::Client& client) {
  ReplayResult result;
  Replayer replayer(options, client, result);
  try {
    co_await replayer.run();
  } catch (const ReplayError& e) {
    result.ok = false;
    result.error = e.what();
  } catch (const kafka::ConfigError& e) {
    result.ok = false;
    result.error = e.what();
  }
  co_return result;
}

}  // namespace ks3::server::replay

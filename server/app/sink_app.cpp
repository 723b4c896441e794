#include "server/app/sink_app.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdlib>

#include "kafka/consumer.hpp"
#include "kafka/join_monitor.hpp"
#include "kafka/malloc_tuning.hpp"
#include "metrics/exception_message.hpp"
#include "metrics/heartbeat.hpp"
#include "metrics/http_server.hpp"
#include "metrics/log.hpp"
#include "metrics/periodic_check.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/readiness.hpp"
#include "metrics/registry.hpp"
#include "metrics/sink_metrics.hpp"
#include "s3/client.hpp"
#include "s3/credentials_chain.hpp"
#include "s3/multipart_upload.hpp"
#include "server/app/cli_options.hpp"
#include "server/app/consumer_control.hpp"
#include "server/app/startup_check.hpp"
#include "server/app/stop_budget.hpp"
#include "server/mirror/mirror_sink.hpp"
#include "server/pipeline/manifest_store.hpp"
#include "server/pipeline/pipeline.hpp"
#include "server/pipeline/s3_metrics_observer.hpp"
#include "server/workers/worker_pool.hpp"

namespace ks3::server {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kStatusInterval = 1s;

asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Everything the running sink owns, in construction order (destroyed in reverse).
struct Sink {
  Sink(asio::io_context& io, const SinkConfig& config_in)
      : config(config_in),
        metrics(registry),
        readiness(&metrics.ready),
        heartbeat(io.get_executor(), 1s, &metrics.event_loop_delay_seconds),
        observer(metrics),
        workers(config.pipeline.workers),
        credentials(make_credentials(io, config)),
        client(io.get_executor(), config.s3.client, credentials, &observer),
        uploads(client, multipart_limits(config)),
        manifests(client, config.s3.client.bucket, s3::encryption_only(config.s3.objects)),
        pipeline(
            config.mode == SinkMode::log
                ? std::make_unique<Pipeline>(io.get_executor(), config, uploads, workers, metrics)
                : nullptr),
        mirror(config.mode == SinkMode::mirror
                   ? std::make_unique<MirrorSink>(io.get_executor(), config, client, metrics)
                   : nullptr),
        consumer(io.get_executor(), consumer_config(config), listener()),
        join_monitor(consumer_config(config), metrics),
        control(consumer),
        s3_check(io.get_executor(), readiness, "s3", [this] { return probe_bucket(); },
                 {.interval = config.s3.health_check_interval,
                  .timeout = config.s3.health_check_interval}),
        dead_letter_lookup_done(io, asio::steady_timer::time_point::max()) {
    if (pipeline) pipeline->set_consumer(&control);
    if (mirror) mirror->set_consumer(&control);
    if (pipeline && config.delivery.manifests) pipeline->set_manifest_store(&manifests);
    // Payload hashes (SHA-256, the upload checksum) of large bodies run on the workers too.
    if (auto executor = workers.executor()) client.set_hashing_executor(*executor);
    registry.add_collector(std::make_shared<metrics::ProcessCollector>());
    metrics.build_info.with({version_text()}).set(1);
    readiness.declare("kafka", "kafka group not joined");
    readiness.declare("s3", "s3 not checked yet");
  }

  static std::shared_ptr<s3::CredentialsProvider> make_credentials(asio::io_context& io,
                                                                   const SinkConfig& config) {
    s3::CredentialSource source =
        s3::resolve_credential_source(config.s3.credentials, config.s3.client.region,
                                      s3::process_environment(), s3::local_file_reader());
    log::info("s3 credentials", {{"source", source.description}});
    return s3::make_credentials_provider(io.get_executor(), source, config.s3.client.tls,
                                         config.s3.client.timeouts);
  }

  // Readiness of S3: the bucket answers HeadBucket (nullopt: ready; else the /readyz reason).
  asio::awaitable<std::optional<std::string>> probe_bucket() {
    auto checked = co_await client.head_bucket(config.s3.client.bucket);
    if (checked) co_return std::nullopt;
    co_return "s3 unreachable: " + checked.error().describe();
  }

  // mode: log runs the pipeline, mode: mirror the mirror (server/mirror); exactly one is set.
  kafka::ConsumerListener& listener() {
    if (mirror) return *mirror;
    return *pipeline;
  }
  asio::awaitable<bool> drain(std::chrono::milliseconds deadline) {
    if (mirror) return mirror->drain(deadline);
    return pipeline->drain(deadline);
  }
  void stop_delivery() {
    if (mirror) {
      mirror->stop();
    } else {
      pipeline->stop();
    }
  }
  std::int64_t committed_position(const kafka::TopicPartition& tp) const {
    if (mirror) return mirror->committed_offset(tp);
    const PartitionState* state = pipeline->partition_state(tp);
    return state ? state->committed_position() : -1;
  }
  std::size_t assigned_partitions() const {
    return mirror ? mirror->assigned_partitions() : pipeline->assigned_partitions();
  }
  void log_stopped() const {
    if (mirror) {
      log::info("stopped", {{"exit_code", exit_code},
                            {"records", mirror->stats().records},
                            {"puts", mirror->stats().puts},
                            {"deletes", mirror->stats().deletes}});
    } else {
      log::info("stopped", {{"exit_code", exit_code},
                            {"records", pipeline->stats().records},
                            {"objects", pipeline->stats().objects_completed}});
    }
  }

  const SinkConfig& config;
  metrics::Registry registry;
  metrics::SinkMetrics metrics;
  metrics::Readiness readiness;
  metrics::LoopHeartbeat heartbeat;
  std::unique_ptr<metrics::HttpServer> http;
  S3MetricsObserver observer;
  // Destroyed after the pipeline and the client (joins its threads); before the io_context.
  WorkerPool workers;
  std::shared_ptr<s3::CredentialsProvider> credentials;
  s3::Client client;
  s3::MultipartUploads uploads;
  S3ManifestStore manifests;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<MirrorSink> mirror;
  kafka::Consumer consumer;
  kafka::JoinMonitor join_monitor;
  KafkaConsumerControl control;
  metrics::PeriodicCheck s3_check;
  bool stopping = false;
  // The start-up lookup of the dead-letter topic is running; the timer (never expiring) is
  // cancelled when it ends: the event a stop waits for.
  bool dead_letter_lookup_running = false;
  asio::steady_timer dead_letter_lookup_done;
  int exit_code = 0;
  // Set when the sink must stop for a failure: /healthz answers 503 from then on.
  std::atomic<bool> failed{false};
};

// The start-up lookup of the dead-letter topic ended: the event a stop waits for.
void end_dead_letter_lookup(Sink& sink) {
  sink.dead_letter_lookup_running = false;
  sink.dead_letter_lookup_done.cancel();
}

// The completion handler of the sink's own coroutines: an exception is a failure of the sink
// (logged, /healthz 503, exit 1 after committing only what is durable), never silence.
auto fail_on_exception(Sink& sink, std::string what) {
  return [&sink, what = std::move(what)](std::exception_ptr error) {
    if (!error) return;
    const std::string message = log::exception_message(error);
    sink.failed = true;
    log::error("unexpected exception", {{"in", what}, {"error", message}});
    sink.listener().on_error(kafka::ConsumerError{
        {}, true, what + " threw: " + message, std::nullopt});  // fails the pipeline
  };
}

// Readiness and lag: Kafka group joined, consumer lag and committed lag per partition.
asio::awaitable<void> status_loop(Sink& sink) {
  while (!sink.stopping) {
    if (sink.consumer.joined()) {
      sink.readiness.set_ready("kafka");
    } else {
      sink.readiness.set_not_ready("kafka", "kafka group not joined");
    }
    sink.join_monitor.check(sink.consumer, std::chrono::steady_clock::now());
    for (const kafka::TopicPartition& tp : sink.consumer.assignment()) {
      auto progress = sink.consumer.progress(tp);
      if (!progress || progress->high_watermark < 0) continue;
      metrics::PartitionMetrics partition = sink.metrics.partition(tp.topic, tp.partition);
      if (progress->lag >= 0) partition.consumer_lag.set(static_cast<double>(progress->lag));
      if (const std::int64_t committed = sink.committed_position(tp); committed >= 0) {
        partition.committed_lag.set(static_cast<double>(progress->high_watermark - committed));
      }
    }
    sink.metrics.assigned_partitions.set(static_cast<double>(sink.assigned_partitions()));
    co_await sleep_for(kStatusInterval);
  }
}

// The whole stop fits shutdown_deadline + StopBudget::kStopMargin (stop_budget.hpp).
asio::awaitable<void> stop_gracefully(asio::io_context& io, Sink& sink, asio::signal_set& signals) {
  const StopBudget budget(StopBudget::Clock::now(), sink.config.shutdown_deadline);
  log::info("stopping: completing open objects and committing",
            {{"deadline_ms", sink.config.shutdown_deadline.count()}});
  if (sink.dead_letter_lookup_running) {
    // Stopped during the start-up lookup of the dead-letter topic: it ends within one slice
    // (it sees sink.stopping), and must end before the sink (its producer) is destroyed.
    co_await sink.dead_letter_lookup_done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  const bool settled = co_await sink.drain(budget.drain_deadline());
  // The final revoke commits what is durable; with Kafka unreachable that commit never
  // answers, so leaving the group has a limit of its own.
  const auto close_limit = budget.close_limit(StopBudget::Clock::now());
  co_await sink.consumer.close(close_limit);
  const CloseOutcome close =
      sink.consumer.close_abandoned() ? CloseOutcome::abandoned : CloseOutcome::closed;
  sink.exit_code = stop_exit_code(sink.exit_code, settled, close);
  sink.stop_delivery();
  sink.s3_check.stop();
  sink.heartbeat.stop();
  if (sink.http) sink.http->stop();
  signals.cancel();
  sink.log_stopped();
  io.stop();
}

// A start-up check failed: one line, nothing consumed, the given exit status.
void stop_before_consuming(asio::io_context& io, Sink& sink, asio::signal_set& signals,
                           int exit_code, const std::string& error) {
  log::error("cannot start", {{"error", error}});
  sink.exit_code = exit_code;
  sink.stopping = true;
  if (sink.http) sink.http->stop();
  sink.heartbeat.stop();
  signals.cancel();
  io.stop();
}

// Checks the bucket once (s3.startup_check), then starts consuming. A bucket that cannot be
// used stops the sink before anything is consumed: one line, exit status 3; so does a static
// assignment (kafka.assign) naming a topic or partition that does not exist, or a dead-letter
// topic (bad_records.dead_letter_topic) that does not exist: exit status 2.
asio::awaitable<void> start_consuming(asio::io_context& io, Sink& sink, asio::signal_set& signals) {
  if (sink.config.s3.startup_check) {
    auto checked = co_await sink.client.head_bucket(sink.config.s3.client.bucket);
    if (sink.stopping) co_return;
    if (!checked) {
      stop_before_consuming(
          io, sink, signals, kExitS3Unusable,
          describe_startup_failure(checked.error(), sink.config.s3.client.endpoint));
      co_return;
    }
    sink.readiness.set_ready("s3");
  }
  if (sink.config.kafka.assign.rule) {
    // Static assignment: the partitions come from the cluster's metadata; a configured topic or
    // listed partition that does not exist stops the sink before anything is consumed (exit 2).
    auto error = co_await sink.consumer.resolve_static_assignment();
    if (sink.stopping) co_return;
    if (error) {
      stop_before_consuming(io, sink, signals, 2, *error);
      co_return;
    }
  }
  if (sink.pipeline) {
    // A dead-letter topic that does not exist stops the sink now, not at the first dead letter's
    // timeout (5 minutes later): exit status 2, like a configuration error.
    if (!sink.config.bad_records.dead_letter_topic.empty()) {
      log::info("looking up the dead-letter topic",
                {{"dead_letter_topic", sink.config.bad_records.dead_letter_topic}});
    }
    std::optional<std::string> error;
    sink.dead_letter_lookup_running = true;
    try {
      error = co_await sink.pipeline->check_dead_letter_topic([&sink] { return sink.stopping; });
    } catch (...) {
      end_dead_letter_lookup(sink);  // a stop waiting for the lookup must not wait for ever
      throw;
    }
    end_dead_letter_lookup(sink);
    if (sink.stopping) co_return;
    if (error) {
      stop_before_consuming(io, sink, signals, 2, *error);
      co_return;
    }
    sink.pipeline->start();
  }
  sink.consumer.start();
  asio::co_spawn(io, status_loop(sink), fail_on_exception(sink, "the status loop"));
  sink.s3_check.start();
  log::info("kafka-s3-sink started", {{"version", version_text()},
                                      {"bucket", sink.config.s3.client.bucket},
                                      {"group", sink.config.kafka.group_id},
                                      {"mode", std::string(to_string(sink.config.mode))}});
}

void wait_for_signal(asio::io_context& io, Sink& sink, asio::signal_set& signals) {
  signals.async_wait([&io, &sink, &signals](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (sink.stopping) {
      // "A second signal exits at once": nothing uncommitted is lost, it is consumed again.
      log::warn("second signal: exiting now", {{"signal", signal}});
      ::_exit(1);
    }
    sink.stopping = true;
    log::info("signal received", {{"signal", signal}});
    asio::co_spawn(io, stop_gracefully(io, sink, signals), [&io, &sink](std::exception_ptr error) {
      if (!error) return;
      // The graceful stop itself failed: nothing more can be settled.
      sink.failed = true;
      sink.exit_code = 1;
      log::error("graceful stop threw: exiting", {});
      io.stop();
    });
    wait_for_signal(io, sink, signals);
  });
}

}  // namespace

int run_sink(const SinkConfig& config) {
  // Before any thread (librdkafka's, the workers') has a malloc arena.
  const kafka::MallocTuning malloc_tuning =
      kafka::tune_malloc(std::getenv("GLIBC_TUNABLES"), kafka::kSinkMalloc);
  log::configure(config.log_level, config.log_format);
  log::info("malloc", {{"tuned", malloc_tuning.applied ? "true" : "false"},
                       {"detail", malloc_tuning.detail}});
  asio::io_context io(1);
  std::unique_ptr<Sink> sink;
  try {
    sink = std::make_unique<Sink>(io, config);
    if (!config.http_listen.empty()) {
      metrics::HttpServerOptions options;
      options.listen_address = config.http_listen;
      metrics::Endpoints endpoints =
          metrics::make_endpoints(sink->registry, sink->heartbeat, sink->readiness, options);
      // /healthz: the event loop beats, and the sink has not failed (a failed sink is stopping
      // and exits 1; until then it must not look healthy).
      endpoints.health = [&s = *sink, loop = std::move(endpoints.health)] {
        if (s.failed) return metrics::HealthStatus{false, "failed: the sink is stopping"};
        return loop ? loop() : metrics::HealthStatus{true, "ok"};
      };
      sink->http =
          std::make_unique<metrics::HttpServer>(io.get_executor(), std::move(endpoints), options);
      auto bound = sink->http->start();
      log::info("http endpoints listening", {{"address", bound.address().to_string()},
                                             {"port", static_cast<int>(bound.port())}});
    }
  } catch (const std::exception& e) {
    log::error("cannot start", {{"error", e.what()}});
    return 2;
  }
  Sink& s = *sink;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  wait_for_signal(io, s, signals);
  auto on_fatal = [&io, &s, &signals](const std::string&) {
    s.failed = true;
    if (s.exit_code == 0) s.exit_code = 1;
    if (s.stopping) return;
    s.stopping = true;
    asio::co_spawn(io, stop_gracefully(io, s, signals), [&io, &s](std::exception_ptr error) {
      if (!error) return;
      s.exit_code = 1;
      log::error("graceful stop threw: exiting", {});
      io.stop();
    });
  };
  if (s.mirror) {
    s.mirror->set_fatal_handler(on_fatal);
    s.mirror->start();
  } else {
    s.pipeline->set_fatal_handler(on_fatal);
  }
  s.heartbeat.start();
  asio::co_spawn(io, start_consuming(io, s, signals), fail_on_exception(s, "starting"));
  io.run();
  const int exit_code = s.exit_code;
  sink.reset();
  return exit_code;
}

}  // namespace ks3::server

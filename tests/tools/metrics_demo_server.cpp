// Serves /metrics /healthz /readyz for the script tests: every kafka_s3_sink_* family populated
// with plausible values (and label values that need escaping), the process metrics, and counters
// that keep moving (so a Prometheus rate() is non-zero).
//
//   metrics_demo_server [--listen 127.0.0.1:0] [--not-ready REASON]
// Prints "listening on HOST:PORT" once bound. SIGUSR1 toggles readiness; SIGTERM/SIGINT stop it.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "metrics/http_server.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/sink_metrics.hpp"

namespace asio = boost::asio;
using namespace ks3::metrics;
using namespace std::chrono_literals;

namespace {

void populate(SinkMetrics& m) {
  for (std::string_view topic : {"edfi.dms.document", "events \"quoted\" \\ back\nslash é"}) {
    auto t = m.topic(topic);
    t.records_consumed.inc(1000);
    t.bytes_consumed.inc(1'000'000);
    t.records_written.inc(900);
    t.uncompressed_bytes_written.inc(900'000);
    t.bytes_written.inc(150'000);
    t.object_size_bytes.observe(75'000);
    t.object_completion_latency.observe(12.5);
    t.end_to_end_latency.observe(14);
    for (int p = 0; p < 3; ++p) {
      auto part = m.partition(topic, p);
      part.consumer_lag.set(10 * p);
      part.committed_lag.set(100 + 10 * p);
      part.last_commit_timestamp.set_to_current_time();
    }
    m.tombstones.with({topic, "ignored"}).inc(2);
    m.records_skipped.with({topic, "invalid_json"}).inc();
    m.records_dead_lettered.with({topic, "invalid_json"}).inc();
    m.records_failed.with({topic, "invalid_json"});
    m.objects_completed.with({topic, "max_records"}).inc(3);
    m.objects_completed.with({topic, "idle_flush"}).inc();
    m.objects_aborted.with({topic, "revoked"}).inc();
  }
  m.assigned_partitions.set(6);
  m.paused_partitions.set(0);
  m.rebalances.with({"assigned"}).inc();
  m.kafka_errors.with({"_TRANSPORT"}).inc();
  m.commits.inc(7);
  m.commit_failures.inc();
  m.open_objects.set(4);
  m.uploads_in_flight.set(1);
  m.parts_in_flight.set(2);
  m.part_upload_duration_seconds.observe(0.8);
  for (auto op : {"PutObject", "UploadPart", "CompleteMultipartUpload"}) {
    m.record_s3_request(op, 200, 40ms, 5 << 20, 200);
  }
  m.record_s3_request("UploadPart", 503, 10ms, 5 << 20, 300);
  m.record_s3_request("UploadPart", 0, 5s, 0, 0);
  m.s3_retries.with({"UploadPart", "SlowDown"}).inc();
  m.s3_request_failures.with({"PutObject", "AccessDenied"}).inc();
  m.buffered_bytes.set(12'345);
  m.memory_budget_used_bytes.set(20 << 20);
  m.memory_budget_limit_bytes.set(256 << 20);
}

// Keeps the throughput counters moving: ~1 MB/s "written".
asio::awaitable<void> keep_writing(SinkMetrics& m) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto topic = m.topic("edfi.dms.document");
  for (;;) {
    timer.expires_after(100ms);
    co_await timer.async_wait(asio::use_awaitable);
    topic.records_consumed.inc(100);
    topic.records_written.inc(100);
    topic.bytes_written.inc(100'000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:0";
  std::string not_ready;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--listen") {
      options.listen_address = argv[i + 1];
    } else if (flag == "--not-ready") {
      not_ready = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: %s [--listen HOST:PORT] [--not-ready REASON]\n", argv[0]);
      return 2;
    }
  }
  try {
    asio::io_context io;
    Registry registry;
    register_process_metrics(registry);
    SinkMetrics sink(registry);
    populate(sink);
    Readiness readiness(&sink.ready);
    if (!not_ready.empty()) readiness.set_not_ready("demo", not_ready);
    LoopHeartbeat heartbeat(io.get_executor(), 200ms, &sink.event_loop_delay_seconds);
    HttpServer server(io.get_executor(), make_endpoints(registry, heartbeat, readiness, options),
                      options);
    auto bound = server.start();
    heartbeat.start();
    std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), bound.port());
    std::fflush(stdout);

    asio::co_spawn(io, keep_writing(sink), asio::detached);
    asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    stop_signals.async_wait([&](auto, int) { io.stop(); });
    asio::signal_set toggle(io, SIGUSR1);
    std::function<void(boost::system::error_code, int)> on_toggle = [&](auto ec, int) {
      if (ec) return;
      if (readiness.status().ready) {
        readiness.set_not_ready("demo", "demo: toggled not ready");
      } else {
        readiness.set_ready("demo");
      }
      toggle.async_wait(on_toggle);
    };
    toggle.async_wait(on_toggle);
    io.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metrics_demo_server: %s\n", e.what());
    return 1;
  }
}

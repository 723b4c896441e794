// kafka-mock-broker: a local Kafka cluster for tests and the demo, on librdkafka's mock cluster
// (rdkafka_mock.h). It speaks the real Kafka protocol on loopback TCP (the mock brokers listen on
// 127.0.0.1 only), keeps everything in memory, and runs until SIGTERM or SIGINT.
//
//   kafka-mock-broker [--brokers N] [--topic NAME:PARTITIONS]... [--rtt-ms MS] [--control PATH]
//
// On start it prints one line on stdout, `bootstrap.servers=127.0.0.1:PORT,...`, and flushes it.
// With --control PATH it creates a FIFO there and reads commands from it, one per line (error
// injection for tests); each command answers `ok: ...` or `error: ...` on stdout:
//   broker-down ID | broker-up ID | rtt ID MS | topic NAME:PARTITIONS   (ID -1: every broker)
//   leader TOPIC PARTITION ID   (moves the partition's leadership to broker ID: a failover; the
//                                records stay, clients learn it from NOT_LEADER_OR_FOLLOWER)
//   request-errors APIKEY ERRCODE COUNT   (the next COUNT requests of that API fail with ERRCODE)
//   clear-errors APIKEY
//   topic-error TOPIC ERRCODE   (metadata answers give the topic ERRCODE, e.g. 3: no such topic;
//                                0 clears it)
//
// Quirks of the mock (see docs/DESIGN.md "Local infrastructure"): each partition keeps only ~5 MiB
// or 100k messages; consumers need session.timeout.ms >= 6000; an empty fetch waits the full
// fetch.wait.max.ms.
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kafka/malloc_tuning.hpp"

namespace {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

struct Options {
  int brokers = 1;
  std::vector<TopicSpec> topics;
  int rtt_ms = 0;
  std::string control_path;
};

constexpr std::string_view kUsage =
    "usage: kafka-mock-broker [--brokers N] [--topic NAME:PARTITIONS]... [--rtt-ms MS]\n"
    "                         [--control FIFO_PATH]\n"
    "Runs librdkafka's mock Kafka cluster on 127.0.0.1 until SIGTERM/SIGINT; prints\n"
    "'bootstrap.servers=HOST:PORT,...' on stdout once it listens.\n";

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "kafka-mock-broker: %s\n%.*s", what.c_str(), static_cast<int>(kUsage.size()),
               kUsage.data());
  std::exit(2);
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<TopicSpec> parse_topic(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto partitions = parse_int(text.substr(colon + 1));
  if (!partitions || *partitions < 1) return std::nullopt;
  return TopicSpec{std::string(text.substr(0, colon)), *partitions};
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      std::exit(0);
    } else if (arg == "--brokers") {
      auto n = parse_int(value());
      if (!n || *n < 1 || *n > 64) usage_error("--brokers needs a number from 1 to 64");
      options.brokers = *n;
    } else if (arg == "--topic") {
      auto spec = parse_topic(value());
      if (!spec) usage_error("--topic needs NAME:PARTITIONS with PARTITIONS >= 1");
      options.topics.push_back(*spec);
    } else if (arg == "--rtt-ms") {
      auto n = parse_int(value());
      if (!n || *n < 0) usage_error("--rtt-ms needs a number >= 0");
      options.rtt_ms = *n;
    } else if (arg == "--control") {
      options.control_path = std::string(value());
    } else {
      usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }
  return options;
}

void reply(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

bool create_topic(rd_kafka_mock_cluster_t* cluster, const TopicSpec& spec, std::string& error) {
  // Replication factor 1: replicas add nothing to a single-process test cluster.
  auto err = rd_kafka_mock_topic_create(cluster, spec.name.c_str(), spec.partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "cannot create topic " + spec.name + ": " + rd_kafka_err2str(err);
    return false;
  }
  return true;
}

// Runs one control command; returns the reply line.
std::string run_command(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  std::vector<std::string> args;
  for (std::string a; in >> a;) args.push_back(a);
  auto int_arg = [&](std::size_t i) -> std::optional<int> {
    return i < args.size() ? parse_int(args[i]) : std::nullopt;
  };
  auto result = [&](rd_kafka_resp_err_t err) {
    return err ? "error: " + line + ": " + rd_kafka_err2str(err) : "ok: " + line;
  };
  if (verb == "broker-down" && int_arg(0)) {
    return result(rd_kafka_mock_broker_set_down(cluster, *int_arg(0)));
  } else if (verb == "broker-up" && int_arg(0)) {
    return result(rd_kafka_mock_broker_set_up(cluster, *int_arg(0)));
  } else if (verb == "rtt" && int_arg(0) && int_arg(1)) {
    return result(rd_kafka_mock_broker_set_rtt(cluster, *int_arg(0), *int_arg(1)));
  } else if (verb == "leader" && args.size() == 3 && int_arg(1) && int_arg(2)) {
    return result(
        rd_kafka_mock_partition_set_leader(cluster, args[0].c_str(), *int_arg(1), *int_arg(2)));
  } else if (verb == "topic" && args.size() == 1 && parse_topic(args[0])) {
    std::string error;
    return create_topic(cluster, *parse_topic(args[0]), error) ? "ok: " + line : "error: " + error;
  } else if (verb == "request-errors" && int_arg(0) && int_arg(1) && int_arg(2)) {
    std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(*int_arg(2)),
                                            static_cast<rd_kafka_resp_err_t>(*int_arg(1)));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(*int_arg(0)),
                                            errors.size(), errors.data());
    return "ok: " + line;
  } else if (verb == "topic-error" && args.size() == 2 && int_arg(1)) {
    // Metadata answers carry ERRCODE for the topic (3, UNKNOWN_TOPIC_OR_PART: "no such topic";
    // the mock otherwise creates any topic a metadata request names); 0 clears it.
    rd_kafka_mock_topic_set_error(cluster, args[0].c_str(),
                                  static_cast<rd_kafka_resp_err_t>(*int_arg(1)));
    return "ok: " + line;
  } else if (verb == "clear-errors" && int_arg(0)) {
    rd_kafka_mock_clear_request_errors(cluster, static_cast<int16_t>(*int_arg(0)));
    return "ok: " + line;
  }
  return "error: unknown or malformed command '" + line + "'";
}

// Reads commands from the control FIFO until `stop` is set. The FIFO is opened read-write so that
// it never reports end-of-file when a writer closes it, and open() does not block.
void serve_control(rd_kafka_mock_cluster_t* cluster, const std::string& path,
                   const std::atomic<bool>& stop) {
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    reply("error: cannot open control FIFO " + path + ": " + std::strerror(errno));
    return;
  }
  std::string pending;
  char buffer[4096];
  while (!stop.load()) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) continue;
    pending.append(buffer, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (!line.empty()) reply(run_command(cluster, line));
    }
  }
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  // Fetch responses are built in fresh buffers: keep them on one reused heap, in huge pages
  // (malloc_tuning.hpp), so the benchmarks measure the sink and kcat rather than the mock's page
  // faults. Huge pages need the restart under GLIBC_TUNABLES (same PID).
  ks3::kafka::restart_with_glibc_tunables(argv, ks3::kafka::kMockBrokerMalloc);
  ks3::kafka::tune_malloc(std::getenv("GLIBC_TUNABLES"), ks3::kafka::kMockBrokerMalloc);

  // Block the stop signals before librdkafka starts its threads (they inherit the mask), so that
  // only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The mock cluster needs an rd_kafka_t for its bookkeeping; an idle producer is enough.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "client.id", "kafka-mock-broker", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!handle) {
    std::fprintf(stderr, "kafka-mock-broker: cannot create the librdkafka handle: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, options.brokers);
  if (!cluster) {
    std::fprintf(stderr, "kafka-mock-broker: cannot create the mock cluster\n");
    rd_kafka_destroy(handle);
    return 1;
  }
  for (const auto& topic : options.topics) {
    std::string error;
    if (!create_topic(cluster, topic, error)) {
      std::fprintf(stderr, "kafka-mock-broker: %s\n", error.c_str());
      return 1;
    }
  }
  for (int id = 1; options.rtt_ms > 0 && id <= options.brokers; ++id) {
    rd_kafka_mock_broker_set_rtt(cluster, id, options.rtt_ms);
  }

  std::atomic<bool> stop{false};
  std::thread control;
  if (!options.control_path.empty()) {
    if (::mkfifo(options.control_path.c_str(), 0600) != 0 && errno != EEXIST) {
      std::fprintf(stderr, "kafka-mock-broker: cannot create FIFO %s: %s\n",
                   options.control_path.c_str(), std::strerror(errno));
      return 1;
    }
    control = std::thread(serve_control, cluster, options.control_path, std::cref(stop));
  }

  reply(std::string("bootstrap.servers=") + rd_kafka_mock_cluster_bootstraps(cluster));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "kafka-mock-broker: %s received, stopping\n", strsignal(signal_number));

  stop.store(true);
  if (control.joinable()) control.join();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}

#include "bench/lib/tool_args.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

#include "server/cli/command_line.hpp"

namespace ks3::bench {
namespace {

// Parses with `app` into `options`: the options, or the Exit the parse answered.
template <class Options>
cli::Parsed<Options> finish_parse(CLI::App& app, std::span<const std::string> args,
                                  Options& options) {
  if (auto exit = cli::parse(app, args)) return *exit;
  return options;
}

// --listen HOST:PORT: the host an IP address, the port 0..65535 (0: any free port).
void set_listen(const std::string& text, NullS3Args& options) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    throw CLI::ValidationError("--listen", "expects HOST:PORT, not '" + text + "'");
  }
  const std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    throw CLI::ValidationError("--listen", "port must be 0..65535, not '" + port + "'");
  }
  boost::system::error_code bad;
  boost::asio::ip::make_address(host, bad);
  if (bad) {
    throw CLI::ValidationError("--listen", "host must be an IP address, not '" + host + "'");
  }
  options.host = host;
  options.port = static_cast<std::uint16_t>(value);
}

// A whole-number option shown with its default in --help, e.g. "--seed S=1".
template <class T>
CLI::Option* count_option(CLI::App& app, std::string name, T& target, std::string description,
                          std::string type_name) {
  return app.add_option(std::move(name), target, std::move(description))
      ->type_name(std::move(type_name))
      ->capture_default_str()
      ->check(cli::whole_number());
}

}  // namespace

cli::Parsed<LoadGenArgs> parse_load_gen_args(std::span<const std::string> args) {
  LoadGenArgs options;
  CLI::App app(
      "Produces N synthetic records to a Kafka topic as fast as librdkafka can send them (or at "
      "--rate),\nthen prints records, bytes, seconds, records_per_s, mb_per_s, partitions, "
      "retained, dropped.",
      "ks3_load_gen");
  cli::configure(app);
  app.footer(
      "Exit 1 on a delivery failure, 2 on bad arguments, 3 when the broker dropped records "
      "(unless --allow-drop).");
  app.add_option("--bootstrap", options.bootstrap, "Kafka bootstrap servers")
      ->type_name("HOST:PORT")
      ->required();
  app.add_option("--topic", options.topic, "the topic (it must exist)")->type_name("T")->required();
  app.add_option("--records", options.records, "how many records")
      ->type_name("N")
      ->required()
      ->check(cli::whole_number(1));
  count_option(app, "--first-index", options.first_index, "index of the first record", "I");
  count_option(app, "--value-size", options.gen.value_size, "target value bytes", "BYTES");
  cli::one_of(
      app.add_option_function<std::string>(
             "--shape", [&options](const std::string& v) { options.gen.shape = *parse_shape(v); },
             "record shape")
          ->default_str(std::string(to_string(options.gen.shape))),
      {"edfi", "debezium", "events"});
  count_option(app, "--keys", options.gen.key_cardinality,
               "distinct keys; 0: every record has its own key", "CARDINALITY");
  count_option(app, "--seed", options.gen.seed, "the generator's seed", "S");
  app.add_option("--delete-ratio", options.gen.delete_ratio, "share of records that are deletes")
      ->type_name("R")
      ->capture_default_str()
      ->check(cli::non_negative_number());
  cli::one_of(app.add_option_function<std::string>(
                     "--partitioner",
                     [&options](const std::string& v) { options.round_robin = v == "round-robin"; },
                     "by key (librdkafka's), or record i to partition i % partitions")
                  ->default_str("key"),
              {"key", "round-robin"});
  app.add_option("--rate", options.rate, "records per second; 0: as fast as possible")
      ->type_name("RECORDS_PER_S")
      ->capture_default_str()
      ->check(cli::non_negative_number());
  app.add_flag("--allow-drop", options.allow_drop,
               "do not fail when the broker dropped old records");
  return finish_parse(app, args, options);
}

cli::Parsed<NullS3Args> parse_null_s3_args(std::span<const std::string> args) {
  NullS3Args options;
  CLI::App app(
      "An S3 server for benchmarks that keeps sizes and ETags but discards the bytes.\nPrints "
      "listening=HOST:PORT once it accepts connections; GET /_ks3/stats answers its counters.",
      "ks3_null_s3");
  cli::configure(app);
  app.add_option_function<std::string>(
         "--listen", [&options](const std::string& v) { set_listen(v, options); },
         "address to listen on (port 0: any free port)")
      ->type_name("HOST:PORT")
      ->default_str("127.0.0.1:0");
  app.add_option("--bucket", options.buckets, "a bucket that exists (repeatable)")
      ->type_name("NAME")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  app.add_option_function<std::uint64_t>(
         "--latency-ms",
         [&options](std::uint64_t ms) { options.latency = std::chrono::milliseconds(ms); },
         "delay every answer by this much")
      ->type_name("MS")
      ->default_str("0")
      ->check(cli::whole_number());
  count_option(app, "--min-part-size", options.min_part_size,
               "smallest part but the last of a multipart upload", "BYTES");
  app.add_flag("--verify-md5", options.verify_md5,
               "check Content-MD5 against the body and use it as the ETag (costs CPU)");
  app.add_flag("--verbose", options.verbose, "log every request to stderr");
  return finish_parse(app, args, options);
}

cli::Parsed<WaitCommittedArgs> parse_wait_committed_args(std::span<const std::string> args) {
  WaitCommittedArgs options;
  CLI::App app(
      "Waits until a consumer group has committed every partition of a topic up to its end "
      "offset\n(minus --slack), then prints done_at=UNIX_TIME partitions=N records=R.",
      "ks3_wait_committed");
  cli::configure(app);
  app.footer("Exit 1 on timeout (the partitions still behind go to stderr), 2 on bad arguments.");
  app.add_option("--bootstrap", options.bootstrap, "Kafka bootstrap servers")
      ->type_name("HOST:PORT")
      ->required();
  app.add_option("--group", options.group, "the consumer group")->type_name("G")->required();
  app.add_option("--topic", options.topic, "the topic")->type_name("T")->required();
  count_option(app, "--slack", options.slack, "records per partition that may stay uncommitted",
               "N");
  count_option(app, "--timeout-s", options.timeout_s, "give up after this many seconds", "S");
  count_option(app, "--interval-ms", options.interval_ms, "time between two polls", "MS");
  return finish_parse(app, args, options);
}

}  // namespace ks3::bench

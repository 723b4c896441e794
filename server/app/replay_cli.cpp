// The `replay` subcommand's command line (pure) and main()'s entry for it.
#include "server/app/replay_cli.hpp"

#include <iostream>

#include "metrics/log.hpp"
#include "server/cli/command_line.hpp"

namespace ks3::server {
namespace {

// s3://BUCKET[/PREFIX] with a bucket.
CLI::Validator replay_location() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (parse_s3_uri(text)) return {};
        return "expects s3://BUCKET/PREFIX, not '" + text + "'";
      },
      "");
}

// NAME=VALUE with a name.
CLI::Validator name_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto eq = text.find('=');
        if (eq != std::string::npos && eq > 0) return {};
        return "expects NAME=VALUE, not '" + text + "'";
      },
      "");
}

CLI::Option* encoding(CLI::App& app, std::string name, BytesEncoding& target,
                      std::string description) {
  return cli::one_of(app.add_option_function<std::string>(
                         std::move(name),
                         [&target](const std::string& v) {
                           if (auto parsed = parse_bytes_encoding(v)) target = *parsed;
                         },
                         std::move(description)),
                     {"string", "json", "base64"});
}

}  // namespace

CLI::App* add_replay_command(CLI::App& parent, ReplayCli& command) {
  replay::ReplayOptions& r = command.replay;
  CLI::App* app = parent.add_subcommand(
      "replay",
      "produce this sink's JSONL objects (.jsonl, .jsonl.gz, .jsonl.zst) under an S3 prefix back\n"
      "to a Kafka topic, in offset order per source partition, with key, value, headers and\n"
      "timestamp, through an idempotent producer");
  app->footer(
      "Credentials come from the AWS credentials chain, never from flags. Exit status: 0 done,\n"
      "1 the replay failed, 2 usage or configuration error.");
  app->add_option_function<std::string>(
         "LOCATION",
         [&r](const std::string& v) {
           const std::optional<S3Location> location = parse_s3_uri(v);
           r.bucket = location->bucket;  // the validator ran first
           r.prefix = location->key;
         },
         "s3://BUCKET/PREFIX: the objects under this prefix")
      ->type_name("")
      ->required()
      ->check(replay_location());
  app->add_option("-t,--topic", r.target_topic, "the target topic (must exist)")->type_name("T");
  app->add_option("-b,--bootstrap-servers", r.bootstrap_servers, "brokers")
      ->type_name("S")
      ->capture_default_str();
  app->add_option_function<std::vector<std::string>>(
         "-X,--property",
         [&r](const std::vector<std::string>& pairs) {
           for (const std::string& pair : pairs) {
             const auto eq = pair.find('=');
             r.producer_properties[pair.substr(0, eq)] = pair.substr(eq + 1);
           }
         },
         "a librdkafka producer property (repeatable)")
      ->type_name("NAME=VALUE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->check(name_value());
  app->add_option("--source-topic", r.source_topic,
                  "only objects of this topic (needed when there are several)")
      ->type_name("T");
  app->add_option("--key-template", r.key_template, "the sink's key_template")
      ->type_name("TEXT")
      ->capture_default_str();
  app->add_option("--s3-prefix", r.key_prefix,
                  "the sink's s3.prefix (before the template in each key)")
      ->type_name("P");
  encoding(*app, "--key-encoding", r.encodings.key_encoding, "the sink's format.key_encoding")
      ->default_str("string");
  encoding(*app, "--value-encoding", r.encodings.value_encoding, "the sink's format.value_encoding")
      ->default_str("json");
  cli::one_of(app->add_option_function<std::string>(
                  "--partitioning",
                  [&r](const std::string& v) {
                    r.partitioning = v == "keep"  ? replay::Partitioning::keep
                                     : v == "key" ? replay::Partitioning::key
                                                  : replay::Partitioning::auto_;
                  },
                  "auto: keep the source partition when the target has enough partitions, "
                  "else by key; keep: or fail; key: always by key"),
              {"auto", "keep", "key"})
      ->default_str("auto");
  app->add_flag("--dry-run", r.dry_run, "read and decode everything, produce nothing");
  app->add_option_function<std::uint64_t>(
         "--progress-interval",
         [&r](std::uint64_t seconds) {
           r.progress_interval = std::chrono::seconds(static_cast<std::int64_t>(seconds));
         },
         "progress log period")
      ->type_name("SEC")
      ->default_str("5")
      ->check(cli::whole_number(1, 86400, "seconds"));
  cli::one_of(app->add_option("--log-level", command.log_level, "log level"),
              {"debug", "info", "warn", "error"})
      ->default_str("info");
  add_s3_settings(*app, command.settings);
  // The s3 CLI answers quickly (3 attempts); a replay retries as the sink does.
  app->get_option("--max-attempts")->description("attempts per request (default 10)");
  return app;
}

std::string replay_usage_error(const ReplayCli& command) {
  if (command.replay.target_topic.empty() && !command.replay.dry_run) {
    return "kafka-s3-sink replay: --topic is required (the target topic) unless --dry-run "
           "(see kafka-s3-sink replay --help)";
  }
  return "";
}

replay::ReplayCommand replay_command(const ReplayCli& command, replay::ReplayCommand base) {
  base.replay = command.replay;
  apply_s3_flags(command.settings, base.client, base.credentials);
  return base;
}

int run_replay_cli(const ReplayCli& command) {
  if (command.log_level) {
    log::Level level = log::Level::info;
    if (log::parse_level(*command.log_level, level)) log::configure(level, log::Format::text);
  }
  return replay::run_replay_command(
      replay_command(command, replay::replay_command_from_environment()), std::cout, std::cerr);
}

}  // namespace ks3::server

// `replay` as a command: flags -> ReplayCommand, an io_context with the S3 client, the summary.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "metrics/log.hpp"
#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "server/replay/replay.hpp"

namespace ks3::server::replay {
namespace {

namespace asio = boost::asio;

long long positive(std::string_view flag, std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    throw std::invalid_argument(std::string(flag) + " needs a positive whole number, not '" +
                                std::string(text) + "'");
  }
  return value;
}

BytesEncoding encoding(std::string_view flag, std::string_view text) {
  auto parsed = parse_bytes_encoding(text);
  if (!parsed) throw std::invalid_argument(std::string(flag) + " must be json, string or base64");
  return *parsed;
}

}  // namespace

std::string replay_usage() {
  return "usage: kafka-s3-sink replay s3://BUCKET/PREFIX --topic TARGET [options]\n"
         "Reads this sink's JSONL objects (.jsonl, .jsonl.gz, .jsonl.zst) under the prefix and\n"
         "produces their records to TARGET in offset order per source partition, with key, value,\n"
         "headers and timestamp, through an idempotent producer.\n"
         "  --topic T                 the target topic (must exist)\n"
         "  -b, --bootstrap-servers S brokers (default 127.0.0.1:9092)\n"
         "  -X, --property NAME=VALUE a librdkafka producer property (repeatable)\n"
         "  --source-topic T          only objects of this topic (needed when there are several)\n"
         "  --key-template TEXT       the sink's key_template (default: the sink's default)\n"
         "  --s3-prefix P             the sink's s3.prefix (before the template in each key)\n"
         "  --key-encoding E          the sink's format.key_encoding: string (default), json, "
         "base64\n"
         "  --value-encoding E        the sink's format.value_encoding: json (default), string, "
         "base64\n"
         "  --partitioning M          auto (default: keep the source partition when the target\n"
         "                            has enough partitions, else by key), keep (or fail), key\n"
         "  --dry-run                 read and decode everything, produce nothing\n"
         "  --progress-interval SEC   progress log period (default 5)\n"
         "  --log-level L             debug, info (default), warn, error\n"
         "S3 settings: --endpoint URL, --region R, --addressing auto|path|virtual, --ca-file F,\n"
         "--insecure-skip-tls-verify, --profile P, --max-attempts N; otherwise the AWS\n"
         "environment (AWS_ENDPOINT_URL, AWS_REGION, the credentials chain).\n"
         "Exit status: 0 done, 1 the replay failed, 2 usage or configuration error.\n";
}

ReplayCommand replay_command_from_environment() {
  ReplayCommand command;
  const s3::AwsDefaults defaults =
      s3::aws_defaults("", s3::process_environment(), s3::local_file_reader());
  command.client.endpoint = defaults.endpoint_url;
  if (!defaults.region.empty()) command.client.region = defaults.region;
  return command;
}

void parse_replay_args(const std::vector<std::string>& words, ReplayCommand& command) {
  ReplayOptions& replay = command.replay;
  bool have_location = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& flag = words[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= words.size()) throw std::invalid_argument(flag + " needs a value");
      return words[++i];
    };
    if (flag == "--topic" || flag == "-t") {
      replay.target_topic = value();
    } else if (flag == "--bootstrap-servers" || flag == "-b") {
      replay.bootstrap_servers = value();
    } else if (flag == "--property" || flag == "-X") {
      const std::string& pair = value();
      const auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw std::invalid_argument(flag + " needs NAME=VALUE, not '" + pair + "'");
      }
      replay.producer_properties[pair.substr(0, eq)] = pair.substr(eq + 1);
    } else if (flag == "--source-topic") {
      replay.source_topic = value();
    } else if (flag == "--key-template") {
      replay.key_template = value();
    } else if (flag == "--s3-prefix") {
      replay.key_prefix = value();
    } else if (flag == "--key-encoding") {
      replay.encodings.key_encoding = encoding(flag, value());
    } else if (flag == "--value-encoding") {
      replay.encodings.value_encoding = encoding(flag, value());
    } else if (flag == "--partitioning") {
      const std::string& mode = value();
      if (mode == "auto") {
        replay.partitioning = Partitioning::auto_;
      } else if (mode == "keep") {
        replay.partitioning = Partitioning::keep;
      } else if (mode == "key") {
        replay.partitioning = Partitioning::key;
      } else {
        throw std::invalid_argument("--partitioning must be auto, keep or key");
      }
    } else if (flag == "--dry-run") {
      replay.dry_run = true;
    } else if (flag == "--progress-interval") {
      replay.progress_interval = std::chrono::seconds(positive(flag, value()));
    } else if (flag == "--log-level") {
      log::Level level;
      if (!log::parse_level(value(), level)) {
        throw std::invalid_argument("--log-level must be debug, info, warn or error");
      }
      log::configure(level, log::Format::text);
    } else if (flag == "--endpoint") {
      command.client.endpoint = value();
    } else if (flag == "--region") {
      command.client.region = value();
    } else if (flag == "--addressing") {
      if (!s3::parse_addressing_style(value(), command.client.addressing)) {
        throw std::invalid_argument("--addressing must be auto, path or virtual");
      }
    } else if (flag == "--ca-file") {
      command.client.tls.ca_file = value();
    } else if (flag == "--insecure-skip-tls-verify") {
      command.client.tls.verify = false;
    } else if (flag == "--profile") {
      command.credentials.profile = value();
    } else if (flag == "--max-attempts") {
      command.client.retry.max_attempts = static_cast<int>(positive(flag, value()));
    } else if (flag.starts_with("s3://") && !have_location) {
      const std::string_view rest = std::string_view(flag).substr(5);
      const auto slash = rest.find('/');
      replay.bucket = std::string(rest.substr(0, slash));
      replay.prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
      if (replay.bucket.empty()) throw std::invalid_argument("'" + flag + "' has no bucket");
      have_location = true;
    } else {
      throw std::invalid_argument("unexpected argument '" + flag + "'");
    }
  }
  if (!have_location) throw std::invalid_argument("missing s3://BUCKET/PREFIX");
  if (replay.target_topic.empty() && !replay.dry_run) {
    throw std::invalid_argument("missing --topic (the target topic)");
  }
}

int run_replay_command(const ReplayCommand& command, std::ostream& out, std::ostream& err) {
  asio::io_context io;
  std::optional<ReplayResult> result;
  std::exception_ptr failure;
  try {
    const s3::CredentialSource source =
        s3::resolve_credential_source(command.credentials, command.client.region,
                                      s3::process_environment(), s3::local_file_reader());
    auto provider = s3::make_credentials_provider(io.get_executor(), source, command.client.tls,
                                                  command.client.timeouts);
    s3::Client client(io.get_executor(), command.client, provider);
    asio::co_spawn(io, run_replay(command.replay, client),
                   [&](std::exception_ptr e, ReplayResult r) {
                     failure = e;
                     result = std::move(r);
                   });
    io.run();
  } catch (const std::exception& e) {
    err << "kafka-s3-sink replay: " << e.what() << "\n";
    return 2;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      err << "kafka-s3-sink replay: " << e.what() << "\n";
      return 1;
    }
  }
  if (!result || !result->ok) {
    err << "kafka-s3-sink replay: " << (result ? result->error : "did not finish") << "\n";
    return 1;
  }
  const ReplayResult& r = *result;
  out << (command.replay.dry_run ? "read " : "replayed ") << r.records << " records from "
      << r.objects << " objects (" << r.partitions << " source partitions, " << r.bytes
      << " bytes)";
  if (!command.replay.dry_run) {
    out << " to topic " << command.replay.target_topic << " ("
        << (r.kept_partitions ? "source partitions kept" : "partitioned by key") << ", "
        << r.target_partitions << (r.target_partitions == 1 ? " partition)" : " partitions)");
  }
  out << "; duplicates skipped: " << r.duplicates << "; keys skipped: " << r.objects_skipped
      << "\n";
  return 0;
}

int replay_main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h") {
    (words.empty() ? std::cerr : std::cout) << replay_usage();
    return words.empty() ? 2 : 0;
  }
  ReplayCommand command = replay_command_from_environment();
  try {
    parse_replay_args(words, command);
  } catch (const std::exception& e) {
    std::cerr << "kafka-s3-sink replay: " << e.what() << "\n";
    return 2;
  }
  return run_replay_command(command, std::cout, std::cerr);
}

}  // namespace ks3::server::replay

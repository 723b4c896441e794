// The pure half of the s3 CLI: URIs, flags and settings (no I/O).
#include <charconv>
#include <stdexcept>

#include "server/app/s3_cli.hpp"

namespace ks3::server {
namespace {

bool parse_number(std::string_view text, long long& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size() && !text.empty();
}

long long positive_number(std::string_view flag, std::string_view text) {
  long long value = 0;
  if (!parse_number(text, value) || value <= 0) {
    throw std::invalid_argument(std::string(flag) + " needs a positive whole number, not '" +
                                std::string(text) + "'");
  }
  return value;
}

// Applies one "--flag value" or "--switch"; returns false if `flag` is not a known flag.
bool apply_flag(std::string_view flag, const std::vector<std::string>& words, std::size_t& i,
                S3CliCommand& command, S3CliSettings& settings) {
  auto value = [&]() -> const std::string& {
    if (i + 1 >= words.size()) throw std::invalid_argument(std::string(flag) + " needs a value");
    return words[++i];
  };
  s3::ClientConfig& client = settings.client;
  if (flag == "--recursive" || flag == "-r") {
    command.recursive = true;
  } else if (flag == "--insecure-skip-tls-verify") {
    client.tls.verify = false;
  } else if (flag == "--endpoint") {
    client.endpoint = value();
  } else if (flag == "--region") {
    client.region = value();
  } else if (flag == "--addressing") {
    if (!s3::parse_addressing_style(value(), client.addressing)) {
      throw std::invalid_argument("--addressing must be auto, path or virtual");
    }
  } else if (flag == "--payload-signing") {
    if (!s3::parse_payload_signing(value(), client.payload_signing)) {
      throw std::invalid_argument("--payload-signing must be auto, signed or unsigned");
    }
  } else if (flag == "--ca-file") {
    client.tls.ca_file = value();
  } else if (flag == "--profile") {
    settings.credentials.profile = value();
  } else if (flag == "--max-attempts") {
    client.retry.max_attempts = static_cast<int>(positive_number(flag, value()));
  } else if (flag == "--content-type") {
    command.content_type = value();
  } else if (flag == "--part-size") {
    const long long mib = positive_number(flag, value());
    // "Part size: 5 MiB to 5 GiB".
    if (mib < 5 || mib > 5120) throw std::invalid_argument("--part-size must be 5..5120 (MiB)");
    command.part_size = static_cast<std::uint64_t>(mib) << 20;
  } else if (flag == "--concurrency") {
    command.concurrency = static_cast<int>(positive_number(flag, value()));
  } else if (flag == "--expires") {
    const long long seconds = positive_number(flag, value());
    if (seconds > 604800) throw std::invalid_argument("--expires is at most 604800 (7 days)");
    command.expires = std::chrono::seconds(seconds);
  } else if (flag == "--method") {
    command.method = value();
    if (command.method != "GET" && command.method != "PUT") {
      throw std::invalid_argument("--method must be GET or PUT");
    }
  } else {
    return false;
  }
  return true;
}

void check_arity(const S3CliCommand& c) {
  const std::size_t n = c.arguments.size();
  const auto require = [&](bool ok, const char* shape) {
    if (!ok) throw std::invalid_argument("usage: kafka-s3-sink s3 " + c.name + " " + shape);
  };
  if (c.name == "ls") {
    require(n == 1, "s3://bucket[/prefix]");
  } else if (c.name == "put") {
    require(n == 2, "FILE|- s3://bucket/key");
  } else if (c.name == "get") {
    require(n == 2, "s3://bucket/key FILE|-");
  } else if (c.name == "rm" || c.name == "head" || c.name == "presign") {
    require(n == 1, "s3://bucket/key");
  } else {
    throw std::invalid_argument("unknown s3 command '" + c.name +
                                "': use ls, put, get, rm, head or presign");
  }
}

}  // namespace

std::optional<S3Location> parse_s3_uri(std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  if (!uri.starts_with(kScheme)) return std::nullopt;
  uri.remove_prefix(kScheme.size());
  const auto slash = uri.find('/');
  S3Location out{std::string(uri.substr(0, slash)), ""};
  if (slash != std::string_view::npos) out.key = std::string(uri.substr(slash + 1));
  if (out.bucket.empty()) return std::nullopt;
  return out;
}

S3CliSettings s3_cli_settings_from_environment(const s3::EnvLookup& env,
                                               const s3::FileReader& read_file) {
  S3CliSettings settings;
  const s3::AwsDefaults defaults = s3::aws_defaults("", env, read_file);
  settings.client.endpoint = defaults.endpoint_url;
  if (!defaults.region.empty()) settings.client.region = defaults.region;
  // An operator's check should answer quickly rather than retry for minutes.
  settings.client.retry.max_attempts = 3;
  settings.client.retry.deadline = std::chrono::seconds(60);
  return settings;
}

S3CliCommand parse_s3_cli(const std::vector<std::string>& words, S3CliSettings& settings) {
  S3CliCommand command;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() > 1 && word[0] == '-') {
      if (!apply_flag(word, words, i, command, settings)) {
        throw std::invalid_argument("unknown flag '" + word + "' (see kafka-s3-sink s3 --help)");
      }
    } else if (command.name.empty()) {
      command.name = word;
    } else {
      command.arguments.push_back(word);
    }
  }
  if (command.name.empty()) throw std::invalid_argument("missing s3 command\n" + s3_cli_usage());
  check_arity(command);
  for (const std::string& arg : command.arguments) {
    if (arg.starts_with("s3://") && !parse_s3_uri(arg)) {
      throw std::invalid_argument("'" + arg + "' has no bucket: write s3://bucket/key");
    }
  }
  return command;
}

std::string s3_cli_usage() {
  return "usage: kafka-s3-sink s3 COMMAND [flags]\n"
         "  ls s3://bucket[/prefix] [--recursive]   list objects (and prefixes)\n"
         "  put FILE|- s3://bucket/key [--content-type T] [--part-size MIB] [--concurrency N]\n"
         "  get s3://bucket/key FILE|-              download\n"
         "  rm s3://bucket/key                      delete\n"
         "  head s3://bucket/key                    size, ETag, type, last modified\n"
         "  presign s3://bucket/key [--expires SECONDS] [--method GET|PUT]\n"
         "settings: --endpoint URL --region R --addressing auto|path|virtual --ca-file F\n"
         "  --insecure-skip-tls-verify --profile P --payload-signing auto|signed|unsigned\n"
         "  --max-attempts N; otherwise AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE, and the\n"
         "  credentials chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity,\n"
         "  ~/.aws/credentials).\n";
}

}  // namespace ks3::server

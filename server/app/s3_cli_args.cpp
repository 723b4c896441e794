// The pure half of the s3 CLI: URIs, the `s3` subcommand's command line, settings (no I/O).
#include "server/app/s3_cli.hpp"
#include "server/cli/command_line.hpp"
#include "server/config/config.hpp"

namespace ks3::server {
namespace {

// An argument that starts with s3:// names a bucket.
CLI::Validator s3_uri_with_bucket() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (!text.starts_with("s3://") || parse_s3_uri(text)) return {};
        return "'" + text + "' has no bucket: write s3://bucket/key";
      },
      "");
}

// A required positional argument, appended to command.arguments (in the order they are added).
void add_argument(CLI::App& app, std::string name, std::string description, S3CliCommand& command) {
  app.add_option_function<std::string>(
         std::move(name), [&command](const std::string& v) { command.arguments.push_back(v); },
         std::move(description))
      ->type_name("")
      ->required()
      ->check(s3_uri_with_bucket());
}

// One s3 command: its name goes to command.name when it is given.
CLI::App* add_command(CLI::App& s3, std::string name, std::string description,
                      S3CliCommand& command) {
  CLI::App* app = s3.add_subcommand(name, std::move(description));
  app->callback([&command, name] { command.name = name; });
  return app;
}

// An operator's check should answer quickly rather than retry for minutes.
void quick_retries(s3::ClientConfig& client) {
  client.retry.max_attempts = 3;
  client.retry.deadline = std::chrono::seconds(60);
}

void add_config_option(CLI::App& app, S3CliCommand& command) {
  app.add_option("--config", command.config_file,
                 "the sink's YAML configuration (and its KAFKA_S3_SINK_* variables) instead of "
                 "the AWS environment: its S3 settings and credentials; put also gives the "
                 "object the sink's s3.sse, s3.storage_class, s3.tags and s3.metadata")
      ->type_name("FILE")
      ->group("S3 settings (default: the AWS environment)");
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
  quick_retries(settings.client);
  return settings;
}

S3CliSettings s3_cli_settings_from_config(const SinkConfig& config) {
  S3CliSettings settings;
  settings.client = config.s3.client;
  settings.credentials = config.s3.credentials;
  settings.objects = config.s3.objects;
  quick_retries(settings.client);
  return settings;
}

void apply_s3_flags(const S3SettingsFlags& flags, S3CliSettings& settings) {
  apply_s3_flags(flags, settings.client, settings.credentials);
}

void apply_s3_flags(const S3SettingsFlags& flags, s3::ClientConfig& client,
                    s3::CredentialsConfig& credentials) {
  if (flags.endpoint) client.endpoint = *flags.endpoint;
  if (flags.region) client.region = *flags.region;
  if (flags.addressing) client.addressing = *flags.addressing;
  if (flags.ca_file) client.tls.ca_file = *flags.ca_file;
  if (flags.insecure_skip_tls_verify) client.tls.verify = false;
  if (flags.profile) credentials.profile = *flags.profile;
  if (flags.payload_signing) client.payload_signing = *flags.payload_signing;
  if (flags.checksum) client.checksum = *flags.checksum;
  if (flags.max_attempts) client.retry.max_attempts = *flags.max_attempts;
}

// The settings flags, on `s3` (before the command), on every command (after it) and on replay.
void add_s3_settings(CLI::App& app, S3SettingsFlags& flags) {
  const auto setting = [](CLI::Option* option, std::string type_name = "") {
    if (!type_name.empty()) option->type_name(std::move(type_name));
    option->group("S3 settings (default: the AWS environment)");
  };
  setting(app.add_option("--endpoint", flags.endpoint, "S3 endpoint URL (AWS_ENDPOINT_URL)"),
          "URL");
  setting(app.add_option("--region", flags.region, "region (AWS_REGION; else us-east-1)"), "R");
  setting(cli::one_of(app.add_option_function<std::string>(
                          "--addressing",
                          [&flags](const std::string& v) {
                            s3::parse_addressing_style(v, flags.addressing.emplace());
                          },
                          "bucket in the path or the host name"),
                      {"auto", "path", "virtual"}));
  setting(app.add_option("--ca-file", flags.ca_file, "CA certificates (PEM) to trust"), "F");
  setting(app.add_flag("--insecure-skip-tls-verify", flags.insecure_skip_tls_verify,
                       "do not verify the server's certificate"));
  setting(app.add_option("--profile", flags.profile,
                         "profile of ~/.aws/config and ~/.aws/credentials (AWS_PROFILE)"),
          "P");
  setting(cli::one_of(app.add_option_function<std::string>(
                          "--payload-signing",
                          [&flags](const std::string& v) {
                            s3::parse_payload_signing(v, flags.payload_signing.emplace());
                          },
                          "sign the body's SHA-256, or send UNSIGNED-PAYLOAD"),
                      {"auto", "signed", "unsigned"}));
  setting(cli::one_of(app.add_option_function<std::string>(
                          "--checksum",
                          [&flags](const std::string& v) {
                            s3::parse_upload_checksum(v, flags.checksum.emplace());
                          },
                          "the uploads' integrity checksum (default crc32c)"),
                      {"crc32c", "md5"}));
  setting(app.add_option("--max-attempts", flags.max_attempts,
                         "attempts per request (default 3, within a 60 s deadline)")
              ->check(cli::whole_number(1)),
          "N");
}

CLI::App* add_s3_command(CLI::App& parent, S3CliCommand& command) {
  CLI::App* s3 = parent.add_subcommand(
      "s3", "operator's S3 commands: the sink's client, signer and credentials chain");
  s3->require_subcommand(1);
  s3->footer(
      "Credentials come from the chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity,\n"
      "~/.aws/credentials), never from flags. Exit status: 0 done, 1 the S3 operation failed,\n"
      "2 usage or configuration error.");
  add_s3_settings(*s3, command.settings);
  add_config_option(*s3, command);

  CLI::App* ls = add_command(*s3, "ls", "list objects (and prefixes)", command);
  add_argument(*ls, "URI", "s3://bucket[/prefix]", command);
  ls->add_flag("-r,--recursive", command.recursive, "list every key below the prefix");

  CLI::App* put = add_command(*s3, "put", "upload a file (multipart when large)", command);
  add_argument(*put, "FILE", "the file to upload, or - for stdin", command);
  add_argument(*put, "URI", "s3://bucket/key", command);
  put->add_option("--content-type", command.content_type, "Content-Type of the object")
      ->type_name("T");
  put->add_option_function<std::uint64_t>(
         "--part-size", [&command](std::uint64_t mib) { command.part_size = mib << 20; },
         "larger files go up as a multipart upload in parts of this size")
      ->type_name("MIB")
      ->default_str("8")
      ->check(cli::whole_number(5, 5120, "MiB"));  // "Part size: 5 MiB to 5 GiB"
  put->add_option("--concurrency", command.concurrency, "parts in flight")
      ->type_name("N")
      ->capture_default_str()
      ->check(cli::whole_number(1));

  CLI::App* get = add_command(*s3, "get", "download (held in memory, at most 1 GiB)", command);
  add_argument(*get, "URI", "s3://bucket/key", command);
  add_argument(*get, "FILE", "where to write it, or - for stdout", command);

  add_argument(*add_command(*s3, "rm", "delete", command), "URI", "s3://bucket/key", command);
  add_argument(*add_command(*s3, "head", "size, ETag, type, last modified", command), "URI",
               "s3://bucket/key", command);

  CLI::App* presign = add_command(*s3, "presign", "print a presigned URL", command);
  add_argument(*presign, "URI", "s3://bucket/key", command);
  presign
      ->add_option_function<std::int64_t>(
          "--expires",
          [&command](std::int64_t seconds) { command.expires = std::chrono::seconds(seconds); },
          "validity of the URL")
      ->type_name("SECONDS")
      ->default_str("3600")
      ->check(cli::whole_number(1, 604800, "seconds, 7 days at most"));
  cli::one_of(presign->add_option("--method", command.method, "the request the URL allows")
                  ->capture_default_str(),
              {"GET", "PUT"});

  for (CLI::App* app :
       {ls, put, get, s3->get_subcommand("rm"), s3->get_subcommand("head"), presign}) {
    add_s3_settings(*app, command.settings);
    add_config_option(*app, command);
  }
  return s3;
}

}  // namespace ks3::server

// `kafka-s3-sink s3 ls|put|get|rm|head|presign ...`: an operator's check of a deployment's S3
// settings and credentials, through the same client, signer and credentials chain as the sink.
//
//   kafka-s3-sink s3 ls s3://bucket/prefix/ [--recursive]
//   kafka-s3-sink s3 put FILE|- s3://bucket/key [--content-type T] [--part-size MIB]
//                                              [--concurrency N]
//   kafka-s3-sink s3 get s3://bucket/key FILE|-
//   kafka-s3-sink s3 rm s3://bucket/key
//   kafka-s3-sink s3 head s3://bucket/key
//   kafka-s3-sink s3 presign s3://bucket/key [--expires SECONDS] [--method GET|PUT]
// --config FILE (before or after the command): the sink's configuration (with its
// KAFKA_S3_SINK_* environment variables) instead of the AWS environment: its S3 client settings
// and credentials, and for put the object settings every data object of the sink gets (s3.sse,
// s3.sse_kms_key_id, s3.storage_class, s3.tags, s3.metadata).
// Settings flags (before or after the command, over either source): --endpoint URL, --region R,
// --addressing auto|path|virtual, --ca-file F, --insecure-skip-tls-verify, --profile P,
// --payload-signing auto|signed|unsigned, --max-attempts N. Otherwise from the AWS environment
// (AWS_ENDPOINT_URL, AWS_REGION, ...) and the credentials chain (s3/credentials_chain.hpp).
// Secrets are never accepted as flags (they would show in `ps`). The command line is parsed by
// parse_cli (server/app/cli_options.hpp), which calls add_s3_command.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/client_config.hpp"
#include "s3/credentials_chain.hpp"
#include "s3/endpoint.hpp"
#include "s3/object_settings.hpp"

namespace CLI {
class App;
}

namespace ks3::server {

struct SinkConfig;

struct S3Location {
  std::string bucket;
  std::string key;  // may be empty ("s3://bucket" or "s3://bucket/")
};

// "s3://bucket/key/with spaces" -> {bucket, key}; nullopt if not an s3:// URI with a bucket.
std::optional<S3Location> parse_s3_uri(std::string_view uri);

// The settings flags given (each overrides the environment's value; apply_s3_flags).
struct S3SettingsFlags {
  std::optional<std::string> endpoint;
  std::optional<std::string> region;
  std::optional<s3::AddressingStyle> addressing;
  std::optional<std::string> ca_file;
  bool insecure_skip_tls_verify = false;
  std::optional<std::string> profile;
  std::optional<s3::PayloadSigning> payload_signing;
  std::optional<s3::UploadChecksum> checksum;
  std::optional<int> max_attempts;
};

struct S3CliCommand {
  std::string name;                        // ls put get rm head presign
  std::vector<std::string> arguments;      // positional, after the command name
  bool recursive = false;                  // ls
  std::string content_type;                // put
  std::uint64_t part_size = 8ull << 20;    // put: larger files go up as a multipart upload
  int concurrency = 4;                     // put: parts in flight
  std::chrono::seconds expires{3600};      // presign
  std::string method = "GET";              // presign
  std::optional<std::string> config_file;  // --config: the sink's configuration
  S3SettingsFlags settings;
};

// Settings the CLI starts from: the sink's configuration file when there is one (--config),
// else the AWS environment defaults.
struct S3CliSettings {
  s3::ClientConfig client;
  s3::CredentialsConfig credentials;
  s3::ObjectSettings objects;  // what put gives the object (from --config; else none)
};

// The defaults from the environment: endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, profile),
// region (AWS_REGION, AWS_DEFAULT_REGION, profile; else us-east-1), profile (AWS_PROFILE).
S3CliSettings s3_cli_settings_from_environment(const s3::EnvLookup& env,
                                               const s3::FileReader& read_file);

// The settings of a sink's configuration: its S3 client, credentials and object settings, with
// the CLI's quick retries (3 attempts within 60 s) as without one.
S3CliSettings s3_cli_settings_from_config(const SinkConfig& config);

// Adds the `s3` subcommand and its commands to `parent`; a parse fills `command` (its name is
// empty unless an s3 command was given). Returns the `s3` subcommand.
CLI::App* add_s3_command(CLI::App& parent, S3CliCommand& command);

// Adds the S3 settings flags (--endpoint, --region, --addressing, --ca-file,
// --insecure-skip-tls-verify, --profile, --payload-signing, --max-attempts) to `app`, filling
// `flags` (also used by `replay`).
void add_s3_settings(CLI::App& app, S3SettingsFlags& flags);

// Applies the flags given onto the settings from the environment.
void apply_s3_flags(const S3SettingsFlags& flags, S3CliSettings& settings);
void apply_s3_flags(const S3SettingsFlags& flags, s3::ClientConfig& client,
                    s3::CredentialsConfig& credentials);

// Runs one command; writes results to `out`, errors (S3Error::describe) to `err`. Returns the
// process exit code: 0 ok, 1 the operation failed, 2 usage or configuration error.
int run_s3_command(const S3CliCommand& command, const S3CliSettings& settings, std::ostream& out,
                   std::ostream& err);

// main()'s entry for a parsed s3 command: settings from the configuration (--config, with the
// process's KAFKA_S3_SINK_* variables) or the environment, then the flags.
int run_s3_cli(const S3CliCommand& command);

}  // namespace ks3::server

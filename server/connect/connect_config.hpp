// Converting a Kafka Connect S3 sink connector configuration into this project's YAML
// (`kafka-s3-sink connect-config FILE.json`), so a team moves over without surprises:
// the same object layout where this sink can write it, and every setting that has no
// equivalent named with the reason.
//
// Input: the connector's JSON, either the bare config object ({"connector.class": ...}) or the
// Connect REST shape ({"name": ..., "config": {...}}, as `GET /connectors/<name>` returns it).
// Supported connectors: Confluent's io.confluent.connect.s3.S3SinkConnector and Aiven's
// io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector.
//
// Output: YAML that the configuration loader accepts (only keys of README's "Configuration
// reference", each with a `# from <connect setting>` comment), the settings that could not be
// mapped, and warnings about behaviour that differs. Secrets (AWS keys, passwords, Schema
// Registry credentials, user info in URLs) never appear in any of it: credentials become
// references to environment variables.
//
// Pure: no I/O. Throws ConnectConfigError for invalid JSON or a connector that is not an S3 sink.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::server {

class ConnectConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct UnmappedSetting {
  std::string connect_setting;  // e.g. "s3.sse.kms.key.id"
  std::string value;            // as written in the connector config; "***" for secrets
  std::string why_not_mapped;   // e.g. "server-side encryption is not supported yet"
};

struct ConnectConversion {
  std::string yaml;                       // this project's configuration, with comments
  std::vector<UnmappedSetting> unmapped;  // in the order of the connector config's keys
  std::vector<std::string> warnings;      // behaviour that differs from the connector's
  std::string connector_class;            // the full class name, e.g. io.confluent.connect.s3....
  std::string connector_name;             // "name", when the input has one
};

ConnectConversion convert_connect_config(std::string_view json_text);

// True for a Connect setting name whose value is a secret (never printed).
bool is_secret_connect_setting(std::string_view name);

}  // namespace ks3::server

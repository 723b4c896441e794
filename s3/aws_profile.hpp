// The AWS shared configuration: environment variables and the ~/.aws/credentials and
// ~/.aws/config files (INI). Pure: the environment and the file system are injected.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "s3/credentials.hpp"

namespace ks3::s3 {

// Looks up one environment variable; nullopt when unset. process_environment() uses getenv;
// an empty value counts as unset (as the AWS SDKs treat it).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_environment();

// Reads a whole file; nullopt when it cannot be read (missing is normal for ~/.aws files).
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;
FileReader local_file_reader();

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// The AWS INI dialect: "[section]" headers, "key = value" lines (key lowercased, both trimmed),
// full-line comments starting with '#' or ';'. Indented lines under a "key =" line with an empty
// value are nested settings ("s3 =\n  addressing_style = path") and stored as "key.sub".
IniFile parse_ini(std::string_view text);

// Settings of one profile, merged from both files. "[name]" in the credentials file wins over
// the config file's "[profile name]" ("[default]" for the default profile).
struct ProfileSettings {
  Credentials credentials;   // aws_access_key_id, aws_secret_access_key, aws_session_token
  std::string region;        // region
  std::string endpoint_url;  // endpoint_url (or s3.endpoint_url)
  std::string role_arn;      // role_arn (with web_identity_token_file)
  std::string web_identity_token_file;  // web_identity_token_file
  std::string role_session_name;        // role_session_name
  bool found = false;                   // the profile exists in at least one file
};
ProfileSettings profile_settings(const IniFile& credentials_file, const IniFile& config_file,
                                 std::string_view profile);

// Where the shared files are: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else
// $HOME/.aws/credentials and $HOME/.aws/config.
struct SharedFilePaths {
  std::string credentials;
  std::string config;
};
SharedFilePaths shared_file_paths(const EnvLookup& env);

// The profile in effect: `configured` if not empty, else AWS_PROFILE, else "default".
std::string active_profile(std::string_view configured, const EnvLookup& env);

// Loads the profile from the shared files (missing files are empty).
ProfileSettings load_profile(std::string_view profile, const EnvLookup& env,
                             const FileReader& read_file);

// The region and endpoint a user set outside the sink's own configuration:
// region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's "region";
// endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, then the profile's endpoint_url.
// Empty strings when not set anywhere. For whoever builds the s3::ClientConfig.
struct AwsDefaults {
  std::string region;
  std::string endpoint_url;
};
AwsDefaults aws_defaults(std::string_view profile, const EnvLookup& env,
                         const FileReader& read_file);

}  // namespace ks3::s3

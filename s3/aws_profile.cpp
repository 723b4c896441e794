#include "s3/aws_profile.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "s3/ascii.hpp"

namespace ks3::s3 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string get(const IniSection& section, const std::string& key) {
  const auto it = section.find(key);
  return it == section.end() ? "" : it->second;
}

const IniSection* find_section(const IniFile& file, const std::string& name) {
  const auto it = file.find(name);
  return it == file.end() ? nullptr : &it->second;
}

// Fills `out` from one section, keeping what an earlier (higher-priority) file set.
void merge(const IniSection& section, ProfileSettings& out) {
  auto take = [&](std::string& field, const std::string& key) {
    if (field.empty()) field = get(section, key);
  };
  take(out.credentials.access_key_id, "aws_access_key_id");
  take(out.credentials.secret_access_key, "aws_secret_access_key");
  take(out.credentials.session_token, "aws_session_token");
  take(out.region, "region");
  take(out.endpoint_url, "s3.endpoint_url");
  take(out.endpoint_url, "endpoint_url");
  take(out.role_arn, "role_arn");
  take(out.web_identity_token_file, "web_identity_token_file");
  take(out.role_session_name, "role_session_name");
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

FileReader local_file_reader() {
  return [](const std::string& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  };
}

IniFile parse_ini(std::string_view text) {
  IniFile out;
  IniSection* section = nullptr;
  std::string nested_parent;  // "s3" while reading the indented lines of "s3 ="
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = &out[std::string(trim(line.substr(1, line.size() - 2)))];
      nested_parent.clear();
      continue;
    }
    const auto eq = line.find('=');
    if (section == nullptr || eq == std::string_view::npos) continue;  // not a setting
    const std::string key = ascii_lowercase(trim(line.substr(0, eq)));
    const std::string value(trim(line.substr(eq + 1)));
    if (indented && !nested_parent.empty()) {
      (*section)[nested_parent + "." + key] = value;
      continue;
    }
    nested_parent = value.empty() ? key : "";
    if (!value.empty()) (*section)[key] = value;
  }
  return out;
}

ProfileSettings profile_settings(const IniFile& credentials_file, const IniFile& config_file,
                                 std::string_view profile) {
  ProfileSettings out;
  const std::string name(profile);
  if (const IniSection* s = find_section(credentials_file, name)) {
    merge(*s, out);
    out.found = true;
  }
  // "In the config file, [...] named profiles are preceded by the word profile" ([default] not).
  const IniSection* config_section = find_section(config_file, "profile " + name);
  if (config_section == nullptr && name == "default") {
    config_section = find_section(config_file, "default");
  }
  if (config_section != nullptr) {
    merge(*config_section, out);
    out.found = true;
  }
  return out;
}

SharedFilePaths shared_file_paths(const EnvLookup& env) {
  const std::string home = env("HOME").value_or("");
  return SharedFilePaths{env("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials"),
                         env("AWS_CONFIG_FILE").value_or(home + "/.aws/config")};
}

std::string active_profile(std::string_view configured, const EnvLookup& env) {
  if (!configured.empty()) return std::string(configured);
  return env("AWS_PROFILE").value_or("default");
}

ProfileSettings load_profile(std::string_view profile, const EnvLookup& env,
                             const FileReader& read_file) {
  const SharedFilePaths paths = shared_file_paths(env);
  const IniFile credentials = parse_ini(read_file(paths.credentials).value_or(""));
  const IniFile config = parse_ini(read_file(paths.config).value_or(""));
  return profile_settings(credentials, config, profile);
}

AwsDefaults aws_defaults(std::string_view profile, const EnvLookup& env,
                         const FileReader& read_file) {
  const ProfileSettings settings = load_profile(active_profile(profile, env), env, read_file);
  AwsDefaults out;
  out.region = env("AWS_REGION").value_or(env("AWS_DEFAULT_REGION").value_or(settings.region));
  out.endpoint_url =
      env("AWS_ENDPOINT_URL_S3").value_or(env("AWS_ENDPOINT_URL").value_or(settings.endpoint_url));
  return out;
}

}  // namespace ks3::s3

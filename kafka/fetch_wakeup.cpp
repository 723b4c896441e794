#include "kafka/fetch_wakeup.hpp"

#include <algorithm>
#include <cctype>

namespace ks3::kafka {

namespace {

// librdkafka 2.2.0 has fetch.queue.backoff.ms: it re-decides on its own.
constexpr int kFirstVersionWithQueueBackoff = 0x020200ff;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

const std::string* find(const std::map<std::string, std::string>& properties,
                        const std::string& name) {
  auto it = properties.find(name);
  return it == properties.end() ? nullptr : &it->second;
}

}  // namespace

FetchWakeupMode fetch_wakeup_mode(int version,
                                  const std::map<std::string, std::string>& properties) {
  using Kind = FetchWakeupMode::Kind;
  if (version >= kFirstVersionWithQueueBackoff) {
    return {
        Kind::not_needed, {}, "librdkafka 2.2+ resumes fetching itself (fetch.queue.backoff.ms)"};
  }
  const std::string* protocol = find(properties, "security.protocol");
  const bool sasl = protocol && lower(*protocol).starts_with("sasl");
  if (!sasl) return {Kind::wake, {}, {}};  // the SASL credentials are never used
  // librdkafka's default mechanism is GSSAPI; "sasl.mechanism" is an alias.
  const std::string* mechanism = find(properties, "sasl.mechanisms");
  if (!mechanism) mechanism = find(properties, "sasl.mechanism");
  const std::string name = mechanism ? upper(*mechanism) : "GSSAPI";
  if (name == "OAUTHBEARER") return {Kind::wake, {}, {}};  // uses tokens, not these strings
  if (name == "PLAIN" || name.starts_with("SCRAM-")) {
    const std::string* username = find(properties, "sasl.username");
    const std::string* password = find(properties, "sasl.password");
    if (username && password) return {Kind::wake, {*username, *password}, {}};
    return {Kind::unavailable,
            {},
            "SASL " + name + " without sasl.username and sasl.password in the properties"};
  }
  return {Kind::unavailable, {}, "SASL " + name + " reads the credentials it would be given"};
}

}  // namespace ks3::kafka

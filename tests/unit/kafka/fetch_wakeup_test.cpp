#include "kafka/fetch_wakeup.hpp"

#include <gtest/gtest.h>

namespace ks3::kafka {
namespace {

using Kind = FetchWakeupMode::Kind;
constexpr int kV202 = 0x020002ff;  // Debian 12's librdkafka

TEST(FetchWakeupMode, PlaintextAndSslWakeWithEmptyCredentials) {
  for (const char* protocol : {"", "plaintext", "SSL"}) {
    std::map<std::string, std::string> properties;
    if (*protocol) properties["security.protocol"] = protocol;
    auto mode = fetch_wakeup_mode(kV202, properties);
    EXPECT_EQ(mode.kind, Kind::wake) << protocol;
    EXPECT_EQ(mode.credentials.username, "");
    EXPECT_EQ(mode.credentials.password, "");
  }
}

TEST(FetchWakeupMode, PlainAndScramPassTheConfiguredCredentialsUnchanged) {
  for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256", "scram-sha-512"}) {
    auto mode = fetch_wakeup_mode(kV202, {{"security.protocol", "SASL_SSL"},
                                          {"sasl.mechanisms", mechanism},
                                          {"sasl.username", "sink"},
                                          {"sasl.password", "s3cret"}});
    EXPECT_EQ(mode.kind, Kind::wake) << mechanism;
    EXPECT_EQ(mode.credentials.username, "sink");
    EXPECT_EQ(mode.credentials.password, "s3cret");
  }
  // The alias sasl.mechanism counts too.
  auto alias = fetch_wakeup_mode(kV202, {{"security.protocol", "sasl_plaintext"},
                                         {"sasl.mechanism", "PLAIN"},
                                         {"sasl.username", "u"},
                                         {"sasl.password", "p"}});
  EXPECT_EQ(alias.kind, Kind::wake);
}

TEST(FetchWakeupMode, NeverTouchesCredentialsThatWouldChangeAuthentication) {
  // GSSAPI (librdkafka's default mechanism) reads username/password when they are set.
  auto gssapi = fetch_wakeup_mode(kV202, {{"security.protocol", "SASL_SSL"}});
  EXPECT_EQ(gssapi.kind, Kind::unavailable);
  EXPECT_NE(gssapi.why.find("GSSAPI"), std::string::npos);
  // PLAIN without both strings: setting them would replace what librdkafka has.
  auto partial = fetch_wakeup_mode(
      kV202,
      {{"security.protocol", "SASL_SSL"}, {"sasl.mechanisms", "PLAIN"}, {"sasl.username", "u"}});
  EXPECT_EQ(partial.kind, Kind::unavailable);
  EXPECT_EQ(partial.why.find("u\""), std::string::npos);
  // OAUTHBEARER uses tokens: the strings are never read.
  auto oauth = fetch_wakeup_mode(
      kV202, {{"security.protocol", "SASL_SSL"}, {"sasl.mechanisms", "OAUTHBEARER"}});
  EXPECT_EQ(oauth.kind, Kind::wake);
}

TEST(FetchWakeupMode, NotNeededFromLibrdkafka22) {
  EXPECT_EQ(fetch_wakeup_mode(0x020200ff, {}).kind, Kind::not_needed);
  EXPECT_EQ(fetch_wakeup_mode(0x020300ff, {}).kind, Kind::not_needed);
  EXPECT_EQ(fetch_wakeup_mode(0x020103ff, {}).kind, Kind::wake);
}

}  // namespace
}  // namespace ks3::kafka

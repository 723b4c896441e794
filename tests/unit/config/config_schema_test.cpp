// Table-driven over the schema (config_keys()): every key, every kind of invalid value (wrong
// type, out of range, unknown enum name, a value the key's meaning rules out) is rejected with
// an error that names the key. A key added to the schema is covered without touching this file;
// a text key whose values are checked gets its bad values in kMeaningCases.
#include "server/config/config_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "server/config/config.hpp"

namespace ks3::server {
namespace {

struct BadValue {
  std::string yaml;                 // the value as YAML text (flow style)
  std::vector<std::string> sets{};  // extra settings the case needs (--set key=value)
};

// The key as YAML: "s3.part_size" -> "s3:\n  part_size: VALUE\n".
std::string yaml_of(std::string_view path, std::string_view value) {
  std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) return std::string(path) + ": " + std::string(value) + "\n";
  return std::string(path.substr(0, dot)) + ":\n  " + std::string(path.substr(dot + 1)) + ": " +
         std::string(value) + "\n";
}

std::string too_big(const KeySpec& key) {
  return key.max == UINT64_MAX ? "99999999999999999999999" : std::to_string(key.max + 1);
}

// Values of the wrong type or out of range, from the key's type alone.
std::vector<BadValue> type_cases(const KeySpec& key) {
  switch (key.type) {
    case ValueType::text:
      return {{"[a, b]"}, {"{a: 1}"}};
    case ValueType::size:
      return {{"lots"}, {"-1"}, {"8 parsecs"}, {"99999999999999999999GiB"}, {"[1, 2]"}};
    case ValueType::duration:
      return {{"soon"}, {"-5s"}, {"5 fortnights"}, {"[1s]"}};
    case ValueType::boolean:
      return {{"maybe"}, {"2"}, {"[true]"}};
    case ValueType::count: {
      std::vector<BadValue> cases = {{"many"}, {"-1"}, {"1.5"}, {too_big(key)}, {"{a: 1}"}};
      if (key.min > 0) cases.push_back({std::to_string(key.min - 1)});
      return cases;
    }
    case ValueType::choice: {
      std::string upper = key.choices.front();
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return {{"nope"}, {key.choices.front() + "x"}, {upper}, {"[" + key.choices.front() + "]"}};
    }
    case ValueType::list:
      return {{"{a: 1}"}};
    case ValueType::map:
      return {{"[a, b]"}, {"text"}};
  }
  return {};
}

// Values of the right type that the key's meaning rules out (checked after loading).
const std::map<std::string, std::vector<BadValue>>& meaning_cases() {
  static const std::map<std::string, std::vector<BadValue>> cases = {
      {"kafka.bootstrap_servers", {{"''"}, {"'  '"}}},
      {"kafka.group_id", {{"''"}}},
      {"kafka.topics", {{"[]"}}},
      {"kafka.topics_regex",
       {{"'^a('"}, {"'^a'", {"kafka.assign.replicas=2", "kafka.assign.ordinal=0"}}}},
      {"kafka.properties", {{"{enable.auto.commit: 'true'}"}, {"{group.id: other}"}}},
      {"kafka.assign.replicas", {{"2"}}},
      {"kafka.assign.ordinal",
       {{"2", {"kafka.assign.replicas=2"}}, {"first", {"kafka.assign.replicas=2"}}, {"0"}}},
      {"kafka.assign.topics",
       {{"{t: [-1]}"},
        {"{t: [0, 0]}"},
        {"{t: [a]}"},
        {"{u: [0]}"},
        {"{t: [0]}", {"kafka.assign.replicas=2", "kafka.assign.ordinal=0"}}}},
      {"kafka.assign.check_interval",
       {{"0", {"kafka.assign.replicas=1", "kafka.assign.ordinal=0"}}}},
      {"s3.endpoint", {{"ftp://x"}, {"'http://'"}}},
      {"s3.region", {{"''"}}},
      {"s3.bucket", {{"''"}}},
      // Not UTF-8 (0xC3 must be followed by a continuation byte): found by the config_yaml fuzzer.
      {"s3.prefix",
       {{"/raw"},
        {"\"a\\tb\""},
        {"\xC3"
         "aw/"}}},
      {"s3.access_key_id", {{"AKIAONLYTHEID"}}},
      {"s3.secret_access_key", {{"only-the-secret"}}},
      {"s3.part_size", {{"1MiB"}, {"6GiB"}}},
      {"s3.health_check_interval", {{"0"}}},
      {"s3.connect_timeout", {{"0"}}},
      {"s3.read_timeout", {{"0"}}},
      {"s3.write_timeout", {{"0"}}},
      {"s3.retry_base_delay", {{"0"}, {"1h"}}},
      {"s3.retry_max_delay", {{"1ms"}}},
      {"s3.operation_deadline", {{"0"}}},
      {"s3.sse_kms_key_id", {{"alias/lake"}, {"'a b'", {"s3.sse=aws:kms"}}}},
      {"s3.storage_class", {{"PLATINUM"}, {"standard"}}},
      {"s3.tags", {{"{'aws:owner': me}"}, {"{'k;': v}"}}},
      {"s3.metadata", {{"{'a b': c}"}, {"{k: ' v'}"}}},
      {"format.delimiter", {{"''", {"format.type=raw"}}}},
      {"compression.level",
       {{"12"},
        {"0"},
        {"0", {"compression.type=zstd"}},
        {"19", {"compression.type=gzip"}},
        {"1", {"compression.type=none"}}}},
      {"key_template",
       {{"nope"},
        {"'{{topic}}/\xED\xA0\x80/{{partition}}/{{start_offset}}'"},  // a UTF-16 surrogate
        {"'{{topic}}/{{partition}}'"},
        {"'{{nope}}/{{partition}}/{{start_offset}}'"},
        {"'/{{topic}}/{{partition}}/{{start_offset}}'"},
        {"'{{partition}}/{{start_offset}}'", {"kafka.topics=a,b"}}}},
      {"key_default", {{"a/b"}, {"''"}, {"'..'"}}},
      {"bad_records.dead_letter_prefix",
       {{"/dlq", {"bad_records.policy=dead_letter"}}, {"''", {"bad_records.policy=dead_letter"}}}},
      {"bad_records.dead_letter_topic",
       {{"'a b'", {"bad_records.policy=dead_letter"}},
        {"'..'", {"bad_records.policy=dead_letter"}},
        {"dlq/x", {"bad_records.policy=dead_letter"}},
        {std::string(250, 'd'), {"bad_records.policy=dead_letter"}},
        {"dlq", {"bad_records.policy=skip"}},       // no dead letters under this policy
        {"t", {"bad_records.policy=dead_letter"}},  // consumed: a loop
        {"dlq", {"bad_records.policy=dead_letter", "kafka.topics=a,dlq"}},
        {"t.dlq", {"bad_records.policy=dead_letter", "kafka.topics=^t.*"}},
        {"edfi.dlq",
         {"bad_records.policy=dead_letter", "kafka.topics=", "kafka.topics_regex=edfi\\..*"}},
        {"dlq", {"bad_records.policy=dead_letter", "mode=mirror"}}}},
      {"memory.high_watermark", {{"1MiB"}}},
      {"memory.low_watermark", {{"1GiB"}, {"8MiB"}}},  // 8 MiB: below the 16 MiB prefetch
      {"shutdown_deadline", {{"0"}}},
      {"http.listen", {{"9400"}, {"'host:99999'"}, {"':9400'"}}},
      {"parquet.value", {{"infer", {"format.type=parquet", "format.value_encoding=base64"}}}},
      {"parquet.row_group_bytes", {{"1KiB", {"format.type=parquet"}}}},
      {"compression.type", {{"snappy"}}},
      {"schema_registry.url",
       {{"''", {"format.input=avro"}},
        {"ftp://r", {"format.input=avro"}},
        {"'http://user:pw@r:8081'", {"format.input=avro"}}}},
      {"format.input",
       {{"avro", {"schema_registry.url=http://r:8081", "format.value_encoding=string"}}}},
      {"format.key_input",
       {{"avro"}, {"avro", {"format.input=avro", "schema_registry.url=http://r:8081"}}}},
      {"format.avro.reader_schema",
       {{"/nonexistent/v2.avsc"},
        {"/nonexistent/v2.avsc", {"format.input=avro", "schema_registry.url=http://r:8081"}}}},
      {"mirror.key_template",
       {{"'{{nope}}.json'", {"mode=mirror"}},
        {"'{{topic}}/{{start_offset}}.json'", {"mode=mirror"}},
        {"'/{{key}}.json'", {"mode=mirror"}}}},
      {"mirror.document_field", {{"'a..b'", {"mode=mirror", "mirror.body=document"}}}},
  };
  return cases;
}

// Issues from loading `yaml` over a minimal valid configuration.
std::vector<ConfigIssue> issues_of_bad_value(const std::string& path, const BadValue& bad) {
  ConfigSources sources;
  if (!path.starts_with("kafka.topics")) sources.sets.push_back("kafka.topics=t");
  if (path != "s3.bucket") sources.sets.push_back("s3.bucket=b");
  for (const std::string& set : bad.sets) sources.sets.push_back(set);
  try {
    load_config_from_yaml(yaml_of(path, bad.yaml), sources);
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool names_key(const std::vector<ConfigIssue>& issues, const std::string& path) {
  return std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue& issue) {
    return issue.key == path || issue.key.starts_with(path + ".") ||
           issue.message.find(path) != std::string::npos;
  });
}

std::string describe(const std::vector<ConfigIssue>& issues) {
  std::string text;
  for (const ConfigIssue& issue : issues) text += "\n  " + issue.key + ": " + issue.message;
  return text.empty() ? " (accepted)" : text;
}

TEST(ConfigSchema, EveryInvalidValueOfEveryKeyIsRejectedNamingTheKey) {
  std::size_t checked = 0;
  for (const KeySpec& key : config_keys()) {
    std::vector<BadValue> cases = type_cases(key);
    if (auto it = meaning_cases().find(key.path); it != meaning_cases().end()) {
      cases.insert(cases.end(), it->second.begin(), it->second.end());
    }
    ASSERT_FALSE(cases.empty()) << key.path;
    for (const BadValue& bad : cases) {
      std::vector<ConfigIssue> issues = issues_of_bad_value(key.path, bad);
      EXPECT_TRUE(names_key(issues, key.path)) << key.path << ": " << bad.yaml << describe(issues);
      ++checked;
    }
  }
  EXPECT_GT(checked, 150u);
}

TEST(ConfigSchema, MeaningCasesNameRealKeys) {
  for (const auto& [path, cases] : meaning_cases()) EXPECT_NE(find_key(path), nullptr) << path;
}

TEST(ConfigSchema, EveryValidEnumNameAndRangeEndIsAccepted) {
  for (const KeySpec& key : config_keys()) {
    std::vector<std::string> values;
    if (key.type == ValueType::choice) values = key.choices;
    if (key.type == ValueType::count && key.path != "compression.level") {
      values = {std::to_string(key.min), std::to_string(key.max)};
    }
    for (const std::string& value : values) {
      ConfigSources sources;
      sources.sets = {"kafka.topics=t", "s3.bucket=b", key.path + "=" + value};
      // Values that only make sense with a companion setting.
      if (key.path == "kafka.assign.replicas") sources.sets.push_back("kafka.assign.ordinal=0");
      if (value == "snappy") sources.sets.push_back("format.type=parquet");
      if (key.path == "format.key_input" && value == "avro") {
        sources.sets.push_back("format.input=avro");
        sources.sets.push_back("format.key_encoding=json");
        sources.sets.push_back("schema_registry.url=http://registry:8081");
      }
      if ((key.path == "format.input" || key.path == "format.type") && value == "avro") {
        sources.sets.push_back("format.input=avro");
        sources.sets.push_back("tombstones=ignore");
        sources.sets.push_back("schema_registry.url=http://registry:8081");
      }
      try {
        SinkConfig config = load_config_from_yaml("", sources);
        // The name shown for the value (--validate) is the name that was set.
        EXPECT_EQ(key.get(config).scalar, value) << key.path;
      } catch (const ConfigError& e) {
        ADD_FAILURE() << key.path << "=" << value << ": " << e.what();
      }
    }
  }
}

TEST(ConfigSchema, EnumsAcceptWhatTheCommandLineAccepts) {
  // The s3 CLI's --addressing takes virtual-hosted (s3::parse_addressing_style): so does the
  // configuration, and it shows it by its canonical name.
  ConfigSources sources;
  sources.sets = {"kafka.topics=t", "s3.bucket=b", "s3.addressing=virtual-hosted"};
  SinkConfig config = load_config_from_yaml("", sources);
  EXPECT_EQ(config.s3.client.addressing, s3::AddressingStyle::virtual_hosted);
  EXPECT_EQ(find_key("s3.addressing")->get(config).scalar, "virtual");
  std::vector<ConfigIssue> issues = issues_of_bad_value("s3.addressing", {"dns"});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "'dns' is not one of: auto, path, virtual");
}

TEST(ConfigSchema, CompressionLevelsPerType) {
  for (const auto& [type, good, bad] :
       std::vector<std::tuple<std::string, std::vector<int>, std::vector<int>>>{
           {"gzip", {1, 9}, {0, 10, 19}}, {"zstd", {1, 19}, {0}}, {"none", {0}, {1, 9}}}) {
    for (int level : good) {
      ConfigSources sources;
      sources.sets = {"kafka.topics=t", "s3.bucket=b", "compression.type=" + type,
                      "compression.level=" + std::to_string(level)};
      EXPECT_EQ(load_config_from_yaml("", sources).compression.level, level) << type;
    }
    for (int level : bad) {
      std::vector<ConfigIssue> issues = issues_of_bad_value(
          "compression.level", {std::to_string(level), {"compression.type=" + type}});
      ASSERT_EQ(issues.size(), 1u) << type << " " << level << describe(issues);
      EXPECT_EQ(issues[0].key, "compression.level");
      EXPECT_THAT(issues[0].message, ::testing::HasSubstr("for " + type + " use"));
    }
  }
}

}  // namespace
}  // namespace ks3::server

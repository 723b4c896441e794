// The `mode` and `mirror.*` configuration keys and their validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/config/config.hpp"

namespace ks3::server {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kBase = "s3: {bucket: b}\nkafka: {topics: [edfi.dms.document]}\n";

std::string error_of(std::vector<std::string> sets, std::string_view yaml = kBase) {
  ConfigSources sources;
  sources.sets = std::move(sets);
  try {
    load_config_from_yaml(yaml, sources);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(MirrorConfig, LogIsTheDefaultMode) {
  SinkConfig config = load_config_from_yaml(kBase);
  EXPECT_EQ(config.mode, SinkMode::log);
  EXPECT_EQ(config.mirror.key_template, "{{topic}}/{{key}}.json");
  EXPECT_EQ(config.mirror.body, MirrorBody::value);
  EXPECT_EQ(config.mirror.deletes, MirrorDeletes::remove);
  EXPECT_EQ(config.mirror.compression, Compression::none);
  EXPECT_EQ(config.mirror.key_map_size, 100000u);
  EXPECT_TRUE(config.mirror.key_log);
  EXPECT_EQ(config.mirror.key_log_snapshot_every, 50u);
}

TEST(MirrorConfig, TheKeyLogKeys) {
  ConfigSources sources;
  sources.sets = {"mode=mirror", "mirror.key_log=false", "mirror.key_log_snapshot_every=7"};
  SinkConfig config = load_config_from_yaml(kBase, sources);
  EXPECT_FALSE(config.mirror.key_log);
  EXPECT_EQ(config.mirror.key_log_snapshot_every, 7u);
  EXPECT_THAT(error_of({"mirror.key_log=maybe"}), HasSubstr("mirror.key_log: "));
  EXPECT_THAT(error_of({"mirror.key_log_snapshot_every=0"}),
              HasSubstr("mirror.key_log_snapshot_every: "));
}

TEST(MirrorConfig, TheEdFiRecipeLoads) {
  SinkConfig config = load_config_from_yaml(std::string(kBase) + R"(
mode: mirror
mirror:
  key_template: "{{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}.json"
  body: document
  document_field: edfidoc
  deletes: marker
  compression: gzip
  key_map_size: 5000
)");
  EXPECT_EQ(config.mode, SinkMode::mirror);
  EXPECT_EQ(config.mirror.body, MirrorBody::document);
  EXPECT_EQ(config.mirror.deletes, MirrorDeletes::marker);
  EXPECT_EQ(config.mirror.compression, Compression::gzip);
  EXPECT_EQ(config.mirror.key_map_size, 5000u);
  EXPECT_EQ(config.mirror_key_template().text(),
            "{{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}.json");
  // --validate shows the keys.
  EXPECT_THAT(effective_config_yaml(config), HasSubstr("mode: \"mirror\""));
  EXPECT_THAT(effective_config_yaml(config), HasSubstr("deletes: \"marker\""));
  // --validate's example names a document (fields absent from the sample take key_default).
  EXPECT_EQ(example_object_key(config), "_unknown/_unknown/_unknown.json");
}

TEST(MirrorConfig, BadMirrorSettingsNameTheirKey) {
  EXPECT_THAT(error_of({"mode=replace"}), HasSubstr("mode: 'replace' is not one of: log, mirror"));
  EXPECT_THAT(error_of({"mode=mirror", "mirror.key_template={{topic}}/{{start_offset}}.json"}),
              HasSubstr("mirror.key_template: must not contain {{start_offset}}"));
  EXPECT_THAT(error_of({"mode=mirror", "mirror.key_template={{nope}}"}),
              HasSubstr("mirror.key_template: "));
  EXPECT_THAT(error_of({"mode=mirror", "mirror.body=document", "mirror.document_field=a..b"}),
              HasSubstr("mirror.document_field: "));
  EXPECT_THAT(error_of({"mirror.compression=zstd"}), HasSubstr("mirror.compression: "));
  EXPECT_THAT(error_of({"mirror.deletes=tombstone"}), HasSubstr("mirror.deletes: "));
  EXPECT_THAT(error_of({"mode=mirror", "mirror.body=envelope", "format.type=csv"}),
              HasSubstr("mirror.body: "));
  EXPECT_THAT(error_of({"mode=mirror", "mirror.key_template=docs/{{key}}.json"},
                       "s3: {bucket: b}\nkafka: {topics: [a, b]}\n"),
              HasSubstr("mirror.key_template: "));
  // The log mode does not look at mirror.key_template.
  EXPECT_EQ(error_of({"mirror.key_template={{topic}}/{{start_offset}}"}), "no error");
  EXPECT_EQ(error_of({"mode=mirror"}), "no error");
}

}  // namespace
}  // namespace ks3::server

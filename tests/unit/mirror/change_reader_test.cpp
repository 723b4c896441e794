// What a record means in mode: mirror (server/mirror/change_reader.hpp): change kind, object key
// and body, for the Ed-Fi DMS row (ExtractNewRecordState), Debezium envelopes and tombstones.
#include "server/mirror/change_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/compress/compressor.hpp"

namespace ks3::server {
namespace {

using ::testing::HasSubstr;

SinkConfig mirror_config(std::vector<std::string> sets = {}) {
  ConfigSources sources;
  sources.sets = std::move(sets);
  return load_config_from_yaml(R"(
kafka: {topics: [edfi.dms.document]}
s3: {bucket: b, prefix: lake}
mode: mirror
mirror:
  key_template: "{{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}.json"
  body: document
)",
                               sources);
}

const std::string kRow =
    R"({"id":7,"documentuuid":"u-1","resourcename":"Student","projectname":"Ed-Fi",)"
    R"("edfidoc":{"studentUniqueId":"100","score": 1.50, "names":["a","b"]},"__deleted":"false"})";

RecordView record(std::optional<std::string_view> value, std::optional<std::string_view> key = "7",
                  std::int64_t offset = 42) {
  RecordView r;
  r.topic = "edfi.dms.document";
  r.partition = 1;
  r.offset = offset;
  r.timestamp_ms = 1700000000000;
  r.key = key;
  r.value = value;
  return r;
}

MirrorChange change_of(MirrorChangeReader& reader, const RecordView& r) {
  auto read = reader.read(r);
  if (auto* bad = std::get_if<MirrorBadRecord>(&read)) {
    ADD_FAILURE() << bad->message;
    return {};
  }
  return std::get<MirrorChange>(read);
}

TEST(MirrorChangeReader, AnUpsertWritesTheDocumentFieldAsItIs) {
  SinkConfig config = mirror_config();
  MirrorChangeReader reader(config);
  MirrorChange change = change_of(reader, record(kRow));
  EXPECT_EQ(change.kind, MirrorChangeKind::upsert);
  EXPECT_EQ(change.record_key, "7");
  EXPECT_EQ(change.object_key, "lake/Ed-Fi/Student/u-1.json");
  ASSERT_TRUE(change.body);
  // The bytes of the record, number formatting and spacing included.
  EXPECT_EQ(*change.body, R"({"studentUniqueId":"100","score": 1.50, "names":["a","b"]})");
  EXPECT_EQ(reader.content_type(), "application/json");
  EXPECT_EQ(reader.content_encoding(), "");
}

TEST(MirrorChangeReader, ADocumentFieldHoldingJsonTextIsUnwrapped) {
  SinkConfig config = mirror_config();
  MirrorChangeReader reader(config);
  const std::string row = R"({"documentuuid":"u","resourcename":"School","projectname":"Ed-Fi",)"
                          R"("edfidoc":"{\"schoolId\":255901}"})";
  EXPECT_EQ(*change_of(reader, record(row)).body, R"({"schoolId":255901})");
}

TEST(MirrorChangeReader, AMissingDocumentIsABadRecordNamingIt) {
  SinkConfig config = mirror_config();
  MirrorChangeReader reader(config);
  auto read = reader.read(record(R"({"documentuuid":"u","resourcename":"School"})"));
  auto* bad = std::get_if<MirrorBadRecord>(&read);
  ASSERT_TRUE(bad);
  EXPECT_THAT(bad->message, HasSubstr("edfi.dms.document/1/42"));
  EXPECT_THAT(bad->message, HasSubstr("'edfidoc'"));
  read = reader.read(record(R"({"edfidoc":"not json"})"));
  ASSERT_TRUE(std::get_if<MirrorBadRecord>(&read));
  read = reader.read(record(R"({"edfidoc":12})"));
  ASSERT_TRUE(std::get_if<MirrorBadRecord>(&read));
  read = reader.read(record("not json at all"));
  ASSERT_TRUE(std::get_if<MirrorBadRecord>(&read));
}

TEST(MirrorChangeReader, DeletedRowsAndEnvelopesWithOpDAreRemoves) {
  SinkConfig config = mirror_config();
  MirrorChangeReader reader(config);
  const std::string deleted =
      R"({"documentuuid":"u-1","resourcename":"Student","projectname":"Ed-Fi","__deleted":"true"})";
  MirrorChange change = change_of(reader, record(deleted));
  EXPECT_EQ(change.kind, MirrorChangeKind::remove);
  EXPECT_EQ(change.object_key, "lake/Ed-Fi/Student/u-1.json");
  EXPECT_FALSE(change.body);
  const std::string envelope =
      R"({"before":{"id":7},"after":null,"source":{"table":"document"},"op":"d"})";
  EXPECT_EQ(change_of(reader, record(envelope)).kind, MirrorChangeKind::remove);
  const std::string truncate = R"({"source":{"table":"document"},"op":"t"})";
  EXPECT_EQ(change_of(reader, record(truncate)).kind, MirrorChangeKind::none);
}

TEST(MirrorChangeReader, ATombstoneNamesItsObjectOnlyWhenTheTemplateNeedsNoValue) {
  SinkConfig config = mirror_config();
  MirrorChangeReader reader(config);
  MirrorChange change = change_of(reader, record(std::nullopt));
  EXPECT_EQ(change.kind, MirrorChangeKind::remove);
  EXPECT_EQ(change.object_key, "") << "found through the key map instead";
  SinkConfig by_key = mirror_config({"mirror.key_template={{topic}}/{{key}}.json"});
  MirrorChangeReader key_reader(by_key);
  EXPECT_EQ(change_of(key_reader, record(std::nullopt)).object_key,
            "lake/edfi.dms.document/7.json");
}

TEST(MirrorChangeReader, ValueAndEnvelopeBodies) {
  SinkConfig value_config = mirror_config({"mirror.body=value"});
  MirrorChangeReader value_reader(value_config);
  EXPECT_EQ(*change_of(value_reader, record(kRow)).body, kRow);
  auto invalid = value_reader.read(record(R"({"a":)"));
  EXPECT_TRUE(std::get_if<MirrorBadRecord>(&invalid)) << "invalid";

  SinkConfig envelope_config =
      mirror_config({"mirror.body=envelope", "format.fields=offset,key,value"});
  MirrorChangeReader envelope_reader(envelope_config);
  EXPECT_EQ(*change_of(envelope_reader, record(R"({"a":1})")).body,
            "{\"offset\":42,\"key\":\"7\",\"value\":{\"a\":1}}\n");
}

TEST(MirrorChangeReader, GzipBodiesDecompressToTheDocument) {
  SinkConfig config = mirror_config({"mirror.compression=gzip"});
  MirrorChangeReader reader(config);
  EXPECT_EQ(reader.content_encoding(), "gzip");
  MirrorChange change = change_of(reader, record(kRow));
  EXPECT_EQ(change.object_key, "lake/Ed-Fi/Student/u-1.json");
  auto plain = decompress(Compression::gzip, *change.body);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, R"({"studentUniqueId":"100","score": 1.50, "names":["a","b"]})");
  // Deterministic: a replay writes the same bytes.
  EXPECT_EQ(*change_of(reader, record(kRow)).body, *change.body);
}

TEST(MirrorChangeReader, DeadLettersGetAUniqueKeyPerRecord) {
  SinkConfig config = mirror_config({"bad_records.policy=dead_letter"});
  MirrorChangeReader reader(config);
  MirrorChange change = reader.dead_letter(record("{oops"), "the value is not JSON");
  EXPECT_EQ(change.kind, MirrorChangeKind::upsert);
  EXPECT_FALSE(change.record_key);
  EXPECT_EQ(change.object_key,
            "lake/_dlq/edfi.dms.document/partition=1/"
            "edfi.dms.document+1+00000000000000000042.jsonl");
  EXPECT_THAT(*change.body, HasSubstr("the value is not JSON"));
}

}  // namespace
}  // namespace ks3::server

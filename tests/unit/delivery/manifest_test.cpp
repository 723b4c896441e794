#include "server/delivery/manifest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ks3::server {
namespace {

Manifest sample() {
  Manifest m;
  m.topic = "edfi.dms.document";
  m.partition = 3;
  m.first_offset = 100;
  m.end_offset = 250;
  m.reason = CutReason::idle_flush;
  m.records = 150;
  m.bytes = 30000;
  m.objects.push_back(
      {"raw/edfi.dms.document/partition=3/Ed-Fi%20Extension/päth +=#.json.gz", 100, 249, 120});
  m.objects.push_back({"raw/b/\"quoted\"\\key", 130, 200, 30});
  return m;
}

TEST(Manifest, KeysListInOffsetOrderAndNameTheCut) {
  EXPECT_EQ(manifest_folder("raw/", "events", 7), "raw/_ks3/manifests/events/7/");
  EXPECT_EQ(manifest_folder("", "events", 0), "_ks3/manifests/events/0/");
  EXPECT_EQ(manifest_key("raw/", "events", 7, {100, 250}),
            "raw/_ks3/manifests/events/7/00000000000000000100-00000000000000000250.json");
  // Zero padding: lexicographic order is offset order (ListObjectsV2 lists in UTF-8 order).
  EXPECT_LT(manifest_file_name({9, 10}), manifest_file_name({10, 11}));
  EXPECT_LT(manifest_file_name({99, 1000}), manifest_file_name({100, 101}));
  auto name =
      parse_manifest_file_name(manifest_file_name({9223372036854775806, 9223372036854775807}));
  ASSERT_TRUE(name);
  EXPECT_EQ(name->first_offset, 9223372036854775806);
  EXPECT_EQ(name->end_offset, 9223372036854775807);
}

TEST(Manifest, StartAfterSortsJustBeforeTheSegmentsFromAnOffset) {
  const std::string folder = manifest_folder("", "t", 0);
  const std::string after = manifest_start_after(folder, 100);
  EXPECT_LT(after, folder + manifest_file_name({100, 101}));
  EXPECT_GT(after, folder + manifest_file_name({99, 100}));
  EXPECT_GT(after, folder + manifest_file_name({99, 1000}));
}

TEST(Manifest, ForeignNamesAreNotManifests) {
  for (std::string_view bad :
       {"", "x.json", "00000000000000000100-00000000000000000250.txt",
        "00000000000000000100_00000000000000000250.json",
        "0000000000000000100-00000000000000000250.json",   // 19 digits
        "00000000000000000250-00000000000000000100.json",  // end before first
        "00000000000000000100-00000000000000000100.json",  // empty segment
        "-0000000000000000100-00000000000000000250.json",  // negative
        "0000000000000000+100-00000000000000000250.json",
        "99999999999999999999-99999999999999999999.json"}) {  // past INT64_MAX
    EXPECT_FALSE(parse_manifest_file_name(bad)) << bad;
  }
}

TEST(Manifest, RoundTrips) {
  const Manifest m = sample();
  const std::string body = encode_manifest(m);
  EXPECT_NE(body.find("\"version\":1,"), std::string::npos) << body;
  EXPECT_NE(body.find("\"last_offset\":249,\"reason\":\"idle_flush\""), std::string::npos) << body;
  auto decoded = decode_manifest(body);
  ASSERT_TRUE(decoded.manifest) << decoded.message;
  const Manifest& d = *decoded.manifest;
  EXPECT_EQ(d.topic, m.topic);
  EXPECT_EQ(d.partition, 3);
  EXPECT_EQ(d.first_offset, 100);
  EXPECT_EQ(d.end_offset, 250);
  EXPECT_EQ(d.reason, CutReason::idle_flush);
  EXPECT_EQ(d.records, 150u);
  EXPECT_EQ(d.bytes, 30000u);
  ASSERT_EQ(d.objects.size(), 2u);
  EXPECT_EQ(d.objects[0].key, m.objects[0].key);
  EXPECT_EQ(d.objects[1].key, m.objects[1].key);
  EXPECT_EQ(d.objects[1].first_offset, 130);
  EXPECT_EQ(d.objects[1].records, 30u);
  EXPECT_EQ(encode_manifest(d), body) << "re-encoding gives the same bytes";
}

TEST(Manifest, ASegmentWithoutObjectsIsValid) {
  Manifest m = sample();
  m.objects.clear();
  m.reason = CutReason::shutdown;
  auto decoded = decode_manifest(encode_manifest(m));
  ASSERT_TRUE(decoded.manifest) << decoded.message;
  EXPECT_TRUE(decoded.manifest->objects.empty());
}

TEST(Manifest, NewerVersionsAreRefusedOlderAreRead) {
  std::string body = encode_manifest(sample());
  std::string newer = body;
  newer.replace(newer.find("\"version\":1"), 11, "\"version\":2");
  auto decoded = decode_manifest(newer);
  EXPECT_FALSE(decoded.manifest);
  EXPECT_EQ(decoded.error, ManifestDecodeError::newer_version);
  EXPECT_NE(decoded.message.find("newer"), std::string::npos);
  std::string zero = body;
  zero.replace(zero.find("\"version\":1"), 11, "\"version\":0");
  EXPECT_EQ(decode_manifest(zero).error, ManifestDecodeError::bad_field);
  // Unknown fields (a later minor addition) are ignored.
  std::string extra = body;
  extra.insert(1, "\"etag\":\"x\",");
  EXPECT_TRUE(decode_manifest(extra).manifest) << decode_manifest(extra).message;
}

TEST(Manifest, DamagedBodiesAreRefusedWithAReason) {
  const std::string body = encode_manifest(sample());
  auto expect_refused = [](std::string text, ManifestDecodeError error) {
    auto decoded = decode_manifest(text);
    EXPECT_FALSE(decoded.manifest) << text;
    EXPECT_EQ(decoded.error, error) << text << ": " << decoded.message;
    EXPECT_FALSE(decoded.message.empty());
  };
  expect_refused("", ManifestDecodeError::not_json);
  expect_refused("[1,2]", ManifestDecodeError::not_json);
  expect_refused(body.substr(0, body.size() / 2), ManifestDecodeError::not_json);
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string text = body;
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    return text;
  };
  expect_refused(replaced("\"reason\":\"idle_flush\"", "\"reason\":\"because\""),
                 ManifestDecodeError::bad_field);
  expect_refused(replaced("\"reason\":\"idle_flush\"", "\"reason\":\"none\""),
                 ManifestDecodeError::bad_field);
  expect_refused(replaced("\"partition\":3", "\"partition\":-3"), ManifestDecodeError::bad_field);
  expect_refused(replaced("\"partition\":3", "\"partition\":\"3\""),
                 ManifestDecodeError::bad_field);
  expect_refused(replaced("\"end_offset\":250", "\"end_offset\":100"),
                 ManifestDecodeError::inconsistent);
  expect_refused(replaced("\"last_offset\":249,\"reason\"", "\"last_offset\":248,\"reason\""),
                 ManifestDecodeError::inconsistent);
  expect_refused(replaced("\"first_offset\":130", "\"first_offset\":99"),
                 ManifestDecodeError::inconsistent);
  expect_refused(replaced("\"records\":30", "\"records\":0"), ManifestDecodeError::bad_field);
  expect_refused(replaced("\"objects\":[", "\"objects\":7,\"x\":["),
                 ManifestDecodeError::bad_field);
}

}  // namespace
}  // namespace ks3::server

// Replay's pure core: object keys -> plan, envelope lines -> records (against the real encoder),
// and the per-partition merge in offset order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/compress/compressor.hpp"
#include "server/format/record_encoder.hpp"
#include "server/replay/envelope_decoder.hpp"
#include "server/replay/replay_merge.hpp"
#include "server/replay/replay_plan.hpp"

namespace ks3::server::replay {
namespace {

constexpr std::string_view kDefaultTemplate =
    "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}";

std::string padded(std::int64_t offset) {
  std::string digits = std::to_string(offset);
  return std::string(20 - digits.size(), '0') + digits;
}

std::string default_key(std::string_view topic, int partition, std::int64_t start,
                        std::string_view ext = ".jsonl.gz") {
  const std::string p = std::to_string(partition);
  return std::string(topic) + "/partition=" + p + "/" + std::string(topic) + "+" + p + "+" +
         padded(start) + std::string(ext);
}

TEST(KeyPattern, MatchesTheDefaultTemplateWithEachCompression) {
  const KeyPattern pattern = KeyPattern::parse(kDefaultTemplate);
  auto gz = pattern.match(default_key("edfi.dms.document", 3, 1234), 77);
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->topic, "edfi.dms.document");
  EXPECT_EQ(gz->partition, 3);
  EXPECT_EQ(gz->start_offset, 1234);
  EXPECT_EQ(gz->size, 77u);
  EXPECT_EQ(gz->compression, Compression::gzip);
  EXPECT_EQ(pattern.match(default_key("t", 0, 0, ".jsonl.zst"))->compression, Compression::zstd);
  EXPECT_EQ(pattern.match(default_key("t", 0, 0, ".jsonl"))->compression, Compression::none);
}

TEST(KeyPattern, RejectsOtherFormatsAndForeignKeys) {
  const KeyPattern pattern = KeyPattern::parse(kDefaultTemplate);
  EXPECT_FALSE(pattern.match(default_key("t", 0, 0, ".csv.gz")));
  EXPECT_FALSE(pattern.match(default_key("t", 0, 0, ".bin")));
  EXPECT_FALSE(pattern.match("_dlq/t+0+00000000000000000000.jsonl"));
  EXPECT_FALSE(pattern.match("t/partition=0/t+0+123.jsonl"));                // not 20 digits
  EXPECT_FALSE(pattern.match("t/partition=1/t+2+" + padded(5) + ".jsonl"));  // partitions differ
  EXPECT_FALSE(pattern.match("a/partition=1/b+1+" + padded(5) + ".jsonl"));  // topics differ
}

TEST(KeyPattern, StripsTheSinkPrefixAndMatchesDataVariables) {
  const KeyPattern pattern = KeyPattern::parse(
      "edfi/{{value.resourcename}}/dt={{timestamp:YYYY-MM-DD}}/{{topic}}+{{partition:5}}+"
      "{{start_offset}}",
      "raw/");
  auto object = pattern.match("raw/edfi/Staff%20Member/dt=2024-01-02/my%2Etopic+00007+" +
                              padded(42) + ".jsonl.gz");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->topic, "my.topic");
  EXPECT_EQ(object->partition, 7);
  EXPECT_EQ(object->start_offset, 42);
  EXPECT_FALSE(pattern.match("edfi/Staff/dt=2024-01-02/t+00007+" + padded(42) + ".jsonl.gz"));
}

TEST(KeyPattern, StartOffsetsPaddedToAnotherWidth) {
  // Kafka Connect's 10-digit layout ({{start_offset:10}}) and the unpadded one
  // ({{start_offset:1}}).
  const KeyPattern ten = KeyPattern::parse("{{topic}}+{{partition}}+{{start_offset:10}}");
  EXPECT_EQ(ten.match("t+0+0000000042.jsonl")->start_offset, 42);
  EXPECT_EQ(ten.match("t+0+12345678901.jsonl")->start_offset, 12345678901);  // past the width
  EXPECT_FALSE(ten.match("t+0+42.jsonl"));
  EXPECT_FALSE(ten.match("t+0+" + padded(42) + ".jsonl"));  // 20 digits: a leading zero too many
  const KeyPattern plain = KeyPattern::parse("{{topic}}-{{partition}}-{{start_offset:1}}");
  EXPECT_EQ(plain.match("t-3-0.jsonl")->start_offset, 0);
  EXPECT_EQ(plain.match("t-3-1234.jsonl")->start_offset, 1234);
  EXPECT_FALSE(plain.match("t-3-01234.jsonl"));
  EXPECT_THROW(KeyPattern::parse("{{partition}}/{{start_offset:0}}"), ReplayError);
}

TEST(KeyPattern, NeedsPartitionAndStartOffset) {
  EXPECT_THROW(KeyPattern::parse("{{topic}}/{{start_offset}}"), ReplayError);
  EXPECT_THROW(KeyPattern::parse("{{topic}}/{{partition}}"), ReplayError);
  EXPECT_THROW(KeyPattern::parse("{{partition}}/{{start_offset}}/{{nope}}"), ReplayError);
}

TEST(Plan, OrdersByPartitionThenStartOffsetAndReportsSkippedKeys) {
  const KeyPattern pattern = KeyPattern::parse(kDefaultTemplate);
  std::vector<ListedObject> listing = {
      {default_key("t", 1, 500), 10}, {default_key("t", 0, 2000), 20},
      {default_key("t", 0, 30), 30},  {"t/readme.txt", 1},
      {default_key("t", 0, 100), 40},
  };
  const ReplayPlan plan = make_plan(listing, pattern);
  ASSERT_EQ(plan.partitions.size(), 2u);
  EXPECT_EQ(plan.partitions[0].partition, 0);
  ASSERT_EQ(plan.partitions[0].objects.size(), 3u);
  EXPECT_EQ(plan.partitions[0].objects[0].start_offset, 30);
  EXPECT_EQ(plan.partitions[0].objects[1].start_offset, 100);
  EXPECT_EQ(plan.partitions[0].objects[2].start_offset, 2000);
  EXPECT_EQ(plan.partitions[1].partition, 1);
  EXPECT_EQ(plan.object_count, 4u);
  EXPECT_EQ(plan.total_bytes, 100u);
  EXPECT_EQ(plan.max_partition, 1);
  EXPECT_EQ(plan.skipped, std::vector<std::string>{"t/readme.txt"});
}

TEST(Plan, SeveralTopicsNeedASourceTopic) {
  const KeyPattern pattern = KeyPattern::parse(kDefaultTemplate);
  std::vector<ListedObject> listing = {{default_key("a", 0, 0), 1}, {default_key("b", 0, 0), 1}};
  EXPECT_THROW(make_plan(listing, pattern), ReplayError);
  const ReplayPlan plan = make_plan(listing, pattern, "b");
  ASSERT_EQ(plan.partitions.size(), 1u);
  EXPECT_EQ(plan.partitions[0].topic, "b");
  EXPECT_EQ(plan.skipped.size(), 1u);
}

// --- envelope lines, written by the sink's own encoder ---

struct Original {
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::string encode(const Original& original, const EncoderOptions& options) {
  std::vector<RecordHeader> headers;
  for (const auto& [name, value] : original.headers) {
    headers.push_back({name, value ? std::optional<std::string_view>(*value) : std::nullopt});
  }
  RecordView view;
  view.topic = "orders";
  view.partition = 2;
  view.offset = original.offset;
  view.timestamp_ms = original.timestamp_ms;
  if (original.key) view.key = *original.key;
  if (original.value) view.value = *original.value;
  view.headers = headers;
  JsonReader json;
  std::string out;
  auto error = RecordEncoder(options).encode(view, ChangeOp::none, json, out);
  EXPECT_FALSE(error) << *error;
  EXPECT_TRUE(out.ends_with("\n"));
  out.pop_back();
  return out;
}

ReplayRecord decode(std::string_view line, DecodeOptions options) {
  ReplayRecord record;
  auto error = decode_envelope(line, options, record);
  EXPECT_FALSE(error) << *error << " in " << line;
  return record;
}

EncoderOptions all_fields(BytesEncoding key, BytesEncoding value) {
  EncoderOptions options;
  options.fields = {EnvelopeField::topic,     EnvelopeField::partition, EnvelopeField::offset,
                    EnvelopeField::timestamp, EnvelopeField::key,       EnvelopeField::headers,
                    EnvelopeField::value,     EnvelopeField::op};
  options.key_encoding = key;
  options.value_encoding = value;
  return options;
}

void expect_restored(const Original& original, const ReplayRecord& record) {
  EXPECT_EQ(record.topic, "orders");
  EXPECT_EQ(record.partition, 2);
  EXPECT_EQ(record.offset, original.offset);
  EXPECT_EQ(record.timestamp_ms, original.timestamp_ms);
  EXPECT_EQ(record.key, original.key);
  EXPECT_EQ(record.value, original.value);
  ASSERT_EQ(record.headers.size(), original.headers.size());
  for (std::size_t i = 0; i < record.headers.size(); ++i) {
    EXPECT_EQ(record.headers[i].name, original.headers[i].first);
    EXPECT_EQ(record.headers[i].value, original.headers[i].second);
  }
}

TEST(Envelope, Base64RestoresAnyBytesExactly) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  const std::vector<Original> originals = {
      {7, 1700000000123, binary, binary + "x", {{"h1", binary}, {"empty", ""}, {"nul", {}}}},
      {8, -1, std::nullopt, std::nullopt, {}},   // null key, tombstone, no timestamp
      {9, 0, std::string(), std::string(), {}},  // empty key and value (not null)
      {10, 1, "a", "ab", {}},                    // every padding length
      {11, 2, "abc", "abcd", {{"x", "yz"}}},
  };
  const EncoderOptions options = all_fields(BytesEncoding::base64, BytesEncoding::base64);
  for (const Original& original : originals) {
    const ReplayRecord record =
        decode(encode(original, options), {BytesEncoding::base64, BytesEncoding::base64});
    expect_restored(original, record);
    EXPECT_TRUE(record.has_key && record.has_value && record.has_headers && record.has_timestamp);
  }
}

TEST(Envelope, StringRestoresValidUtf8Exactly) {
  const Original original{3,
                          1700000000000,
                          "k\xC3\xA9y \"quoted\" \\ \t\x01",
                          "line1\nline2\r\n\xF0\x9F\x98\x80",
                          {{"trace", "abc\n\"def\""}, {"n", {}}}};
  const ReplayRecord record =
      decode(encode(original, all_fields(BytesEncoding::string, BytesEncoding::string)),
             {BytesEncoding::string, BytesEncoding::string});
  expect_restored(original, record);
}

TEST(Envelope, JsonValuesComeBackVerbatim) {
  // The encoder embeds JSON as it is: spacing, number spelling and escapes survive.
  const Original original{
      4,
      5,
      R"({ "id" : 1.50e3 , "s":"\u00e9\/"})",
      R"({"a": [1, 2.0, -0, 1E400], "nested": {"x" : null}, "t":"\ud83d\ude00"})",
      {{"h", "v"}}};
  const ReplayRecord record =
      decode(encode(original, all_fields(BytesEncoding::json, BytesEncoding::json)),
             {BytesEncoding::json, BytesEncoding::json});
  expect_restored(original, record);
  const Original scalars{5, 6, "\"text key\"", "42", {}};
  expect_restored(scalars,
                  decode(encode(scalars, all_fields(BytesEncoding::json, BytesEncoding::json)),
                         {BytesEncoding::json, BytesEncoding::json}));
}

TEST(Envelope, JsonLimitsAreDocumented) {
  // A value spanning lines was minified by the encoder: equal JSON, not equal bytes.
  const Original multiline{1, 1, "k", "{\n  \"a\": 1\n}", {}};
  const ReplayRecord record =
      decode(encode(multiline, all_fields(BytesEncoding::string, BytesEncoding::json)),
             {BytesEncoding::string, BytesEncoding::json});
  EXPECT_EQ(record.value, "{\"a\":1}");
  // The JSON text null cannot be told from a tombstone.
  const Original null_text{2, 1, "k", "null", {}};
  EXPECT_EQ(decode(encode(null_text, all_fields(BytesEncoding::string, BytesEncoding::json)),
                   {BytesEncoding::string, BytesEncoding::json})
                .value,
            std::nullopt);
}

TEST(Envelope, DefaultFieldsHaveNoHeaders) {
  const Original original{12, 99, "doc-1", R"({"id":1})", {}};
  const ReplayRecord record = decode(encode(original, EncoderOptions{}), DecodeOptions{});
  expect_restored(original, record);
  EXPECT_FALSE(record.has_headers);
}

TEST(Envelope, ReportsLinesOfOtherEncodings) {
  ReplayRecord record;
  const std::string line = encode({1, 1, "k", "plain text", {}},
                                  all_fields(BytesEncoding::string, BytesEncoding::string));
  EXPECT_TRUE(decode_envelope(line, {BytesEncoding::string, BytesEncoding::base64}, record));
  EXPECT_TRUE(decode_envelope("not json", {}, record));
  EXPECT_TRUE(decode_envelope(R"({"key":"k"})", {}, record));  // no value
  EXPECT_TRUE(decode_envelope(R"({"value":1,"offset":-1})", {}, record));
  EXPECT_FALSE(decode_base64("abc"));
  EXPECT_FALSE(decode_base64("ab!="));
  EXPECT_EQ(decode_base64(""), "");
}

// --- merge ---

std::string line(std::int64_t offset, std::string value) {
  return R"({"partition":0,"offset":)" + std::to_string(offset) + R"(,"key":"k","value":")" +
         value + "\"}\n";
}

std::vector<std::string> drain(PartitionMerge& merge, std::vector<std::string> bodies) {
  std::vector<std::string> values;
  std::size_t opened = 0;
  for (;;) {
    while (const ObjectRef* object = merge.object_to_open()) {
      EXPECT_EQ(object->key, merge.plan().objects[opened].key);
      merge.open(bodies.at(opened++));
    }
    ReplayRecord record;
    const auto next = merge.next(record);
    if (next == PartitionMerge::Next::done) break;
    if (next == PartitionMerge::Next::record) values.push_back(*record.value);
  }
  EXPECT_EQ(opened, bodies.size());
  return values;
}

PartitionPlan plan_of(std::vector<std::int64_t> starts) {
  PartitionPlan plan;
  for (std::int64_t start : starts) {
    plan.objects.push_back({"o" + std::to_string(start), 0, "t", 0, start, Compression::none});
  }
  return plan;
}

TEST(Merge, InterleavedObjectGroupsComeOutInOffsetOrder) {
  // Two groups ({{value.resourcename}}): Student at 0,2,3,7; School at 1,4,5,6; then Student 8.
  PartitionMerge merge(plan_of({0, 1, 8}), {BytesEncoding::string, BytesEncoding::string});
  const auto values = drain(
      merge, {line(0, "a") + line(2, "c") + line(3, "d") + line(7, "h"),
              line(1, "b") + line(4, "e") + line(5, "f") + line(6, "g"), line(8, "i") + "\n"});
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i"}));
}

TEST(Merge, OneObjectAtATimeForTheDefaultLayout) {
  PartitionMerge merge(plan_of({0, 2}), DecodeOptions{});
  ASSERT_NE(merge.object_to_open(), nullptr);
  merge.open(line(0, "a") + line(1, "b"));
  EXPECT_EQ(merge.object_to_open(), nullptr);  // offset 0 is below the next object's start
  ReplayRecord record;
  EXPECT_EQ(merge.next(record), PartitionMerge::Next::record);
  EXPECT_EQ(merge.next(record), PartitionMerge::Next::record);
  EXPECT_EQ(merge.open_objects(), 0u);  // the first object is released before the next opens
  ASSERT_NE(merge.object_to_open(), nullptr);
  merge.open(line(2, "c"));
  EXPECT_EQ(merge.next(record), PartitionMerge::Next::record);
  EXPECT_EQ(merge.next(record), PartitionMerge::Next::done);
}

TEST(Merge, OverlappingObjectsGiveEachOffsetOnce) {
  PartitionMerge merge(plan_of({0, 1}), {BytesEncoding::string, BytesEncoding::string});
  const auto values = drain(merge, {line(0, "a") + line(1, "b") + line(2, "c"),
                                    line(1, "b") + line(2, "c") + line(3, "d")});
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(merge.duplicates(), 2u);
}

TEST(Merge, WithoutOffsetsObjectsFollowEachOtherInLineOrder) {
  const std::string a = R"({"value":"a"})"
                        "\n"
                        R"({"value":"b"})"
                        "\n";
  const std::string b = R"({"value":"c"})"
                        "\n";
  PartitionMerge merge(plan_of({0, 5}),
                       DecodeOptions{BytesEncoding::string, BytesEncoding::string});
  EXPECT_EQ(drain(merge, {a, b}), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Merge, ABadLineNamesTheObjectAndLine) {
  PartitionMerge merge(plan_of({0}), DecodeOptions{});
  try {
    merge.open(line(0, "a") + "{broken\n");
    ReplayRecord record;
    merge.next(record);
    FAIL() << "no error";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find("'o0' line 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ks3::server::replay

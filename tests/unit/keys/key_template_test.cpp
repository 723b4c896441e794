#include "server/keys/key_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/keys/key_safe.hpp"

namespace ks3::server {
namespace {

using ::testing::HasSubstr;

RecordView record(
    std::string_view value = R"({"resourcename":"Student","source":{"table":"doc"}})") {
  RecordView r;
  r.topic = "edfi.dms.document";
  r.partition = 3;
  r.offset = 1234;
  r.timestamp_ms = 1700000000123;  // 2023-11-14T22:13:20.123Z
  r.key = "k1";
  r.value = value;
  return r;
}

KeyTemplateOptions options(std::string prefix, std::string extension,
                           std::string missing_default = "_unknown") {
  KeyTemplateOptions o;
  o.prefix = std::move(prefix);
  o.extension = std::move(extension);
  o.missing_default = std::move(missing_default);
  return o;
}

std::string render(std::string_view text, const RecordView& r, KeyTemplateOptions options = {}) {
  JsonReader json;
  auto tpl = KeyTemplate::parse(text, std::move(options));
  return KeyTemplate::object_key(tpl.render_group(r, json), r.offset);
}

TEST(KeySafe, KeepsSafeBytesAndEncodesTheRest) {
  std::string out;
  append_key_safe(out, "Az09._-=", "_unknown");
  EXPECT_EQ(out, "Az09._-=");
  out.clear();
  append_key_safe(out, "\xc3\x9cnit 7/b+c%", "_unknown");
  EXPECT_EQ(out, "%C3%9Cnit%207%2Fb%2Bc%25");
  out.clear();
  append_key_safe(out, "", "_unknown");
  EXPECT_EQ(out, "_unknown");
  out.clear();
  append_key_safe(out, ".", "_unknown");
  EXPECT_EQ(out, "%2E");
  out.clear();
  append_key_safe(out, "..", "_unknown");
  EXPECT_EQ(out, "%2E%2E");
  out.clear();
  append_key_safe(out, "...", "_unknown");
  EXPECT_EQ(out, "...");
}

TEST(KeySafe, CapsLongValuesWithAHashThatKeepsThemDistinct) {
  std::string a, b;
  append_key_safe(a, std::string(300, 'x') + "a", "_unknown");
  append_key_safe(b, std::string(300, 'x') + "b", "_unknown");
  EXPECT_EQ(a.size(), kMaxKeyValueBytes);
  EXPECT_EQ(b.size(), kMaxKeyValueBytes);
  EXPECT_NE(a, b);
  EXPECT_EQ(a[kMaxKeyValueBytes - 17], '~');
  // A cut never splits a %XX triplet.
  for (int shift = 0; shift < 3; ++shift) {
    std::string out;
    append_key_safe(out, std::string(static_cast<std::size_t>(shift), 'y') + std::string(200, '/'),
                    "_unknown");
    std::string_view kept = std::string_view(out).substr(0, out.find('~'));
    EXPECT_EQ((kept.size() - static_cast<std::size_t>(shift)) % 3, 0u) << out;
  }
}

TEST(KeyTemplate, RendersTheDefaultTemplate) {
  EXPECT_EQ(render(kDefaultKeyTemplate, record(), options("", ".jsonl.gz")),
            "edfi.dms.document/partition=3/edfi.dms.document+3+00000000000000001234.jsonl.gz");
}

TEST(KeyTemplate, RendersEveryVariable) {
  EXPECT_EQ(render("p/{{value.resourcename}}/{{value.source.table}}/{{key}}/"
                   "dt={{timestamp:YYYY-MM-DD}}/hour={{timestamp:HH}}/{{timestamp:mm-ss}}/"
                   "{{partition:5}}-{{ start_offset }}",
                   record(), options("lake/", ".csv")),
            "lake/p/Student/doc/k1/dt=2023-11-14/hour=22/13-20/00003-00000000000000001234.csv");
}

TEST(KeyTemplate, AcceptsAivenForms) {
  EXPECT_EQ(render("{{topic}}-{{partition:padding=true}}-{{start_offset:padding=true}}-"
                   "{{timestamp:unit=yyyy}}{{timestamp:unit=MM}}{{timestamp:unit=dd}}",
                   record()),
            "edfi.dms.document-0000000003-00000000000000001234-20231114");
}

TEST(KeyTemplate, StartOffsetPaddingIsAWidth) {
  // Confluent's DefaultPartitioner layout with its filename.offset.zero.pad.width of 10.
  EXPECT_EQ(render("{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset:10}}",
                   record(), options("topics/", ".json")),
            "topics/edfi.dms.document/partition=3/edfi.dms.document+3+0000001234.json");
  EXPECT_EQ(render("{{partition}}-{{start_offset:1}}", record()), "3-1234");  // no padding
  EXPECT_EQ(render("{{partition}}-{{start_offset:20}}", record()), "3-00000000000000001234");
  EXPECT_EQ(render("{{partition}}-{{ start_offset:4 }}", record()), "3-1234");
  // An offset wider than the padding keeps every digit (as Java's %010d does).
  RecordView big = record();
  big.offset = 12345678901;
  EXPECT_EQ(render("{{partition}}-{{start_offset:10}}", big), "3-12345678901");
  // Two start offsets with different widths in one template, each filled in from the group.
  JsonReader json;
  auto tpl = KeyTemplate::parse("{{start_offset:3}}/{{partition}}/{{start_offset}}");
  EXPECT_EQ(KeyTemplate::object_key(tpl.render_group(record(), json), 7),
            "007/3/00000000000000000007");
  // Widths make different groups: never one object for two layouts.
  auto other = KeyTemplate::parse("{{start_offset:4}}/{{partition}}/{{start_offset}}");
  EXPECT_NE(tpl.render_group(record(), json), other.render_group(record(), json));
}

TEST(KeyTemplate, StartOffsetPaddingOutOfRangeIsRefused) {
  for (std::string_view bad :
       {"{{partition}}{{start_offset:0}}", "{{partition}}{{start_offset:21}}",
        "{{partition}}{{start_offset:x}}", "{{partition}}{{start_offset:010x}}",
        "{{partition}}{{start_offset:-1}}"}) {
    try {
      KeyTemplate::parse(bad);
      ADD_FAILURE() << bad << ": expected an error";
    } catch (const KeyTemplateError& e) {
      EXPECT_THAT(e.what(), HasSubstr("width from 1 to 20")) << bad;
    }
  }
  EXPECT_NO_THROW(KeyTemplate::parse("{{partition}}{{start_offset:010}}"));  // 10
}

TEST(KeyTemplate, MissingValuesTakeTheDefault) {
  RecordView r = record(R"({"other":1})");
  r.key.reset();
  r.timestamp_ms = -1;
  EXPECT_EQ(
      render("{{value.resourcename}}/{{key}}/{{timestamp:YYYY}}/{{partition}}/{{start_offset}}", r,
             options("", "", "none")),
      "none/none/none/3/00000000000000001234");
  r.value.reset();  // tombstone
  EXPECT_EQ(render("{{value.resourcename}}/{{partition}}{{start_offset}}", r),
            "_unknown/300000000000000001234");
  r.value = "not json";
  EXPECT_EQ(render("{{value.resourcename}}/{{partition}}{{start_offset}}", r),
            "_unknown/300000000000000001234");
}

TEST(KeyTemplate, SeveralFieldsOfAMalformedValue) {
  // A failed read of a malformed value used to leave the JSON reader unusable: the second
  // field crashed (tests/fuzz/json_path_fuzz). Each field takes the default instead.
  RecordView r = record("{\"a\".c/d\nb\":{\"a~d\":@e\"}}:[{\"b\":1}],\"resourcename\":\"x\"}");
  EXPECT_EQ(render("{{value.a.0.b}}/{{value.resourcename}}/{{partition}}/{{start_offset}}", r),
            "_unknown/_unknown/3/00000000000000001234");
  r.value = R"({"a":[{"b":1}],"resourcename":"Student"})";
  EXPECT_EQ(render("{{value.a.0.b}}/{{value.resourcename}}/{{partition}}/{{start_offset}}", r),
            "1/Student/3/00000000000000001234");
}

TEST(KeyTemplate, ValuesFromDataCannotAddPathSegments) {
  RecordView r = record(R"({"resourcename":"../../etc/passwd","n":12.5})");
  r.key = "a/b c";
  EXPECT_EQ(render("{{value.resourcename}}/{{value.n}}/{{key}}/{{partition}}/{{start_offset}}", r),
            "..%2F..%2Fetc%2Fpasswd/12.5/a%2Fb%20c/3/00000000000000001234");
}

TEST(KeyTemplate, KeyFieldsOfAJsonKey) {
  // format.key_input avro makes the key the JSON of its datum; {{key.<path>}} reads it, and the
  // value's fields still come from the value.
  RecordView r = record(R"({"resourcename":"Student"})");
  r.key = R"({"sensor":"s/1","id":42,"nested":{"a":"x"}})";
  EXPECT_EQ(render("{{key.sensor}}/{{key.nested.a}}/{{value.resourcename}}/{{key.id}}/"
                   "{{partition}}/{{start_offset}}",
                   r),
            "s%2F1/x/Student/42/3/00000000000000001234");
  EXPECT_FALSE(
      KeyTemplate::parse("{{key.id}}/{{partition}}/{{start_offset}}").per_partition_only());
  r.key = "not json";
  EXPECT_EQ(render("{{key.id}}/{{partition}}/{{start_offset}}", r),
            "_unknown/3/00000000000000001234");
  r.key.reset();
  EXPECT_EQ(render("{{key.id}}/{{partition}}/{{start_offset}}", r),
            "_unknown/3/00000000000000001234");
  EXPECT_THROW(KeyTemplate::parse("{{key.}}/{{partition}}/{{start_offset}}"), KeyTemplateError);
}

TEST(KeyTemplate, GroupsDifferOnlyByRoutedValues) {
  JsonReader json;
  auto tpl = KeyTemplate::parse("{{value.resourcename}}/{{partition}}/{{start_offset}}");
  RecordView a = record(R"({"resourcename":"Student"})");
  RecordView b = record(R"({"resourcename":"Student","x":1})");
  b.offset = 99;
  RecordView c = record(R"({"resourcename":"School"})");
  EXPECT_EQ(tpl.render_group(a, json), tpl.render_group(b, json));
  EXPECT_NE(tpl.render_group(a, json), tpl.render_group(c, json));
  // The start offset is filled in from the group's first record, not from each record.
  EXPECT_EQ(KeyTemplate::object_key(tpl.render_group(b, json), 7),
            "Student/3/00000000000000000007");
}

TEST(KeyTemplate, RejectsTemplatesThatBreakExactlyOnce) {
  try {
    KeyTemplate::parse("{{topic}}/{{start_offset}}");
    FAIL() << "expected an error";
  } catch (const KeyTemplateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("must contain {{partition}} and {{start_offset}}"));
  }
  EXPECT_THROW(KeyTemplate::parse("{{topic}}/{{partition}}"), KeyTemplateError);
}

TEST(KeyTemplate, RejectsControlBytesInsideVariables) {
  // Found by tests/fuzz/key_template_fuzz: control bytes in a timestamp format were copied into
  // keys, and 0x1f (the start-offset marker) there was replaced by the offset.
  const std::string marker = "{{timestamp:YYYY\x1f}}/{{partition}}/{{start_offset}}";
  EXPECT_THROW(KeyTemplate::parse(marker), KeyTemplateError);
  EXPECT_THROW(KeyTemplate::parse("{{timestamp:YYYY\r}}/{{partition}}/{{start_offset}}"),
               KeyTemplateError);
  EXPECT_THROW(KeyTemplate::parse("{{value.a\nb}}/{{partition}}/{{start_offset}}"),
               KeyTemplateError);
  EXPECT_THROW(KeyTemplate::parse("{{partition\t}}/{{start_offset}}"), KeyTemplateError);
}

TEST(KeyTemplate, RejectsMalformedTemplatesWithClearMessages) {
  auto message = [](std::string_view text) -> std::string {
    try {
      KeyTemplate::parse(text);
    } catch (const KeyTemplateError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{nope}}"),
              HasSubstr("unknown template variable {{nope}}"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{topic"), HasSubstr("without a closing"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}topic}}"), HasSubstr("without a matching"));
  EXPECT_THAT(message("{{partition:0}}{{start_offset}}"), HasSubstr("width from 1 to 10"));
  EXPECT_THAT(message("{{partition:x}}{{start_offset}}"), HasSubstr("width from 1 to 10"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{value.}}"), HasSubstr("JSON path"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{value.a..b}}"), HasSubstr("JSON path"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{timestamp:}}"), HasSubstr("needs a format"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{timestamp:xx}}"), HasSubstr("no date field"));
  EXPECT_THAT(message("{{partition}}{{start_offset}}{{timestamp}}"),
              HasSubstr("unknown template variable"));
  EXPECT_THAT(message("/{{partition}}{{start_offset}}"), HasSubstr("must not start with '/'"));
  EXPECT_THAT(message(""), HasSubstr("empty"));
  EXPECT_THAT(message("a\x1f{{partition}}{{start_offset}}"), HasSubstr("control character"));
  // Found by the config_yaml fuzzer: a byte that is not UTF-8 inside a timestamp format.
  EXPECT_THAT(message("dt={{timestamp:YYY\xe2-MM}}/{{partition}}{{start_offset}}"),
              HasSubstr("not valid UTF-8"));
  EXPECT_THAT(message("caf\xc3/{{partition}}{{start_offset}}"), HasSubstr("not valid UTF-8"));
  EXPECT_NO_THROW(KeyTemplate::parse("caf\xc3\xa9/{{partition}}/{{start_offset}}"));
  EXPECT_THROW(KeyTemplate::parse(kDefaultKeyTemplate, options("", "", "a/b")), KeyTemplateError);
}

TEST(KeyTemplate, TimestampsBeforeAndAfterEpochBoundaries) {
  RecordView r = record();
  r.timestamp_ms = 0;
  EXPECT_EQ(render("{{timestamp:YYYY-MM-DD HH:mm:ss}}{{partition}}{{start_offset}}", r),
            "1970-01-01 00:00:00"
            "3"
            "00000000000000001234");
  r.timestamp_ms = 951782400000;  // 2000-02-29T00:00:00Z (leap day)
  EXPECT_EQ(render("{{timestamp:YYYYMMDD}}{{partition}}{{start_offset}}", r),
            "20000229"
            "3"
            "00000000000000001234");
}

}  // namespace
}  // namespace ks3::server

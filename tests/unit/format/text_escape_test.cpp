#include "server/format/text_escape.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

std::string csv(std::string_view field) {
  std::string out;
  append_csv_field(out, field);
  return out;
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("plain"), R"("plain")");
  EXPECT_EQ(json_string("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(json_string(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
}

TEST(JsonString, KeepsValidUtf8) {
  EXPECT_EQ(json_string("\xc3\xa9"), "\"\xc3\xa9\"");                  // é
  EXPECT_EQ(json_string("\xe2\x82\xac"), "\"\xe2\x82\xac\"");          // €
  EXPECT_EQ(json_string("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // 😀
  EXPECT_EQ(json_string("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");          // U+FFFF
  EXPECT_EQ(json_string("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
}

TEST(JsonString, ReplacesInvalidUtf8ByteByByte) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(json_string("a\xff"
                        "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(json_string("\x80"), "\"" + fffd + "\"");                        // stray continuation
  EXPECT_EQ(json_string("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(json_string("\xe0\x80\xaf"), "\"" + fffd + fffd + fffd + "\"");  // overlong
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate D800
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // >10FFFF
  EXPECT_EQ(json_string("\xc3"), "\"" + fffd + "\"");               // truncated at the end
  EXPECT_EQ(json_string("\xe2\x82x"), "\"" + fffd + fffd + "x\"");  // truncated mid-string
}

TEST(Base64, MatchesRfc4648TestVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string_view("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, AppendsAndEncodesLongInputsWhole) {
  std::string out = "x:";
  append_base64(out, "foob");
  EXPECT_EQ(out, "x:Zm9vYg==");
  // Longer than one encoder chunk (3 << 16 bytes) and not a multiple of 3: one unbroken encoding.
  const std::string encoded = base64(std::string(500000, 'f'));
  ASSERT_EQ(encoded.size(), 666668u);
  EXPECT_EQ(encoded.find_first_not_of("Zm"), 666666u);
  EXPECT_EQ(encoded.substr(666664), "ZmY=");
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv("plain"), "plain");
  EXPECT_EQ(csv(""), "");
  EXPECT_EQ(csv("a,b"), "\"a,b\"");
  EXPECT_EQ(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv("cr\r"), "\"cr\r\"");
  std::string semicolon;
  append_csv_field(semicolon, "a;b", ';');
  EXPECT_EQ(semicolon, "\"a;b\"");
}

}  // namespace
}  // namespace ks3::server

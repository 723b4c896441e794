#include "metrics/log.hpp"

#include <gtest/gtest.h>

using namespace ks3::log;

TEST(LogFormat, TextQuotesAmbiguousValues) {
  auto line = format_line(Format::text, Level::info, "T", "object completed",
                          {{"key", "a b"}, {"records", 3}, {"empty", ""}});
  EXPECT_EQ(line, "T info object completed key=\"a b\" records=3 empty=\"\"");
}

TEST(LogFormat, JsonEscapesStrings) {
  auto line = format_line(Format::json, Level::warn, "T", "bad \"record\"\n",
                          {{"topic", "t\\1"}, {"offset", std::int64_t{42}}});
  EXPECT_EQ(line,
            "{\"ts\":\"T\",\"level\":\"warn\",\"msg\":\"bad \\\"record\\\"\\n\","
            "\"topic\":\"t\\\\1\",\"offset\":42}");
}

TEST(LogFormat, ParsesLevelsAndFormats) {
  Level l{};
  EXPECT_TRUE(parse_level("debug", l));
  EXPECT_EQ(l, Level::debug);
  EXPECT_FALSE(parse_level("verbose", l));
  Format f{};
  EXPECT_TRUE(parse_format("json", f));
  EXPECT_EQ(f, Format::json);
  EXPECT_FALSE(parse_format("xml", f));
}

TEST(LogFormat, JsonStaysValidWithInvalidUtf8) {
  // A record key from data may hold any bytes; the JSON log line must still parse.
  auto line = format_line(Format::json, Level::info, "T", "m",
                          {{"key", std::string_view("a\xff\x01" "b", 4)}});
  EXPECT_EQ(line,
            "{\"ts\":\"T\",\"level\":\"info\",\"msg\":\"m\",\"key\":\"a\xEF\xBF\xBD\\u0001b\"}");
}

#include "server/record/json_path.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ks3::server {
namespace {

JsonPath path(std::string_view dotted) {
  auto parsed = JsonPath::parse(dotted);
  EXPECT_TRUE(parsed) << dotted;
  return *parsed;
}

TEST(JsonPath, ParsesDottedPathToPointer) {
  EXPECT_EQ(path("a").pointer(), "/a");
  EXPECT_EQ(path("source.table").pointer(), "/source/table");
  EXPECT_EQ(path("a~b/c.d").pointer(), "/a~0b~1c/d");
  EXPECT_FALSE(JsonPath::parse(""));
  EXPECT_FALSE(JsonPath::parse("a..b"));
  EXPECT_FALSE(JsonPath::parse(".a"));
  EXPECT_FALSE(JsonPath::parse("a."));
}

TEST(JsonReader, ExtractsScalarsAsText) {
  JsonReader reader;
  ASSERT_TRUE(
      reader.load(R"({"resourcename":"Student","n":42,"f":-1.5e3,"t":true,"z":null,)"
                  R"("source":{"table":"document","db":"edfi"},"items":[{"id":"x"},{"id":"y"}],)"
                  R"("esc":"a\"b\u00e9","big":123456789012345678901234567890})"));
  EXPECT_EQ(reader.extract(path("resourcename")), "Student");
  EXPECT_EQ(reader.extract(path("n")), "42");
  EXPECT_EQ(reader.extract(path("f")), "-1.5e3");
  EXPECT_EQ(reader.extract(path("t")), "true");
  EXPECT_EQ(reader.extract(path("source.table")), "document");
  EXPECT_EQ(reader.extract(path("items.1.id")), "y");
  EXPECT_EQ(reader.extract(path("esc")), "a\"b\xc3\xa9");
  EXPECT_EQ(reader.extract(path("big")), "123456789012345678901234567890");
  // Repeated and out-of-order lookups work (the document rewinds per lookup).
  EXPECT_EQ(reader.extract(path("resourcename")), "Student");
}

TEST(JsonReader, MissingNullAndContainersGiveNothing) {
  JsonReader reader;
  ASSERT_TRUE(reader.load(R"({"z":null,"o":{"a":1},"arr":[1],"s":"x"})"));
  EXPECT_EQ(reader.extract(path("z")), std::nullopt);
  EXPECT_EQ(reader.extract(path("o")), std::nullopt);
  EXPECT_EQ(reader.extract(path("arr")), std::nullopt);
  EXPECT_EQ(reader.extract(path("missing")), std::nullopt);
  EXPECT_EQ(reader.extract(path("s.deeper")), std::nullopt);
  EXPECT_EQ(reader.extract(path("s")), "x");
}

TEST(JsonReader, NotJsonGivesNothing) {
  JsonReader reader;
  reader.load("not json at all");
  EXPECT_EQ(reader.extract(path("a")), std::nullopt);
  reader.load("");
  EXPECT_EQ(reader.extract(path("a")), std::nullopt);
  reader.load("[1,2]");
  EXPECT_EQ(reader.extract(path("a")), std::nullopt);
}

TEST(JsonReader, ValidatesWholeDocuments) {
  JsonReader reader;
  for (std::string_view good :
       {R"({})", R"([])", R"({"a":[1,2,{"b":null}],"c":"d"})", "42", R"("text")", "true", "null",
        "  {\"a\":1}\n", "123456789012345678901234567890", R"({"u":"\u00e9\ud83d\ude00"})",
        // Numbers simdjson's DOM cannot hold (the fast path refuses them): JSON allows them.
        "[1e400]", "[18446744073709551616]", R"({"a":-9223372036854775809,"b":[1E-400]})"}) {
    EXPECT_TRUE(reader.is_valid(good)) << good;
  }
  for (std::string_view bad : {"",
                               "   ",
                               "{",
                               R"({"a":})",
                               R"({"a":1,})",
                               "[1,2",
                               "{} {}",
                               "{}x",
                               "tru",
                               "01",
                               R"({"a":"\x"})",
                               "{\"a\":\"\xff\"}",
                               R"({a:1})",
                               "[1,]",
                               "nul",
                               R"("unterminated)",
                               "42 x",
                               R"("a" b)",
                               "true false",
                               "1.",
                               "-",
                               "1e",
                               // Invalid after a number the fast path refuses: the walk decides.
                               "[1e400,]",
                               "[18446744073709551616] x"}) {
    EXPECT_FALSE(reader.is_valid(bad)) << bad;
  }
}

// Documents past the DOM's size limit are validated by the walk alone, with the same rules.
TEST(JsonReader, ValidatesDocumentsLargerThanTheFastPathReads) {
  JsonReader reader;
  std::string big = R"({"a":[)";
  while (big.size() < 200 * 1024) big += R"({"n":1e400,"s":"\u00e9x"},)";
  big += "0]}";
  EXPECT_TRUE(reader.is_valid(big));
  EXPECT_FALSE(reader.is_valid(big.substr(0, big.size() - 1)));
  EXPECT_FALSE(reader.is_valid(big + "x"));
}

// The DOM fast path of is_valid gives the walk's verdict on near-misses of real documents:
// random edits (a byte dropped, doubled or replaced by a JSON-significant one). The seeds hold
// only numbers the DOM can represent, so it is the DOM that decides most of them (the numbers
// it refuses are in ValidatesWholeDocuments).
TEST(JsonReader, FastValidationAgreesWithTheWalk) {
  const std::vector<std::string> seeds = {
      R"({"id":"3f2b","n":-12.5e3,"ok":true,"x":null,"a":[1,{"b":"\u00e9\n"}],"big":1e40})",
      R"([1844674407370955161,"t\"q",{},[],0,-0.0])", R"("text")", "7"};
  const std::string alphabet = "{}[],:\"\\0123456789.eE+-tfnul \x01\xc3\xa9\xff";
  std::mt19937 rng(7);
  JsonReader fast, walk;
  int valid = 0, cases = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string doc = seeds[rng() % seeds.size()];
    for (int edits = 1 + static_cast<int>(rng() % 2); edits > 0 && !doc.empty(); --edits) {
      const std::size_t at = rng() % doc.size();
      switch (rng() % 3) {
        case 0: doc.erase(at, 1); break;
        case 1: doc.insert(at, 1, doc[at]); break;
        default: doc[at] = alphabet[rng() % alphabet.size()];
      }
    }
    const bool verdict = walk.is_valid_by_walk(doc);
    ASSERT_EQ(fast.is_valid(doc), verdict) << doc;
    valid += verdict;
    ++cases;
  }
  EXPECT_GT(valid, cases / 20) << "the edits should leave some documents valid";
}

TEST(JsonReader, MinifiesPrettyPrintedJson) {
  JsonReader reader;
  std::string out = "prefix:";
  ASSERT_TRUE(reader.minify("{\n  \"a\" : [ 1, 2 ],\n  \"b\" : \"x y\"\n}\n", out));
  EXPECT_EQ(out, R"(prefix:{"a":[1,2],"b":"x y"})");
  std::string untouched = "keep";
  EXPECT_FALSE(reader.minify("{\n", untouched));
  EXPECT_EQ(untouched, "keep");
}

TEST(JsonReader, HandlesInputsAtBufferBoundaries) {
  // The reader copies into a padded buffer: documents of every length up to a few pages parse.
  JsonReader reader;
  std::string doc = R"({"k":")";
  for (int i = 0; i < 5000; ++i) {
    std::string full = doc + std::string(static_cast<std::size_t>(i), 'x') + "\"}";
    ASSERT_TRUE(reader.load(full));
    ASSERT_EQ(reader.extract(path("k"))->size(), static_cast<std::size_t>(i));
  }
}

}  // namespace
}  // namespace ks3::server

namespace ks3::server {
namespace {

// Found by tests/fuzz/json_path_fuzz: a read that fails inside a malformed document left
// simdjson's iterator without its parser, and the next read of the same document dereferenced
// a null pointer (a key template with two {{value....}} fields over a value that is not JSON).
TEST(JsonReader, ReadsAgainAfterAFailedReadOfAMalformedDocument) {
  JsonReader reader;
  const auto path = *JsonPath::parse("a.0.b");
  const auto other = *JsonPath::parse("c");
  const std::string malformed =
      "{\"a\".c/d\nb\":{\"a~d\":@e\"}}:[{\"b\":1.5e300}],\"c\":\"\\u00e9\"}";
  reader.load(malformed);
  EXPECT_EQ(reader.extract(path), std::nullopt);
  EXPECT_FALSE(reader.exists(path));
  EXPECT_EQ(reader.extract(other), std::nullopt);
  for (std::string_view bad : {R"({"a": [{"b": tru}], "c": "x"})", R"({"a":[{"b":1}] "c":"x"})",
                               R"({"c": "x", "a": @})", R"({"a": {"b": "\q"}, "c": 1})"}) {
    reader.load(bad);
    (void)reader.extract(path);
    (void)reader.exists(path);
    (void)reader.extract(other);
    (void)reader.extract(path);
  }
  // The reader still works for the next document.
  reader.load(R"({"a":[{"b":7}],"c":"x"})");
  EXPECT_EQ(reader.extract(path), "7");
  EXPECT_EQ(reader.extract(other), "x");
  EXPECT_TRUE(reader.exists(path));
}

}  // namespace
}  // namespace ks3::server

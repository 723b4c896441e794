#include "bench/lib/record_gen.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

namespace ks3::bench {
namespace {

boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  EXPECT_TRUE(value.is_object()) << text;
  return value.is_object() ? value.as_object() : boost::json::object();
}

TEST(RecordGen, SameSeedSameBytesDifferentSeedDifferentBytes) {
  RecordGenerator a({Shape::edfi, 1024, 0, 7, 0.05});
  RecordGenerator b({Shape::edfi, 1024, 0, 7, 0.05});
  RecordGenerator c({Shape::edfi, 1024, 0, 8, 0.05});
  std::string ka, va, kb, vb, kc, vc;
  for (std::uint64_t i : {0, 1, 999, 123456}) {
    a.make(i, ka, va);
    b.make(i, kb, vb);
    c.make(i, kc, vc);
    EXPECT_EQ(ka, kb);
    EXPECT_EQ(va, vb);
    EXPECT_NE(va, vc);
  }
}

TEST(RecordGen, ValuesAreValidJsonOfTheTargetSize) {
  for (Shape shape : {Shape::edfi, Shape::debezium, Shape::events}) {
    for (std::size_t size : {std::size_t{1024}, std::size_t{10240}}) {
      RecordGenerator gen({shape, size, 100, 3, 0.0});
      std::string key, value;
      for (std::uint64_t i = 0; i < 200; ++i) {
        gen.make(i, key, value);
        EXPECT_EQ(value.size(), size) << to_string(shape) << " record " << i;
        parse_object(value);
        EXPECT_FALSE(key.empty());
      }
    }
  }
}

TEST(RecordGen, SmallTargetKeepsTheShape) {
  RecordGenerator gen({Shape::events, 10, 0, 1, 0.0});
  std::string key, value;
  gen.make(5, key, value);
  EXPECT_GT(value.size(), 10u);
  auto object = parse_object(value);
  EXPECT_EQ(object.at("user_id").as_string(), "user-5");
}

TEST(RecordGen, EdfiLooksLikeTheDmsDocumentTopic) {
  RecordGenerator gen({Shape::edfi, 2048, 50, 1, 0.2});
  std::string key, value;
  int deletes = 0;
  for (std::uint64_t i = 0; i < 500; ++i) {
    gen.make(i, key, value);
    auto row = parse_object(value);
    EXPECT_EQ(row.at("documentuuid").as_string(), key);
    EXPECT_EQ(key.size(), 36u);
    EXPECT_TRUE(row.contains("resourcename"));
    EXPECT_TRUE(row.at("edfidoc").is_object());
    const auto& deleted = row.at("__deleted").as_string();
    EXPECT_TRUE(deleted == "true" || deleted == "false");
    deletes += deleted == "true";
  }
  EXPECT_GT(deletes, 60);  // ~20% of 500
  EXPECT_LT(deletes, 140);
}

TEST(RecordGen, DebeziumEnvelopeHasOpSourceAndAfterOrBefore) {
  RecordGenerator gen({Shape::debezium, 1024, 10, 1, 0.3});
  std::string key, value;
  std::set<std::string> ops;
  for (std::uint64_t i = 0; i < 300; ++i) {
    gen.make(i, key, value);
    auto event = parse_object(value);
    const std::string op(event.at("op").as_string());
    ops.insert(op);
    EXPECT_TRUE(event.at("source").as_object().contains("table"));
    if (op == "d") {
      EXPECT_TRUE(event.at("after").is_null());
      EXPECT_TRUE(event.at("before").is_object());
    } else {
      EXPECT_TRUE(event.at("after").is_object());
    }
    EXPECT_TRUE(parse_object(key).contains("id"));
  }
  EXPECT_EQ(ops, (std::set<std::string>{"c", "u", "d"}));
}

TEST(RecordGen, KeyCardinalityBoundsDistinctKeys) {
  RecordGenerator bounded({Shape::events, 100, 20, 1, 0.0});
  RecordGenerator unique({Shape::events, 100, 0, 1, 0.0});
  std::set<std::string> bounded_keys, unique_keys;
  std::string key, value;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    bounded.make(i, key, value);
    bounded_keys.insert(key);
    unique.make(i, key, value);
    unique_keys.insert(key);
  }
  EXPECT_EQ(bounded_keys.size(), 20u);
  EXPECT_EQ(unique_keys.size(), 1000u);
}

TEST(RecordGen, FillerCompressesLikeTextNotLikeARun) {
  // Distinct words, not one repeated byte: at least 20 different characters in the filler.
  RecordGenerator gen({Shape::events, 4096, 0, 1, 0.0});
  std::string key, value;
  gen.make(1, key, value);
  std::set<char> chars(value.begin(), value.end());
  EXPECT_GT(chars.size(), 20u);
}

TEST(RecordGen, UuidShape) {
  const std::string uuid = uuid_for(42, 1);
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[8], '-');
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
  EXPECT_EQ(uuid, uuid_for(42, 1));
  EXPECT_NE(uuid, uuid_for(43, 1));
}

TEST(RecordGen, ParseShape) {
  EXPECT_EQ(parse_shape("edfi"), Shape::edfi);
  EXPECT_EQ(parse_shape("debezium"), Shape::debezium);
  EXPECT_EQ(parse_shape("events"), Shape::events);
  EXPECT_FALSE(parse_shape("avro"));
}

}  // namespace
}  // namespace ks3::bench

// The fixtures tests/data/avro/generate.py wrote with python3-avro (an independent
// implementation): our canonical form and our decoder + JSON mapping must agree with it.
#include <gtest/gtest.h>

#include "server/format/avro/decoder.hpp"
#include "server/format/avro/json_mapping.hpp"
#include "tests/unit/avro/avro_test_support.hpp"

namespace ks3::avro {
namespace {

using test::data_path;

class PythonFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonFixture, CanonicalFormMatchesPython) {
  auto schema = Schema::parse(test::read_text(data_path(GetParam() + ".avsc")));
  ASSERT_TRUE(schema) << schema.error().message;
  auto expected = test::read_lines(data_path(GetParam() + ".canonical"));
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_EQ((*schema)->canonical_form(), expected[0]);
}

TEST_P(PythonFixture, DecodesPythonDatumsToTheDocumentedJson) {
  auto writer = Schema::parse(test::read_text(data_path(GetParam() + ".avsc")));
  ASSERT_TRUE(writer) << writer.error().message;
  std::shared_ptr<const Schema> reader;
  std::string reader_text = test::read_text(data_path(GetParam() + ".reader.avsc"));
  if (!reader_text.empty()) {
    auto r = Schema::parse(reader_text);
    ASSERT_TRUE(r) << r.error().message;
    reader = *r;
  }
  auto decoder = Decoder::create(*writer, reader);
  ASSERT_TRUE(decoder) << decoder.error().message;
  auto datums = test::read_lines(data_path(GetParam() + ".datums.hex"));
  auto expected = test::read_lines(data_path(GetParam() + ".expected.jsonl"));
  ASSERT_EQ(datums.size(), expected.size());
  ASSERT_FALSE(datums.empty());
  for (std::size_t i = 0; i < datums.size(); ++i) {
    auto value = (*decoder)->decode(test::unhex(datums[i]));
    ASSERT_TRUE(value) << "datum " << i << ": " << value.error().message;
    std::string ours = to_json(*value);
    boost::system::error_code ec;
    auto parsed = boost::json::parse(ours, ec);
    ASSERT_FALSE(ec) << "our JSON does not parse: " << ours;
    EXPECT_TRUE(test::json_equal(parsed, boost::json::parse(expected[i])))
        << "datum " << i << "\n ours:   " << ours << "\n python: " << expected[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Avro, PythonFixture,
                         ::testing::Values("primitives", "complex", "logical", "evolve"));

}  // namespace
}  // namespace ks3::avro

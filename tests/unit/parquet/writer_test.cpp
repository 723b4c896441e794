#include "server/format/parquet/writer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "server/format/parquet/encoding.hpp"
#include "server/format/parquet/rle.hpp"
#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::parquet {
namespace {

using R = Repetition;
using testing::TValue;

std::string finish(ParquetWriter& w) {
  std::string out;
  w.finish(out);
  return out;
}

// FileMetaData field ids (parquet.thrift).
constexpr int kSchema = 2, kNumRows = 3, kRowGroups = 4, kCreatedBy = 6, kColumnOrders = 7;
// RowGroup / ColumnChunk / ColumnMetaData field ids.
constexpr int kColumns = 1, kRgNumRows = 3, kMeta = 3;
constexpr int kEncodings = 2, kPath = 3, kCodec = 4, kNumValues = 5, kDataPageOffset = 9,
              kDictPageOffset = 11, kStats = 12, kEncodingStats = 13;

TEST(Writer, FileLayoutAndFooter) {
  ParquetWriter w(Schema({Node::int64("id", R::kRequired), Node::string("s", R::kOptional)}),
                  {.codec = Codec::kUncompressed});
  for (int i = 0; i < 10; ++i) {
    w.write_row(
        Value::structure({Value::integer(i),
                          i % 2 ? Value::null() : Value::string_ref("v" + std::to_string(i % 4))}));
  }
  EXPECT_EQ(w.num_rows(), 10);
  const std::string file = finish(w);
  const TValue meta = testing::read_footer(file);
  EXPECT_EQ(meta[1].i, 1);  // version
  EXPECT_EQ(meta[kNumRows].i, 10);
  EXPECT_EQ(meta[kCreatedBy].bin, "kafka-s3-sink");
  ASSERT_EQ(meta[kSchema].list.size(), 3u);
  EXPECT_EQ(meta[kSchema].list[0][4].bin, "schema");
  EXPECT_EQ(meta[kSchema].list[2][4].bin, "s");
  EXPECT_EQ(meta[kSchema].list[2][6].i, 0);  // UTF8
  EXPECT_EQ(meta[kColumnOrders].list.size(), 2u);
  ASSERT_EQ(meta[kRowGroups].list.size(), 1u);
  const TValue& rg = meta[kRowGroups].list[0];
  EXPECT_EQ(rg[kRgNumRows].i, 10);

  // Column 0: one PLAIN data page right after the magic, 10 INT64 values.
  const TValue& id = rg[kColumns].list[0][kMeta];
  EXPECT_EQ(id[kPath].list[0].bin, "id");
  EXPECT_EQ(id[kCodec].i, 0);
  EXPECT_EQ(id[kDataPageOffset].i, 4);
  EXPECT_FALSE(id.has(kDictPageOffset));
  size_t hs = 0;
  const TValue page = testing::read_page_header(file, 4, hs);
  EXPECT_EQ(page[1].i, 0);  // DATA_PAGE
  EXPECT_EQ(page[2].i, 80);
  EXPECT_EQ(page[5][1].i, 10);  // num_values
  EXPECT_EQ(page[5][2].i, 0);   // PLAIN
  int64_t first;
  std::memcpy(&first, file.data() + 4 + hs, 8);
  EXPECT_EQ(first, 0);
  EXPECT_EQ(id[kStats][6].bin, plain_bytes(int64_t{0}));
  EXPECT_EQ(id[kStats][5].bin, plain_bytes(int64_t{9}));
  EXPECT_EQ(id[kStats][3].i, 0);

  // Column 1: a dictionary page then RLE_DICTIONARY data.
  const TValue& s = rg[kColumns].list[1][kMeta];
  ASSERT_TRUE(s.has(kDictPageOffset));
  const auto dict_at = static_cast<size_t>(s[kDictPageOffset].i);
  const TValue dict = testing::read_page_header(file, dict_at, hs);
  EXPECT_EQ(dict[1].i, 2);     // DICTIONARY_PAGE
  EXPECT_EQ(dict[7][1].i, 2);  // num_values: "v0", "v2"
  EXPECT_EQ(file.substr(dict_at + hs, 6), std::string("\x02\0\0\0v0", 6));
  EXPECT_EQ(static_cast<size_t>(s[kDataPageOffset].i), dict_at + hs + dict[3].i);
  const TValue data = testing::read_page_header(file, s[kDataPageOffset].i, hs);
  EXPECT_EQ(data[5][2].i, 8);  // RLE_DICTIONARY
  EXPECT_EQ(s[kStats][3].i, 5);
  EXPECT_EQ(s[kStats][6].bin, "v0");
  EXPECT_EQ(s[kStats][5].bin, "v2");
  std::vector<int64_t> encodings;
  for (const auto& e : s[kEncodings].list) encodings.push_back(e.i);
  EXPECT_EQ(encodings, (std::vector<int64_t>{0, 3, 8}));
}

// Decodes the definition and repetition levels of the first (uncompressed) data page of a column.
void first_page_levels(const std::string& file, const TValue& meta, int max_rep, int max_def,
                       std::vector<uint32_t>& rep, std::vector<uint32_t>& def) {
  size_t hs = 0;
  const auto at = static_cast<size_t>(meta[kDataPageOffset].i);
  const TValue page = testing::read_page_header(file, at, hs);
  const size_t n = page[5][1].i;
  size_t pos = at + hs;
  size_t used = 0;
  if (max_rep > 0) {
    const uint32_t len = testing::le32(file, pos);
    rep = testing::rle_decode(std::string_view(file).substr(pos + 4, len), bit_width_for(max_rep),
                              n, used);
    pos += 4 + len;
  }
  const uint32_t len = testing::le32(file, pos);
  def = testing::rle_decode(std::string_view(file).substr(pos + 4, len), bit_width_for(max_def), n,
                            used);
}

TEST(Writer, ListAndStructLevels) {
  ParquetWriter w(
      Schema({Node::list("tags", R::kOptional, Node::string("e", R::kOptional)),
              Node::group("a", R::kOptional,
                          {Node::int32("x", R::kOptional), Node::int32("y", R::kRequired)})}),
      {.codec = Codec::kUncompressed, .dictionary = false});
  // tags: null, [], ["a"], ["b", null, "c"]; a: {1, 2}, null, {null, 3}, {4, 5}
  w.write_row(
      Value::structure({Value::null(), Value::structure({Value::integer(1), Value::integer(2)})}));
  w.write_row(Value::structure({Value::list({}), Value::null()}));
  w.write_row(Value::structure(
      {Value::list({Value::string("a")}), Value::structure({Value::null(), Value::integer(3)})}));
  w.write_row(
      Value::structure({Value::list({Value::string("b"), Value::null(), Value::string("c")}),
                        Value::structure({Value::integer(4), Value::integer(5)})}));
  const std::string file = finish(w);
  const TValue meta = testing::read_footer(file);
  const TValue& cols = meta[kRowGroups].list[0][kColumns];
  std::vector<uint32_t> rep, def;
  first_page_levels(file, cols.list[0][kMeta], 1, 3, rep, def);
  EXPECT_EQ(rep, (std::vector<uint32_t>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(def, (std::vector<uint32_t>{0, 1, 3, 3, 2, 3}));
  EXPECT_EQ(cols.list[0][kMeta][kNumValues].i, 6);
  first_page_levels(file, cols.list[1][kMeta], 0, 2, rep, def);  // a.x
  EXPECT_EQ(def, (std::vector<uint32_t>{2, 0, 1, 2}));
  first_page_levels(file, cols.list[2][kMeta], 0, 1, rep, def);  // a.y
  EXPECT_EQ(def, (std::vector<uint32_t>{1, 0, 1, 1}));
}

TEST(Writer, BadRowsThrowAndLeaveTheRowGroupUnchanged) {
  ParquetWriter w(Schema({Node::int64("id", R::kRequired), Node::int32("n", R::kOptional),
                          Node::uuid("u", R::kOptional)}));
  w.write_row(Value::structure({Value::integer(1)}));
  const size_t before = w.buffered_bytes();
  EXPECT_THROW(w.write_row(Value::structure({Value::null()})), std::invalid_argument);
  EXPECT_THROW(w.write_row(Value::structure({Value::integer(2), Value::string("x")})),
               std::invalid_argument);
  EXPECT_THROW(w.write_row(Value::structure({Value::integer(2), Value::integer(1LL << 40)})),
               std::invalid_argument);
  EXPECT_THROW(w.write_row(Value::structure(
                   {Value::integer(2), Value::null(), Value::string("not-a-uuid")})),
               std::invalid_argument);
  EXPECT_THROW(w.write_row(Value::integer(3)), std::invalid_argument);
  EXPECT_THROW(w.write_row(Value::structure(
                   {Value::integer(2), Value::null(), Value::null(), Value::null()})),
               std::invalid_argument);
  EXPECT_EQ(w.buffered_bytes(), before);
  EXPECT_EQ(w.num_rows(), 1);
  w.write_row(Value::structure(
      {Value::integer(2), Value::null(), Value::string("00112233-4455-6677-8899-aabbccddeeff")}));
  const TValue meta = testing::read_footer(finish(w));
  EXPECT_EQ(meta[kNumRows].i, 2);
  EXPECT_THROW(w.write_row(Value::structure({Value::integer(3)})), std::logic_error);
}

TEST(Writer, ColumnApiRowCountsMustAgree) {
  ParquetWriter w(Schema({Node::int64("a", R::kRequired), Node::int64("b", R::kRequired)}));
  w.column(0).put_int64(1);
  w.column(0).put_int64(2);
  w.column(1).put_int64(1);
  EXPECT_THROW(w.flush_row_group(), std::logic_error);
  EXPECT_THROW(w.column(0).put_double(1.0), std::logic_error);
  EXPECT_THROW(w.column(1).put_null(0), std::logic_error);  // required
}

TEST(Writer, RowGroupsAreCutBySize) {
  WriterOptions o{.codec = Codec::kUncompressed, .row_group_bytes = 16 << 10, .page_bytes = 4096};
  ParquetWriter w(Schema({Node::int64("id", R::kRequired)}), o);
  for (int i = 0; i < 10000; ++i) w.write_row(Value::structure({Value::integer(i)}));
  const TValue meta = testing::read_footer(finish(w));
  const auto& rgs = meta[kRowGroups].list;
  ASSERT_GE(rgs.size(), 4u);
  int64_t rows = 0;
  for (const auto& rg : rgs) {
    rows += rg[kRgNumRows].i;
    EXPECT_LE(rg[2].i, (16 << 10) + 4096 + 200);  // total_byte_size near the limit
  }
  EXPECT_EQ(rows, 10000);
  EXPECT_EQ(rgs[1][7].i, 1);  // ordinal
}

TEST(Writer, DictionaryFallsBackWhenItGrowsOrDoesNotPay) {
  WriterOptions o{.codec = Codec::kUncompressed, .page_bytes = 1024, .dictionary_bytes = 2048};
  ParquetWriter w(Schema({Node::string("grows", R::kRequired), Node::string("uniq", R::kRequired),
                          Node::string("low", R::kRequired)}),
                  o);
  for (int i = 0; i < 2000; ++i) {
    w.write_row(Value::structure({Value::string("value-" + std::to_string(i / 8)),
                                  Value::string("unique-value-" + std::to_string(i)),
                                  Value::string(i % 2 ? "odd" : "even")}));
  }
  const std::string file = finish(w);
  const TValue meta = testing::read_footer(file);
  const auto& cols = meta[kRowGroups].list[0][kColumns].list;
  auto stats = [&](int c) {
    std::map<std::pair<int64_t, int64_t>, int64_t> m;  // (page type, encoding) -> pages
    for (const auto& e : cols[c][kMeta][kEncodingStats].list) m[{e[1].i, e[2].i}] = e[3].i;
    return m;
  };
  auto g = stats(0);
  EXPECT_EQ((g[{2, 0}]), 1);  // a dictionary page
  EXPECT_GT((g[{0, 8}]), 0);  // dictionary-encoded data pages
  EXPECT_GT((g[{0, 0}]), 0);  // then PLAIN data pages
  auto u = stats(1);
  EXPECT_FALSE(cols[1][kMeta].has(kDictPageOffset));
  EXPECT_EQ(u.count({0, 8}), 0u);
  auto l = stats(2);
  EXPECT_EQ(l.count({0, 0}), 0u);
  EXPECT_GT((l[{0, 8}]), 0);
  EXPECT_EQ(cols[0][kMeta][kStats][6].bin, "value-0");
  EXPECT_EQ(cols[0][kMeta][kStats][5].bin, "value-99");
}

TEST(Writer, DeterministicAcrossCodecs) {
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    auto make = [&] {
      ParquetWriter w(Schema({Node::int64("id", R::kRequired), Node::json("doc", R::kOptional)}),
                      {.codec = c});
      for (int i = 0; i < 500; ++i) {
        w.write_row(Value::structure(
            {Value::integer(i), Value::string("{\"k\":" + std::to_string(i % 10) + "}")}));
      }
      return finish(w);
    };
    const std::string a = make();
    EXPECT_EQ(a, make()) << codec_name(c);
    const TValue meta = testing::read_footer(a);
    EXPECT_EQ(meta[kRowGroups].list[0][kColumns].list[1][kMeta][kCodec].i,
              static_cast<int>(to_thrift(c)));
  }
}

TEST(Writer, BufferedBytesAndStreaming) {
  ParquetWriter w(Schema({Node::string("s", R::kRequired)}), {.codec = Codec::kUncompressed});
  const size_t empty = w.buffered_bytes();
  const std::string doc(1000, 'x');
  for (int i = 0; i < 4000; ++i) {
    w.write_row(Value::structure({Value::string(doc + std::to_string(i))}));
  }
  EXPECT_GT(w.buffered_bytes(), empty + 4000 * 1000);
  w.flush_row_group();
  std::string out;
  w.take_bytes(out);
  EXPECT_GT(out.size(), 4000u * 1000u);
  // The buffers keep their capacity for the next row group, until released.
  EXPECT_GT(w.buffered_bytes(), empty + 4000 * 1000);
  w.release_buffers();
  EXPECT_LE(w.buffered_bytes(), empty);
  w.write_row(Value::structure({Value::string("tail")}));
  w.finish(out);
  const TValue meta = testing::read_footer(out);
  EXPECT_EQ(meta[kNumRows].i, 4001);
  EXPECT_EQ(meta[kRowGroups].list.size(), 2u);
  // Offsets are file offsets, across take_bytes.
  const auto& second = meta[kRowGroups].list[1][kColumns].list[0][kMeta];
  size_t hs = 0;
  const TValue page = testing::read_page_header(out, second[kDataPageOffset].i, hs);
  EXPECT_EQ(page[1].i, 0);
}

}  // namespace
}  // namespace ks3::parquet

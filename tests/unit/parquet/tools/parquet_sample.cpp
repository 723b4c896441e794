// Writes the sample Parquet files that tests/integration/test_parquet_duckdb.sh reads back with
// DuckDB (tests/tools/duckdb_query.mjs computes the same rows independently from the row number).
//
//   parquet_sample OUTDIR
//
// - sample_<codec>.parquet (none, snappy, gzip, zstd): every supported type, nested struct and
//   list columns, optional columns with nulls, dictionary strings; small row groups and pages so
//   each file has several of both;
// - fallback.parquet: a string column whose dictionary overflows mid-chunk (dictionary pages
//   then PLAIN pages) and one where the dictionary never pays, next to a low-cardinality one;
// - columns.parquet: written through the column API (a repeated leaf, a required list);
// - empty.parquet: a schema and no rows.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "server/format/parquet/writer.hpp"

using namespace ks3::parquet;

namespace {

constexpr int kRows = 3000;
using R = Repetition;

Schema sample_schema() {
  return Schema({
      Node::int64("id", R::kRequired),
      Node::string("name", R::kOptional),
      Node::float64("score", R::kOptional),
      Node::float32("ratio", R::kRequired),
      Node::boolean("flag", R::kOptional),
      Node::int32("small", R::kRequired),
      Node::timestamp("ts", R::kOptional, TimeUnit::kMillis),
      Node::timestamp("ts_us", R::kRequired, TimeUnit::kMicros),
      Node::date("day", R::kRequired),
      Node::decimal("price", R::kRequired, 9, 2),
      Node::decimal("amount", R::kOptional, 18, 4),
      Node::decimal("big", R::kRequired, 30, 3),
      Node::uuid("uid", R::kOptional),
      Node::json("doc", R::kOptional),
      Node::list("tags", R::kOptional, Node::string("element", R::kOptional)),
      Node::list("nums", R::kRequired, Node::int64("element", R::kRequired)),
      Node::group(
          "address", R::kOptional,
          {Node::string("city", R::kRequired), Node::int32("zip", R::kOptional),
           Node::group("geo", R::kOptional,
                       {Node::float64("lat", R::kRequired), Node::float64("lon", R::kRequired)})}),
      Node::bytes("raw", R::kOptional),
      Node::fixed("fixed", R::kRequired, 4),
  });
}

std::string uuid_text(int64_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-0000-4000-8000-%012llx", static_cast<long long>(i),
                static_cast<long long>(i * 31));
  return buf;
}

// Row i of the sample files; duckdb_query.mjs has the same formulas.
Value sample_row(int64_t i) {
  std::vector<Value> f;
  f.push_back(Value::integer(i));
  f.push_back(i % 7 == 0 ? Value::null() : Value::string("name-" + std::to_string(i % 13)));
  f.push_back(i % 5 == 0 ? Value::null() : Value::real(static_cast<double>(i) * 0.25 - 100));
  f.push_back(Value::real(static_cast<double>(i % 100) / 4));
  f.push_back(i % 11 == 0 ? Value::null() : Value::boolean(i % 3 == 0));
  f.push_back(Value::integer((i * 7919) % 20001 - 10000));
  f.push_back(i % 9 == 0 ? Value::null() : Value::integer(1700000000000 + i * 1000));
  f.push_back(Value::integer(1700000000000000 + i * 1000003));
  f.push_back(Value::integer(19000 + i % 400));
  f.push_back(Value::integer(i * 101 - 50000));
  f.push_back(i % 6 == 0 ? Value::null() : Value::integer(i * 1234567 - 1000000000));
  f.push_back(Value::integer((i - 1500) * 1000000007));
  f.push_back(i % 10 == 0 ? Value::null() : Value::string(uuid_text(i)));
  f.push_back(i % 8 == 3 ? Value::null()
                         : Value::string("{\"i\":" + std::to_string(i) +
                                         ",\"even\":" + (i % 2 == 0 ? "true" : "false") + "}"));
  switch (i % 4) {
    case 0:
      f.push_back(Value::null());
      break;
    case 1:
      f.push_back(Value::list({}));
      break;
    case 2:
      f.push_back(Value::list({Value::string("t" + std::to_string(i % 3))}));
      break;
    default:
      f.push_back(
          Value::list({Value::string("a"), Value::null(), Value::string("b" + std::to_string(i))}));
  }
  std::vector<Value> nums;
  for (int64_t k = 0; k < i % 3; ++k) nums.push_back(Value::integer(i + k));
  f.push_back(Value::list(std::move(nums)));
  if (i % 8 == 0) {
    f.push_back(Value::null());
  } else {
    f.push_back(Value::structure({
        Value::string("city-" + std::to_string(i % 5)),
        i % 3 == 0 ? Value::null() : Value::integer(10000 + i),
        i % 5 == 0 ? Value::null()
                   : Value::structure({Value::real(static_cast<double>(i) * 0.5),
                                       Value::real(static_cast<double>(i) * -0.25)}),
    }));
  }
  if (i % 4 == 1) {
    f.push_back(Value::null());
  } else {
    const char raw[3] = {static_cast<char>(i % 256), static_cast<char>((i * 3) % 256), 0};
    f.push_back(Value::bytes(std::string(raw, 3)));
  }
  const char be[4] = {static_cast<char>((i >> 24) & 0xFF), static_cast<char>((i >> 16) & 0xFF),
                      static_cast<char>((i >> 8) & 0xFF), static_cast<char>(i & 0xFF)};
  f.push_back(Value::bytes(std::string(be, 4)));
  return Value::structure(std::move(f));
}

bool save(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::cerr << "parquet_sample: cannot write " << path << "\n";
    return false;
  }
  std::cout << path << " " << bytes.size() << " bytes\n";
  return true;
}

bool write_samples(const std::string& dir) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    WriterOptions o;
    o.codec = codec;
    o.row_group_bytes = 48 << 10;
    o.page_bytes = 4 << 10;
    o.key_value_metadata = {{"ks3.sample", std::string("yes")}};
    ParquetWriter w(sample_schema(), o);
    for (int64_t i = 0; i < kRows; ++i) w.write_row(sample_row(i));
    std::string bytes;
    w.finish(bytes);
    if (!save(dir + "/sample_" + std::string(codec_name(codec)) + ".parquet", bytes)) return false;
  }
  {
    WriterOptions o;
    o.row_group_bytes = 1 << 20;
    o.page_bytes = 2 << 10;
    o.dictionary_bytes = 4 << 10;
    ParquetWriter w(Schema({Node::int64("id", R::kRequired),
                            Node::string("grows", R::kOptional),  // dictionary, then PLAIN
                            Node::string("uniq", R::kRequired),   // dictionary never pays
                            Node::string("low", R::kRequired)}),  // dictionary throughout
                    o);
    for (int64_t i = 0; i < kRows; ++i) {
      // 300 distinct values, each seen 10 times: the first pages pay, later the dictionary
      // passes 4 KiB.
      w.write_row(Value::structure(
          {Value::integer(i),
           i % 17 == 0 ? Value::null() : Value::string("grow-value-" + std::to_string(i / 10)),
           Value::string("unique-" + std::to_string(i * 7) + "-" + std::string(i % 50, 'x')),
           Value::string(i % 3 == 0   ? "alpha"
                         : i % 3 == 1 ? "beta"
                                      : "gamma")}));
    }
    std::string bytes;
    w.finish(bytes);
    if (!save(dir + "/fallback.parquet", bytes)) return false;
  }
  {
    // Column API: a legacy repeated leaf (2-level list) and plain columns, 3 row groups.
    WriterOptions o;
    o.codec = Codec::kSnappy;
    ParquetWriter w(Schema({Node::int32("n", R::kRequired), Node::int64("rep", R::kRepeated),
                            Node::string("s", R::kOptional)}),
                    o);
    std::string part;
    for (int32_t i = 0; i < 300; ++i) {
      w.column(0).put_int32(i);
      if (i % 3 == 0) {
        w.column(1).put_null(0);  // empty list
      } else {
        for (int k = 0; k < i % 3; ++k) w.column(1).put_int64(i * 10 + k, k == 0 ? 0 : 1);
      }
      if (i % 2 == 0) {
        w.column(2).put_bytes("s" + std::to_string(i));
      } else {
        w.column(2).put_null(0);
      }
      w.end_rows();
      if (i % 100 == 99) w.flush_row_group();
      if (i == 150) w.take_bytes(part);  // streaming the finished row groups out
    }
    w.finish(part);
    if (!save(dir + "/columns.parquet", part)) return false;
  }
  {
    ParquetWriter w(Schema({Node::int64("id", R::kRequired), Node::string("s", R::kOptional)}));
    std::string bytes;
    w.finish(bytes);
    if (!save(dir + "/empty.parquet", bytes)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: parquet_sample OUTDIR\n";
    return 2;
  }
  try {
    return write_samples(argv[1]) ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "parquet_sample: " << e.what() << "\n";
    return 1;
  }
}

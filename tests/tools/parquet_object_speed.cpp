// Measures the Parquet object path on one core: RecordEncoder (format parquet) + ParquetObject
// for ~1 KiB Ed-Fi DMS style JSON documents, per value mode and codec. Prints MB/s of input
// (key + value bytes), in total and per stage: `encode` (RecordEncoder, on the event loop),
// `body` (ParquetObject: shredding, dictionaries, statistics, page compression; on the worker
// pool) and `batch` (BodyJobs: what the event loop does per row besides encoding, copying it into
// the object's batch). Not a test: a measurement tool for the README's numbers.
//
//   parquet_object_speed [RECORDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "server/format/body_jobs.hpp"
#include "server/format/parquet_object.hpp"
#include "server/format/record_encoder.hpp"

namespace {

using namespace ks3::server;

std::string document(int i) {
  std::string uuid = "0d6e" + std::to_string(100000 + i) + "-aaaa-4bbb-8ccc-" + std::to_string(i);
  std::string edfidoc =
      R"({\"id\":\")" + uuid + R"(\",\"studentUniqueId\":\")" + std::to_string(600000 + i) +
      R"(\",\"firstName\":\"Name)" + std::to_string(i % 997) + R"(\",\"lastSurname\":\"Surname)" +
      std::to_string(i % 1013) + R"(\",\"birthDate\":\"2010-0)" + std::to_string(1 + i % 9) +
      R"(-1)" + std::to_string(i % 10) + R"(\",\"_etag\":\")" + std::to_string(i * 7919) + R"(\"})";
  std::string doc =
      R"({"id":)" + std::to_string(i) + R"(,"documentpartitionkey":)" + std::to_string(i % 16) +
      R"(,"documentuuid":")" + uuid + R"(","resourcename":")" +
      (i % 3 ? "Student" : "StudentSchoolAssociation") +
      R"(","resourceversion":"5.2.0","isdescriptor":false,"projectname":"Ed-Fi","edfidoc":")" +
      edfidoc + R"(","createdat":)" + std::to_string(1700000000000000LL + i) +
      R"(,"lastmodifiedat":)" + std::to_string(1700000000000000LL + 2 * i) +
      R"(,"lastmodifiedtraceid":"trace-)" + std::to_string(i) + R"(","__deleted":"false"})";
  if (doc.size() + 10 < 1024) {  // about 1 KiB
    doc.insert(doc.size() - 1, R"(,"pad":")" + std::string(1024 - 10 - doc.size(), 'p') + "\"");
  }
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  const int records = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::vector<std::string> docs;
  std::size_t input = 0;
  for (int i = 0; i < records; ++i) {
    docs.push_back(document(i));
    input += docs.back().size() + 36;
  }
  // Reused, after a first pass that is not timed (it faults the rows' pages in).
  std::vector<std::string> rows(static_cast<std::size_t>(records));
  bool warm = false;
  for (ParquetValueMode mode :
       {ParquetValueMode::json, ParquetValueMode::json, ParquetValueMode::infer}) {
    for (Compression codec : {Compression::zstd, Compression::snappy}) {
      EncoderOptions format;
      format.format = OutputFormat::parquet;
      format.parquet_value = mode;
      RecordEncoder encoder(format);
      JsonReader json;
      using Clock = std::chrono::steady_clock;
      auto seconds_since = [](Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
      };
      const auto options =
          parquet_object_options(format, codec, codec == Compression::zstd ? 3 : 0);
      auto start = Clock::now();
      for (int i = 0; i < records; ++i) {
        RecordView r;
        r.topic = "edfi.dms.document";
        r.offset = i;
        r.timestamp_ms = 1700000000000 + i;
        std::string key = R"({"documentuuid":")" + std::to_string(i) + "\"}";
        r.key = key;
        r.value = docs[static_cast<std::size_t>(i)];
        std::string& row = rows[static_cast<std::size_t>(i)];
        row.clear();
        if (encoder.encode(r, ChangeOp::none, json, row)) return 1;
      }
      const double encode = seconds_since(start);
      start = Clock::now();
      ParquetObject object(options);
      std::string file;
      for (const std::string& row : rows) {
        object.add(row);
        object.take_bytes(file);
      }
      object.finish(file);
      const double body = seconds_since(start);
      // The loop's side of the body jobs: rows into batches, batches handed out (not run here).
      start = Clock::now();
      BodyJobs jobs(std::make_unique<ParquetObject>(options));
      std::size_t batches = 0;
      for (const std::string& row : rows) {
        jobs.add(row);
        if (auto job = jobs.take_job(false)) {
          ++batches;
          jobs.job_done(0);
        }
      }
      const double batch = seconds_since(start);
      if (!warm) {
        warm = true;
        continue;
      }
      const double mb = input / 1e6;
      std::printf(
          "%-5s %-6s %d records, %.1f MB in, %.1f MB file: %.1f MB/s; encode %.1f MB/s, body %.1f "
          "MB/s, batch %.0f MB/s (%zu batches): the event loop's share %.0f%%\n",
          std::string(to_string(mode)).c_str(), std::string(to_string(codec)).c_str(), records, mb,
          file.size() / 1e6, mb / (encode + body), mb / encode, mb / body, mb / batch, batches,
          100 * (encode + batch) / (encode + body));
    }
  }
  return 0;
}

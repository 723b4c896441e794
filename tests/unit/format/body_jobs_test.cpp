// BodyJobs (server/format/body_jobs.hpp): the bodies of Parquet and Avro container objects fed
// in batches through jobs give exactly the bytes of the synchronous path (records one by one,
// bytes taken after each), whatever the batch size; a job goes out only when the batch is full
// (or at the close) and never while another job of the body is out.
#include "server/format/body_jobs.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "server/format/avro/container_writer.hpp"
#include "server/format/avro_object.hpp"
#include "server/format/parquet_object.hpp"
#include "server/format/record_encoder.hpp"
#include "tests/unit/parquet/compact_reader.hpp"

namespace ks3::server {
namespace {

using MakeBody = std::function<std::unique_ptr<ObjectBody>()>;

// Today's synchronous path: every record into the body, the finished bytes taken after each.
std::string synchronous(const MakeBody& make, const std::vector<std::string>& records) {
  auto body = make();
  std::string file;
  for (const std::string& record : records) {
    body->add(record);
    body->take_bytes(file);
  }
  body->finish(file);
  return file;
}

// The job path: the loop's batches, each job run as a worker would (here, in turn).
std::string through_jobs(const MakeBody& make, const std::vector<std::string>& records,
                         std::size_t batch_bytes, std::size_t* jobs = nullptr) {
  BodyJobs jobs_of(make(), batch_bytes);
  std::string file;
  std::size_t count = 0;
  auto run = [&](BodyJob job) {
    EXPECT_TRUE(jobs_of.job_out());
    EXPECT_FALSE(jobs_of.take_job(true)) << "a second job while one is out";
    BodyOutput out = run_body_job(job);
    file += out.bytes;
    jobs_of.job_done(out.held_after);
    ++count;
  };
  for (const std::string& record : records) {
    jobs_of.add(record);
    if (auto job = jobs_of.take_job(false)) run(std::move(*job));
  }
  auto last = jobs_of.take_job(true);
  EXPECT_TRUE(last && last->last);
  if (last) run(std::move(*last));
  EXPECT_TRUE(jobs_of.finished());
  EXPECT_FALSE(jobs_of.take_job(true));
  if (jobs) *jobs = count;
  return file;
}

EncoderOptions parquet_format(ParquetValueMode mode) {
  EncoderOptions o;
  o.format = OutputFormat::parquet;
  o.fields = {EnvelopeField::topic,     EnvelopeField::partition, EnvelopeField::offset,
              EnvelopeField::timestamp, EnvelopeField::key,       EnvelopeField::value};
  o.parquet_value = mode;
  return o;
}

// Ed-Fi style documents of ~300 bytes, encoded as the pipeline does for format parquet.
std::vector<std::string> parquet_rows(const EncoderOptions& format, int count) {
  RecordEncoder encoder(format);
  JsonReader json;
  std::vector<std::string> rows;
  for (int i = 0; i < count; ++i) {
    const std::string value =
        R"({"id":)" + std::to_string(i) + R"(,"resourcename":")" + (i % 3 ? "Student" : "School") +
        R"(","n":)" + std::to_string(i * 0.25) + R"(,"tags":["a","b)" + std::to_string(i % 7) +
        R"("],"doc":{"name":"Name)" + std::to_string(i % 97) + R"(","pad":")" +
        std::string(200 + i % 50, 'p') + "\"}}";
    const std::string key = "k" + std::to_string(i % 11);  // the view below must not dangle
    RecordView r;
    r.topic = "edfi.dms.document";
    r.partition = 2;
    r.offset = 1000 + i;
    r.timestamp_ms = 1700000000000 + i;
    r.key = key;
    r.value = value;
    std::string row;
    EXPECT_FALSE(encoder.encode(r, ChangeOp::create, json, row));
    rows.push_back(std::move(row));
  }
  return rows;
}

MakeBody parquet_body(const EncoderOptions& format, Compression codec) {
  return [format, codec] {
    ParquetObjectOptions o = parquet_object_options(format, codec, 0);
    o.writer.row_group_bytes = 24 << 10;  // several row groups in a few thousand rows
    o.writer.page_bytes = 8 << 10;
    return std::make_unique<ParquetObject>(o);
  };
}

TEST(BodyJobs, ParquetBytesAreThoseOfTheSynchronousPath) {
  for (ParquetValueMode mode : {ParquetValueMode::json, ParquetValueMode::infer}) {
    for (Compression codec : {Compression::zstd, Compression::snappy, Compression::none}) {
      const EncoderOptions format = parquet_format(mode);
      const auto rows = parquet_rows(format, 3000);
      const MakeBody make = parquet_body(format, codec);
      const std::string expected = synchronous(make, rows);
      const auto meta = parquet::testing::read_footer(expected);
      ASSERT_GT(meta[4].list.size(), 3u) << "the test needs several row groups";
      for (std::size_t batch :
           {std::size_t{1}, std::size_t{5000}, BodyJobs::kBatchBytes, std::size_t{100} << 20}) {
        std::size_t jobs = 0;
        EXPECT_TRUE(through_jobs(make, rows, batch, &jobs) == expected)
            << "mode " << static_cast<int>(mode) << " codec " << static_cast<int>(codec)
            << " batch " << batch;
        if (batch == 1) {
          EXPECT_EQ(jobs, rows.size() + 1);
        } else if (batch == (std::size_t{100} << 20)) {
          EXPECT_EQ(jobs, 1u);  // all at the close
        }
      }
    }
  }
}

// Datums of {"id": long, "s": string}, written by hand in the Avro binary encoding.
std::vector<std::string> avro_datums(int count) {
  std::vector<std::string> datums;
  for (int i = 0; i < count; ++i) {
    std::string d;
    avro::append_long(d, i);
    const std::string s = "value-" + std::to_string(i) + std::string(i % 90, 'x');
    avro::append_long(d, static_cast<std::int64_t>(s.size()));
    d += s;
    datums.push_back(std::move(d));
  }
  return datums;
}

TEST(BodyJobs, AvroContainerBytesAreThoseOfTheSynchronousPath) {
  const auto schema = std::make_shared<const std::string>(
      R"({"type":"record","name":"R","fields":[{"name":"id","type":"long"},)"
      R"({"name":"s","type":"string"}]})");
  const auto datums = avro_datums(5000);
  for (avro::Codec codec :
       {avro::Codec::null, avro::Codec::deflate, avro::Codec::snappy, avro::Codec::zstandard}) {
    const MakeBody make = [&] {
      avro::ContainerOptions options;
      options.codec = codec;
      options.block_bytes = 16 << 10;
      return std::make_unique<AvroObject>(schema, "topic/0/00000.avro", options);
    };
    const std::string expected = synchronous(make, datums);
    for (std::size_t batch : {std::size_t{1}, std::size_t{3000}, BodyJobs::kBatchBytes}) {
      EXPECT_TRUE(through_jobs(make, datums, batch) == expected)
          << "codec " << avro::codec_name(codec) << " batch " << batch;
    }
  }
}

TEST(BodyJobs, JobsGoOutByBatchOneAtATimeAndTheLoopCountsWhatItHolds) {
  const EncoderOptions format = parquet_format(ParquetValueMode::json);
  const auto rows = parquet_rows(format, 40);
  BodyJobs jobs(parquet_body(format, Compression::zstd)(), 4 * rows[0].size());
  const std::size_t empty = jobs.held_bytes();
  jobs.add(rows[0]);
  EXPECT_FALSE(jobs.take_job(false)) << "a job before the batch is full";
  EXPECT_GT(jobs.held_bytes(), empty);
  for (int i = 1; i < 4; ++i) jobs.add(rows[i]);
  auto job = jobs.take_job(false);
  ASSERT_TRUE(job);
  EXPECT_FALSE(job->last);
  EXPECT_EQ(job->sizes.size(), 4u);
  EXPECT_GE(job->input_bytes(), 4 * rows[0].size());
  for (int i = 4; i < 12; ++i) jobs.add(rows[i]);
  EXPECT_FALSE(jobs.take_job(false)) << "a second job of the body while one is out";
  EXPECT_FALSE(jobs.take_job(true)) << "the last job while one is out";
  const BodyOutput out = run_body_job(*job);
  EXPECT_EQ(out.bytes, "PAR1");  // the magic; the row group is still open
  jobs.job_done(out.held_after);
  auto next = jobs.take_job(false);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sizes.size(), 8u);
  jobs.job_done(run_body_job(*next).held_after);
  jobs.add(rows[12]);
  auto last = jobs.take_job(true);
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->last);
  EXPECT_TRUE(jobs.finished());
  EXPECT_THROW(jobs.add(rows[13]), std::logic_error);
  const BodyOutput end = run_body_job(*last);
  EXPECT_EQ(parquet::testing::read_footer("PAR1" + end.bytes)[3].i, 13);
}

TEST(BodyJobs, AMalformedRecordThrowsInTheJob) {
  BodyJobs jobs(parquet_body(parquet_format(ParquetValueMode::json), Compression::zstd)(), 1);
  jobs.add("not a parquet row");
  auto job = jobs.take_job(false);
  ASSERT_TRUE(job);
  EXPECT_THROW(run_body_job(*job), std::logic_error);
}

}  // namespace
}  // namespace ks3::server

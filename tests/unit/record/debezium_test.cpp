#include "server/record/debezium.hpp"

#include <gtest/gtest.h>

namespace ks3::server {
namespace {

ChangeOp detect(std::optional<std::string_view> value) {
  ChangeDetector detector;
  JsonReader json;
  RecordView record;
  record.value = value;
  return detector.detect(record, json);
}

TEST(ChangeDetector, RecognisesEnvelopes) {
  EXPECT_EQ(detect(R"({"before":null,"after":{"id":1},"source":{"table":"t"},"op":"c"})"),
            ChangeOp::create);
  EXPECT_EQ(detect(R"({"before":{"id":1},"after":{"id":1},"source":{},"op":"u"})"),
            ChangeOp::update);
  EXPECT_EQ(detect(R"({"before":{"id":1},"after":null,"source":{},"op":"d"})"), ChangeOp::remove);
  EXPECT_EQ(detect(R"({"after":{"id":1},"op":"r"})"), ChangeOp::read);
  EXPECT_EQ(detect(R"({"source":{},"op":"t"})"), ChangeOp::truncate);
  EXPECT_EQ(detect(R"({"schema":{},"payload":{"before":null,"after":{},"source":{},"op":"c"}})"),
            ChangeOp::create);
}

TEST(ChangeDetector, RecognisesExtractNewRecordStateOutput) {
  // The Ed-Fi DMS connector: delete.handling.mode=rewrite adds "__deleted".
  EXPECT_EQ(detect(R"({"id":5,"resourcename":"Student","__deleted":"true"})"), ChangeOp::remove);
  EXPECT_EQ(detect(R"({"id":5,"__deleted":true})"), ChangeOp::remove);
  EXPECT_EQ(detect(R"({"id":5,"resourcename":"Student","__deleted":"false"})"), ChangeOp::none);
  EXPECT_EQ(detect(R"({"id":5,"__op":"u","__deleted":"false"})"), ChangeOp::update);
  EXPECT_EQ(detect(R"({"id":5,"__op":"c","__deleted":"true"})"), ChangeOp::remove);
}

TEST(ChangeDetector, TombstonesAreDeletes) {
  EXPECT_EQ(detect(std::nullopt), ChangeOp::remove);
}

TEST(ChangeDetector, OtherValuesHaveNoOperation) {
  EXPECT_EQ(detect(R"({"op":"c"})"), ChangeOp::none);  // an "op" field alone is not an envelope
  EXPECT_EQ(detect(R"({"op":"create","source":{}})"), ChangeOp::none);
  EXPECT_EQ(detect(R"({"op":1,"source":{}})"), ChangeOp::none);
  EXPECT_EQ(detect("plain text"), ChangeOp::none);
  EXPECT_EQ(detect(""), ChangeOp::none);
  EXPECT_EQ(detect("[1,2,3]"), ChangeOp::none);
}

TEST(ChangeDetector, Letters) {
  EXPECT_EQ(change_op_letter(ChangeOp::create), "c");
  EXPECT_EQ(change_op_letter(ChangeOp::update), "u");
  EXPECT_EQ(change_op_letter(ChangeOp::remove), "d");
  EXPECT_EQ(change_op_letter(ChangeOp::read), "r");
  EXPECT_EQ(change_op_letter(ChangeOp::truncate), "t");
  EXPECT_EQ(change_op_letter(ChangeOp::none), "");
}

}  // namespace
}  // namespace ks3::server

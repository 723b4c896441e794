#include "server/format/avro/wire_format.hpp"

#include <gtest/gtest.h>

namespace ks3::avro {
namespace {

TEST(AvroWireFormat, ClassicPrefix) {
  std::string record = frame(0x01020304, "datum");
  EXPECT_EQ(record.substr(0, 5), std::string("\x00\x01\x02\x03\x04", 5));
  auto r = unframe(record);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->schema, SchemaRef::from_id(0x01020304));
  EXPECT_EQ(r->payload, "datum");
  EXPECT_FALSE(r->from_header);
  auto empty_payload = unframe(frame(7, ""));
  ASSERT_TRUE(empty_payload);
  EXPECT_EQ(empty_payload->payload, "");
}

TEST(AvroWireFormat, GuidPrefix) {
  std::string record("\x01", 1);
  for (int i = 0; i < 16; ++i) record += static_cast<char>(i * 17);
  record += "x";
  auto r = unframe(record);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->schema.kind, SchemaRef::Kind::guid);
  EXPECT_EQ(r->schema.guid_string(), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(r->payload, "x");
}

TEST(AvroWireFormat, HeaderCarriedIdWinsAndThePayloadIsTheWholeValue) {
  std::string header("\x01", 1);
  header += std::string(15, '\0') + "\x2a";
  // The value itself starts with 0x00 like a classic prefix: the header still wins.
  std::string value("\x00\x00\x00\x00\x05rest", 9);
  auto r = unframe(value, header);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->from_header);
  EXPECT_EQ(r->schema.guid_string(), "00000000-0000-0000-0000-00000000002a");
  EXPECT_EQ(r->payload, value);
  auto by_id = unframe("datum", std::string("\x00\x00\x00\x01\x00", 5));
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->schema, SchemaRef::from_id(256));
}

TEST(AvroWireFormat, ErrorsAreReturnedWithTheReason) {
  auto empty = unframe("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::bad_wire_format);
  EXPECT_EQ(empty.error().message, "record is empty");
  EXPECT_EQ(unframe("{\"json\":1}").error().message,
            "record starts with 0x7b, not the Schema Registry magic byte 0 (or 1): not "
            "Confluent-framed Avro");
  EXPECT_EQ(unframe(std::string("\x00\x01\x02", 3)).error().message,
            "record has 3 bytes: magic byte 0 needs a 4-byte schema id after it");
  EXPECT_EQ(unframe(std::string("\x01\x01", 2)).error().message,
            "record has 2 bytes: magic byte 1 needs a 16-byte schema GUID after it");
  EXPECT_EQ(unframe("datum", std::string("\x01\x02", 2)).error().message,
            "schema id header has 2 bytes: magic byte 1 needs a 16-byte schema GUID after it");
  EXPECT_EQ(unframe("datum", std::string_view()).error().message, "schema id header is empty");
}

}  // namespace
}  // namespace ks3::avro

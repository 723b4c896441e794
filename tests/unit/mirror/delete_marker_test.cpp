// The delete-marker body of mirror.deletes: marker (server/mirror/delete_marker.hpp).
#include "server/mirror/delete_marker.hpp"

#include <gtest/gtest.h>

#include "server/record/json_path.hpp"

namespace ks3::server {
namespace {

TEST(DeleteMarker, NamesTheRecordThatDeletedTheDocument) {
  EXPECT_EQ(
      delete_marker_body("edfi.dms.document", 3, 12, "k"),
      R"({"__deleted":true,"topic":"edfi.dms.document","partition":3,"offset":12,"key":"k"})");
  EXPECT_EQ(delete_marker_body("t", 0, 0, std::nullopt),
            R"({"__deleted":true,"topic":"t","partition":0,"offset":0,"key":null})");
}

TEST(DeleteMarker, IsValidJsonWhateverTheKey) {
  JsonReader json;
  for (std::string_view key : {std::string_view(R"({"id":1})"), std::string_view("a\"b\\c\n"),
                               std::string_view("\xff\xfe"), std::string_view("")}) {
    EXPECT_TRUE(json.is_valid(delete_marker_body("t", 1, 2, key))) << key;
  }
}

}  // namespace
}  // namespace ks3::server

#include "s3/uri_encode.hpp"

#include <gtest/gtest.h>

namespace ks3::s3 {
namespace {

TEST(UriEncode, UnreservedCharactersStay) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
}

TEST(UriEncode, EverythingElseIsUppercasePercentHex) {
  EXPECT_EQ(uri_encode(" ", false), "%20");  // never '+'
  EXPECT_EQ(uri_encode("+=%!*'()", false), "%2B%3D%25%21%2A%27%28%29");
  EXPECT_EQ(uri_encode("$&,:;?@#[]", false), "%24%26%2C%3A%3B%3F%40%23%5B%5D");
  EXPECT_EQ(uri_encode("\xff\x01", false), "%FF%01");
}

TEST(UriEncode, SlashKeptOnlyWhenAsked) {
  EXPECT_EQ(uri_encode("a/b", true), "a/b");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
}

TEST(UriEncode, Utf8IsEncodedBytewise) {
  // "é" = C3 A9, "日" = E6 97 A5
  EXPECT_EQ(uri_encode("caf\xC3\xA9/\xE6\x97\xA5", true), "caf%C3%A9/%E6%97%A5");
}

TEST(EncodePath, OddKeysAreEncodedOnce) {
  EXPECT_EQ(encode_path("/bucket/dir/my file+1=2 %~!*'(.json"),
            "/bucket/dir/my%20file%2B1%3D2%20%25~%21%2A%27%28.json");
  // Already-encoded text is encoded again: the path is raw, not pre-encoded.
  EXPECT_EQ(encode_path("/b/a%20b"), "/b/a%2520b");
  EXPECT_EQ(encode_path(""), "/");
  EXPECT_EQ(encode_path("/b//double"), "/b//double");  // S3 does not normalize paths
}

TEST(CanonicalQuery, SortedEncodedAndValueless) {
  EXPECT_EQ(canonical_query({{"prefix", "J"}, {"max-keys", "2"}}), "max-keys=2&prefix=J");
  EXPECT_EQ(canonical_query({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query({{"prefix", "a/b c"}, {"continuation-token", "x+y=="}}),
            "continuation-token=x%2By%3D%3D&prefix=a%2Fb%20c");
  EXPECT_EQ(canonical_query({}), "");
}

TEST(CanonicalQuery, DuplicateNamesSortByValue) {
  EXPECT_EQ(canonical_query({{"a", "2"}, {"a", "1"}, {"B", "x"}}), "B=x&a=1&a=2");
}

TEST(UriDecode, RoundTripsAndRejectsMalformed) {
  std::string out;
  const std::string raw = "/k/my file+1=2 %~!*'(\xC3\xA9";
  ASSERT_TRUE(uri_decode(encode_path(raw), out));
  EXPECT_EQ(out, raw);
  EXPECT_FALSE(uri_decode("%4", out));
  EXPECT_FALSE(uri_decode("%zz", out));
  EXPECT_FALSE(uri_decode("abc%", out));
  ASSERT_TRUE(uri_decode("a%2fb", out));  // lowercase hex accepted when decoding
  EXPECT_EQ(out, "a/b");
}

}  // namespace
}  // namespace ks3::s3

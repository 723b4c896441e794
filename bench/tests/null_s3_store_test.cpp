#include "bench/lib/null_s3_store.hpp"

#include <gtest/gtest.h>

namespace ks3::bench::nulls3 {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

TEST(NullS3Store, PutHeadOverwriteRemove) {
  NullS3Store store;
  store.put_object("b", "k", 10, "\"e1\"");
  store.put_object("b", "k", 30, "\"e2\"");
  ASSERT_NE(store.find("b", "k"), nullptr);
  EXPECT_EQ(store.find("b", "k")->size, 30u);
  EXPECT_EQ(store.stored_bytes(), 30u);
  EXPECT_EQ(store.counters().objects_written, 2u);
  EXPECT_EQ(store.counters().bytes_written, 40u);
  EXPECT_TRUE(store.remove("b", "k"));
  EXPECT_FALSE(store.remove("b", "k"));
  EXPECT_EQ(store.stored_bytes(), 0u);
}

TEST(NullS3Store, MultipartHappyPath) {
  NullS3Store store;
  const std::string id = store.create_upload("b", "k");
  EXPECT_FALSE(store.upload_part(id, "b", "k", 1, 5 * kMiB, "\"p1\""));
  EXPECT_FALSE(store.upload_part(id, "b", "k", 2, 7, "\"p2\""));
  auto result = store.complete(id, "b", "k", {{1, "\"p1\"", ""}, {2, "p2", ""}});
  ASSERT_FALSE(result.failure) << result.failure->code;
  EXPECT_TRUE(result.etag.ends_with("-2\""));
  EXPECT_EQ(store.find("b", "k")->size, 5 * kMiB + 7);
  EXPECT_EQ(store.open_uploads(), 0u);
  // A retried Complete after success: the upload is gone.
  EXPECT_EQ(store.complete(id, "b", "k", {{1, "\"p1\"", ""}}).failure->code, "NoSuchUpload");
}

TEST(NullS3Store, EnforcesS3MultipartRules) {
  NullS3Store store;
  const std::string id = store.create_upload("b", "k");
  EXPECT_EQ(store.upload_part("nope", "b", "k", 1, 1, "\"x\"")->code, "NoSuchUpload");
  EXPECT_EQ(store.upload_part(id, "b", "other", 1, 1, "\"x\"")->code, "NoSuchUpload");
  store.upload_part(id, "b", "k", 1, 4 * kMiB, "\"p1\"");
  store.upload_part(id, "b", "k", 2, 4 * kMiB, "\"p2\"");
  EXPECT_EQ(store.complete(id, "b", "k", {{1, "\"p1\"", ""}, {2, "\"p2\"", ""}}).failure->code,
            "EntityTooSmall");
  EXPECT_EQ(store.complete(id, "b", "k", {{2, "\"p2\"", ""}, {1, "\"p1\"", ""}}).failure->code,
            "InvalidPartOrder");
  EXPECT_EQ(store.complete(id, "b", "k", {{1, "\"wrong\"", ""}}).failure->code, "InvalidPart");
  EXPECT_EQ(store.complete(id, "b", "k", {{3, "\"p3\"", ""}}).failure->code, "InvalidPart");
  EXPECT_EQ(store.complete(id, "b", "k", {}).failure->code, "MalformedXML");
  // A single (last) part may be small.
  EXPECT_FALSE(store.complete(id, "b", "k", {{2, "\"p2\"", ""}}).failure);
}

TEST(NullS3Store, AbortForgetsTheUpload) {
  NullS3Store store;
  const std::string id = store.create_upload("b", "k");
  EXPECT_FALSE(store.abort(id));
  EXPECT_EQ(store.abort(id)->code, "NoSuchUpload");
  EXPECT_EQ(store.counters().uploads_aborted, 1u);
  EXPECT_EQ(store.find("b", "k"), nullptr);
}

TEST(NullS3Store, BucketsAreOpenUnlessListed) {
  EXPECT_FALSE(NullS3Store().check_bucket("anything"));
  NullS3Store strict({"lake"});
  EXPECT_FALSE(strict.check_bucket("lake"));
  EXPECT_EQ(strict.check_bucket("other")->code, "NoSuchBucket");
  strict.create_bucket("other");
  EXPECT_FALSE(strict.check_bucket("other"));
}

TEST(NullS3Store, ListPagesByPrefixAndToken) {
  NullS3Store store;
  for (const char* key : {"a/1", "a/2", "a/3", "b/1"}) store.put_object("lake", key, 1, "\"e\"");
  store.put_object("lake2", "a/9", 1, "\"e\"");
  ParsedRequest request;
  request.prefix = "a/";
  request.max_keys = 2;
  ListPage first = store.list("lake", request);
  ASSERT_EQ(first.contents.size(), 2u);
  EXPECT_EQ(first.contents[0].key, "a/1");
  EXPECT_TRUE(first.truncated);
  request.continuation_token = first.next_token;
  ListPage second = store.list("lake", request);
  ASSERT_EQ(second.contents.size(), 1u);
  EXPECT_EQ(second.contents[0].key, "a/3");
  EXPECT_FALSE(second.truncated);
  ParsedRequest all;
  EXPECT_EQ(store.list("lake", all).contents.size(), 4u);
  all.start_after = "a/2";
  EXPECT_EQ(store.list("lake", all).contents.size(), 2u);
}

TEST(NullS3Store, StatsJson) {
  NullS3Store store;
  store.counters().requests["PutObject"] = 2;
  store.put_object("b", "k", 5, "\"e\"");
  const std::string json = store.stats_json();
  EXPECT_NE(json.find("\"requests\":{\"PutObject\":2}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"objects\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"stored_bytes\":5"), std::string::npos) << json;
}

}  // namespace
}  // namespace ks3::bench::nulls3

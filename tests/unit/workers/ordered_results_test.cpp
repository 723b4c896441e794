// OrderedResults (server/workers/ordered_results.hpp): results applied in sending order whatever
// order they come back in; the bytes out (inputs in flight, results waiting) counted until
// applied; a discarded job uncounted.
#include "server/workers/ordered_results.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ks3::server {
namespace {

TEST(OrderedResults, AppliesInSendingOrderAndCountsWhatIsOut) {
  OrderedResults results;
  std::vector<std::string> applied;
  auto apply = [&](std::string& r) { applied.push_back(r); };
  const auto a = results.send(100);
  const auto b = results.send(200);
  const auto c = results.send(300);
  EXPECT_EQ(results.in_flight(), 3u);
  EXPECT_EQ(results.held_bytes(), 600u);
  results.receive(c, 300, "ccc", apply);
  results.receive(b, 200, "bb", apply);
  EXPECT_TRUE(applied.empty()) << "applied before the first job came back";
  EXPECT_EQ(results.held_bytes(), 100u + 3 + 2);  // a's input, b's and c's results waiting
  results.receive(a, 100, "a", apply);
  EXPECT_EQ(applied, (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(results.held_bytes(), 0u);
  EXPECT_EQ(results.in_flight(), 0u);
  EXPECT_EQ(results.sent(), 3u);
}

TEST(OrderedResults, DiscardAndClearGiveTheBytesBack) {
  OrderedResults results;
  const auto a = results.send(10);
  const auto b = results.send(20);
  results.receive(b, 20, std::string(50, 'x'), [](std::string&) { FAIL(); });
  EXPECT_EQ(results.held_bytes(), 60u);
  results.clear_waiting();
  EXPECT_EQ(results.held_bytes(), 10u);
  (void)a;
  results.discard(10);
  EXPECT_EQ(results.held_bytes(), 0u);
  EXPECT_EQ(results.in_flight(), 0u);
}

TEST(OrderedResults, ApplyMayClearTheStream) {
  OrderedResults results;
  const auto a = results.send(1);
  const auto b = results.send(1);
  results.receive(b, 1, "b", [](std::string&) { FAIL(); });
  int applied = 0;
  results.receive(a, 1, "a", [&](std::string&) {
    ++applied;
    results.clear_waiting();  // a failure while applying: "b" is dropped, not applied
  });
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(results.held_bytes(), 0u);
}

}  // namespace
}  // namespace ks3::server

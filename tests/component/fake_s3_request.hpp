// Parsing and checking one request as the fake S3 receives it (tests only; pure): the target
// split into path and decoded query, the bucket and key, and the checks the in-memory store
// does not make: a SigV4-canonical path, x-amz-content-sha256, the signature itself.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/credentials.hpp"
#include "tests/component/fake_s3_store.hpp"

namespace ks3::test {

struct ParsedTarget {
  std::string raw_path;                                    // as received, still encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
};

ParsedTarget split_target(std::string_view target);

// "20130524T000000Z" (x-amz-date) -> time point; false if malformed.
bool parse_amz_date(const std::string& text, std::chrono::system_clock::time_point& out);

// The request for the store: lowercase header names, decoded query, bucket and decoded key
// from a path-style path ("/bucket/key").
FakeRequest make_fake_request(std::string method,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const ParsedTarget& target, std::string body);

// An S3 error answer when the request breaks a rule, else nothing. The signature is checked
// only when credentials are given (recomputed from the request as received).
std::optional<FakeResponse> verify_request(const FakeRequest& request, const ParsedTarget& target,
                                           const std::optional<s3::Credentials>& credentials,
                                           const std::string& region, std::string_view id);

}  // namespace ks3::test

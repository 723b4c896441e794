// The S3 check the sink makes once before it consumes anything: HeadBucket on the configured
// bucket. Wrong credentials, a missing bucket or an unreachable endpoint stop the sink at once
// with one line that says which (exit status 3) instead of a consumer that retries forever.
// Pure: the verdict on HeadBucket's answer; sink_app.cpp makes the request.
#pragma once

#include <optional>
#include <string>

#include "s3/s3_error.hpp"

namespace ks3::server {

// Exit status of a sink that could not use its bucket at start-up.
inline constexpr int kExitS3Unusable = 3;

// One line for the log: what is wrong and what to change. HeadBucket answers have no body, so
// the HTTP status says what happened (404: no such bucket, 403: the credentials or the policy).
std::string describe_startup_failure(const s3::S3Error& error, const std::string& endpoint);

}  // namespace ks3::server

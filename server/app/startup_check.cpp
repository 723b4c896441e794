#include "server/app/startup_check.hpp"

namespace ks3::server {

std::string describe_startup_failure(const s3::S3Error& error, const std::string& endpoint) {
  const std::string bucket = "'" + error.bucket + "'";
  const std::string where = endpoint.empty() ? std::string("AWS S3") : endpoint;
  switch (error.http_status) {
    case 404:
      return "S3 bucket " + bucket + " does not exist at " + where +
             ": create it, or fix s3.bucket (and s3.endpoint)";
    case 403:
      return "S3 refused access to bucket " + bucket + " at " + where +
             " (HTTP 403): check the credentials (access key id and secret, or their source) "
             "and that the policy allows s3:ListBucket on the bucket (or set "
             "s3.startup_check: false if it may only write objects)";
    case 301:
    case 400:
      return "S3 bucket " + bucket + " at " + where + " answered HTTP " +
             std::to_string(error.http_status) +
             ": the bucket is probably in another region: set s3.region to it";
    default:
      break;
  }
  return "S3 bucket " + bucket + " at " + where + " is not usable: " + error.describe();
}

}  // namespace ks3::server

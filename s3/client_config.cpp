#include "s3/client_config.hpp"

#include <stdexcept>

namespace ks3::s3 {
namespace {

[[noreturn]] void bad_setting(std::string_view name, std::string_view why) {
  throw std::invalid_argument("S3 setting '" + std::string(name) + "' " + std::string(why));
}

void require_positive(std::string_view name, std::chrono::milliseconds value) {
  if (value.count() <= 0) bad_setting(name, "must be a positive duration");
}

}  // namespace

bool parse_payload_signing(std::string_view text, PayloadSigning& out) {
  if (text == "auto") {
    out = PayloadSigning::automatic;
  } else if (text == "signed") {
    out = PayloadSigning::signed_payload;
  } else if (text == "unsigned") {
    out = PayloadSigning::unsigned_payload;
  } else {
    return false;
  }
  return true;
}

std::string_view to_string(PayloadSigning signing) {
  switch (signing) {
    case PayloadSigning::automatic:
      return "auto";
    case PayloadSigning::signed_payload:
      return "signed";
    case PayloadSigning::unsigned_payload:
      return "unsigned";
  }
  return "auto";
}

bool parse_upload_checksum(std::string_view text, UploadChecksum& out) {
  if (text == "crc32c") {
    out = UploadChecksum::crc32c;
  } else if (text == "md5") {
    out = UploadChecksum::md5;
  } else {
    return false;
  }
  return true;
}

std::string_view to_string(UploadChecksum checksum) {
  switch (checksum) {
    case UploadChecksum::crc32c:
      return "crc32c";
    case UploadChecksum::md5:
      return "md5";
  }
  return "crc32c";
}

Endpoint resolve_endpoint(const ClientConfig& config) {
  if (config.endpoint.empty()) {
    if (config.region.empty()) bad_setting("region", "is empty: set a region or an endpoint");
    return aws_endpoint(config.region);
  }
  try {
    return parse_endpoint(config.endpoint);
  } catch (const std::invalid_argument& e) {
    bad_setting("endpoint", std::string("is wrong: ") + e.what());
  }
}

bool signs_payload(PayloadSigning signing, const Endpoint& endpoint) {
  switch (signing) {
    case PayloadSigning::signed_payload:
      return true;
    case PayloadSigning::unsigned_payload:
      return false;
    case PayloadSigning::automatic:
      break;
  }
  return !endpoint.https;
}

void validate(const ClientConfig& config) {
  resolve_endpoint(config);
  if (config.region.empty()) {
    bad_setting("region", "is empty (MinIO and most local servers use us-east-1)");
  }
  require_positive("connect_timeout", config.timeouts.connect);
  require_positive("write_timeout", config.timeouts.write);
  require_positive("read_timeout", config.timeouts.read);
  require_positive("idle_timeout", config.idle_timeout);
  if (config.max_connections < 1) bad_setting("max_connections", "must be at least 1");
  if (config.retry.max_attempts < 1) {
    bad_setting("retry.max_attempts", "must be at least 1 (1 means no retries)");
  }
  require_positive("retry.base_delay", config.retry.base_delay);
  require_positive("retry.deadline", config.retry.deadline);
  if (config.retry.max_delay < config.retry.base_delay) {
    bad_setting("retry.max_delay", "must not be smaller than retry.base_delay");
  }
}

}  // namespace ks3::s3

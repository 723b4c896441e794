#include "s3/object_settings.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "s3/ascii.hpp"
#include "s3/uri_encode.hpp"

namespace ks3::s3 {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The number of characters of UTF-8 text; nullopt when it is not UTF-8 (lead and continuation
// bytes only: overlong forms are not looked for).
std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return std::nullopt;
    }
    if (extra >= text.size() - i) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return std::nullopt;
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

// S3 tag restrictions: "letters, numbers, and spaces representable in UTF-8, and the following
// characters: + - = . _ : / @". Non-ASCII characters are accepted as they are (letters of other
// scripts); ASCII ones must be in that set.
bool is_tag_text(std::string_view text) {
  static constexpr std::string_view kAllowed = " +-=._:/@";
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x80 || is_ascii_alnum(c) ||
           kAllowed.find(c) != std::string_view::npos;
  });
}

// An HTTP field name character (RFC 9110 "tchar").
bool is_token_char(char c) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return is_ascii_alnum(c) || kSymbols.find(c) != std::string_view::npos;
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

void check_tags(const KeyValues& tags, std::vector<ObjectSettingsIssue>& issues) {
  auto issue = [&issues](std::string message) { issues.push_back({"tags", std::move(message)}); };
  if (tags.size() > kMaxTags) {
    issue(std::to_string(tags.size()) + " tags: S3 allows at most " + std::to_string(kMaxTags) +
          " per object");
  }
  std::set<std::string_view> seen;
  for (const auto& [key, value] : tags) {
    const std::string shown = "tag '" + key + "'";
    const auto key_chars = utf8_length(key);
    const auto value_chars = utf8_length(value);
    if (!key_chars || !value_chars) {
      issue(shown + " is not valid UTF-8");
      continue;
    }
    if (*key_chars == 0 || *key_chars > kMaxTagKeyChars) {
      issue(shown + ": a tag key has 1 to 128 characters");
    }
    if (*value_chars > kMaxTagValueChars) issue(shown + ": a tag value has at most 256 characters");
    if (!is_tag_text(key) || !is_tag_text(value)) {
      issue(shown + ": tags may hold letters, digits, spaces and + - = . _ : / @ only");
    }
    if (ascii_lowercase(key).starts_with("aws:"))
      issue(shown + ": the prefix aws: is reserved for AWS");
    if (!seen.insert(key).second) issue(shown + " is given twice");
  }
}

void check_metadata(const KeyValues& metadata, std::vector<ObjectSettingsIssue>& issues) {
  auto issue = [&issues](std::string message) {
    issues.push_back({"metadata", std::move(message)});
  };
  std::set<std::string> seen;
  std::size_t total = 0;
  for (const auto& [name, value] : metadata) {
    total += name.size() + value.size();
    const std::string shown = "metadata '" + name + "'";
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      issue(shown +
            ": a name is an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), sent as "
            "x-amz-meta-<name>");
    }
    if (!seen.insert(ascii_lowercase(name)).second) {
      issue(shown + " is given twice (S3 stores names in lowercase)");
    }
    if (!is_printable_ascii(value)) {
      issue(shown + ": values must be printable US-ASCII (S3's REST API)");
    } else if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) {
      issue(shown + ": a value must not start or end with a space (HTTP drops it)");
    }
  }
  if (total > kMaxMetadataBytes) {
    issue("names and values add up to " + std::to_string(total) +
          " bytes: S3 allows 2 KB of user metadata per object");
  }
}

}  // namespace

std::string_view to_string(ServerSideEncryption sse) {
  switch (sse) {
    case ServerSideEncryption::none:
      return "none";
    case ServerSideEncryption::aes256:
      return "AES256";
    case ServerSideEncryption::aws_kms:
      return "aws:kms";
    case ServerSideEncryption::aws_kms_dsse:
      return "aws:kms:dsse";
  }
  return "?";
}

bool parse_server_side_encryption(std::string_view text, ServerSideEncryption& out) {
  for (ServerSideEncryption sse :
       {ServerSideEncryption::none, ServerSideEncryption::aes256, ServerSideEncryption::aws_kms,
        ServerSideEncryption::aws_kms_dsse}) {
    if (to_string(sse) == text) {
      out = sse;
      return true;
    }
  }
  return false;
}

std::vector<ObjectSettingsIssue> validate(const ObjectSettings& settings) {
  std::vector<ObjectSettingsIssue> issues;
  const bool kms = settings.sse == ServerSideEncryption::aws_kms ||
                   settings.sse == ServerSideEncryption::aws_kms_dsse;
  if (!settings.sse_kms_key_id.empty()) {
    if (!kms) {
      issues.push_back({"sse_kms_key_id",
                        "a KMS key is used only with server-side encryption aws:kms or "
                        "aws:kms:dsse: set the encryption (sse) to one of them"});
    }
    if (!is_printable_ascii(settings.sse_kms_key_id) ||
        settings.sse_kms_key_id.find(' ') != std::string::npos ||
        settings.sse_kms_key_id.size() > 2048) {
      issues.push_back({"sse_kms_key_id",
                        "write a KMS key id, alias or ARN, e.g. "
                        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-..."});
    }
  }
  if (!settings.storage_class.empty() &&
      std::find(std::begin(kStorageClasses), std::end(kStorageClasses), settings.storage_class) ==
          std::end(kStorageClasses)) {
    std::string allowed;
    for (std::string_view name : kStorageClasses) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    issues.push_back({"storage_class", "'" + settings.storage_class + "' is not one of: " +
                                           allowed + " (or empty for the bucket's default)"});
  }
  check_tags(settings.tags, issues);
  check_metadata(settings.metadata, issues);
  return issues;
}

std::string tagging_header_value(const KeyValues& tags) {
  std::string out;
  for (const auto& [key, value] : tags) {
    if (!out.empty()) out += '&';
    out += uri_encode(key, false) + "=" + uri_encode(value, false);
  }
  return out;
}

HttpHeaders object_headers(const ObjectSettings& settings) {
  HttpHeaders headers;
  if (settings.sse != ServerSideEncryption::none) {
    headers.emplace_back("x-amz-server-side-encryption", std::string(to_string(settings.sse)));
    if (!settings.sse_kms_key_id.empty()) {
      headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", settings.sse_kms_key_id);
    }
  }
  if (!settings.storage_class.empty()) {
    headers.emplace_back("x-amz-storage-class", settings.storage_class);
  }
  if (!settings.tags.empty())
    headers.emplace_back("x-amz-tagging", tagging_header_value(settings.tags));
  for (const auto& [name, value] : settings.metadata) {
    headers.emplace_back("x-amz-meta-" + ascii_lowercase(name), value);
  }
  return headers;
}

ObjectSettings encryption_only(const ObjectSettings& settings) {
  ObjectSettings out;
  out.sse = settings.sse;
  out.sse_kms_key_id = settings.sse_kms_key_id;
  return out;
}

}  // namespace ks3::s3

#include "s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "s3/ascii.hpp"

namespace ks3::s3::sigv4 {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// "Trimall": leading/trailing whitespace removed, sequential whitespace collapsed to one space;
// appended to `out`.
void append_trimmed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool wrote = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = wrote;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    wrote = true;
    out.push_back(c);
  }
}

std::tm utc(Clock::time_point t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::string format_time(Clock::time_point t, const char* format) {
  const std::tm tm = utc(t);
  std::array<char, 32> buffer{};
  const std::size_t n = std::strftime(buffer.data(), buffer.size(), format, &tm);
  return std::string(buffer.data(), n);
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest failed");  // only on a broken OpenSSL
  }
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

// The headers' canonical forms, built once per signature (a request is signed for every object,
// and the sorted map this replaced was built three times per request: a fifth of the event
// loop's allocations with many small objects): the CanonicalHeaders block, one line per name
// (lowercase name ':' trimmed values joined with ',', sorted by name), and the SignedHeaders
// list (the names joined with ';').
struct CanonicalHeaders {
  std::string block;
  std::string names;
};

CanonicalHeaders canonicalize(const Headers& headers) {
  struct Entry {
    std::string name;  // lowercase
    std::string_view value;
  };
  std::vector<Entry> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) entries.push_back({ascii_lowercase(name), value});
  // Stable: the values of a repeated name keep their request order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].name == entries[i - 1].name) {
      out.block.push_back(',');
    } else {
      if (i > 0) {
        out.block.push_back('\n');
        out.names.push_back(';');
      }
      out.block.append(entries[i].name).push_back(':');
      out.names.append(entries[i].name);
    }
    append_trimmed(out.block, entries[i].value);
  }
  if (!entries.empty()) out.block.push_back('\n');
  return out;
}

std::string canonical_request_with(const SigningRequest& request, const CanonicalHeaders& headers) {
  std::string out;
  out.append(request.method).push_back('\n');
  out.append(request.canonical_uri.empty() ? "/" : request.canonical_uri).push_back('\n');
  out.append(canonical_query(request.query)).push_back('\n');
  out.append(headers.block).push_back('\n');
  out.append(headers.names).push_back('\n');
  out.append(request.payload_hash);
  return out;
}

// The hex signature of a canonical request.
std::string signature_of(std::string_view canonical_request_text, const Credentials& credentials,
                         std::string_view region, std::string_view service, Clock::time_point now,
                         SigningKeyCache* cache) {
  const std::string date = date_stamp(now);
  const std::string to_sign = string_to_sign(amz_date(now), credential_scope(date, region, service),
                                             canonical_request_text);
  const std::string key =
      cache ? cache->get(credentials.secret_access_key, date, region, service)
            : derive_signing_key(credentials.secret_access_key, date, region, service);
  return hex_lower(hmac_sha256(key, to_sign));
}

Headers pick_signed_headers(const Headers& headers) {
  Headers picked;
  for (const auto& header : headers) {
    if (is_signed_header(header.first)) picked.push_back(header);
  }
  return picked;
}

}  // namespace

std::string amz_date(Clock::time_point t) {
  return format_time(t, "%Y%m%dT%H%M%SZ");
}
std::string date_stamp(Clock::time_point t) {
  return format_time(t, "%Y%m%d");
}

std::string hex_lower(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  return hex_lower(digest(EVP_sha256(), data));
}

std::string md5_base64(std::string_view data) {
  const std::string raw = digest(EVP_md5(), data);
  std::array<unsigned char, 32> out{};  // base64 of 16 bytes = 24 chars + NUL
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &size) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC failed");  // only on a broken OpenSSL
  }
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

bool is_signed_header(std::string_view name) {
  return equals_ascii_lowercase(name, "host") || equals_ascii_lowercase(name, "content-md5") ||
         equals_ascii_lowercase(name, "content-type") || equals_ascii_lowercase(name, "range") ||
         starts_with_ascii_lowercase(name, "x-amz-");
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string scope;
  scope.append(date).append("/").append(region).append("/").append(service);
  scope.append("/aws4_request");
  return scope;
}

std::string signed_header_names(const Headers& headers) {
  return canonicalize(headers).names;
}

std::string canonical_request(const SigningRequest& request) {
  return canonical_request_with(request, canonicalize(request.headers));
}

std::string string_to_sign(std::string_view amz_date_value, std::string_view scope,
                           std::string_view canonical_request_text) {
  std::string out;
  out.append(kAlgorithm).push_back('\n');
  out.append(amz_date_value).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(sha256_hex(canonical_request_text));
  return out;
}

std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service) {
  const std::string date_key = hmac_sha256(std::string("AWS4").append(secret), date);
  const std::string region_key = hmac_sha256(date_key, region);
  const std::string service_key = hmac_sha256(region_key, service);
  return hmac_sha256(service_key, "aws4_request");
}

std::string SigningKeyCache::get(std::string_view secret, std::string_view date,
                                 std::string_view region, std::string_view service) {
  std::lock_guard lock(mutex_);
  for (const Entry& e : entries_) {
    if (e.secret == secret && e.date == date && e.region == region && e.service == service) {
      return e.key;
    }
  }
  // A handful of entries covers a region or two around midnight; drop the oldest beyond that.
  constexpr std::size_t kMaxEntries = 4;
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  ++derivations_;
  entries_.push_back(Entry{std::string(secret), std::string(date), std::string(region),
                           std::string(service),
                           derive_signing_key(secret, date, region, service)});
  return entries_.back().key;
}

std::uint64_t SigningKeyCache::derivations() const {
  std::lock_guard lock(mutex_);
  return derivations_;
}

std::string signature(const SigningRequest& request, const Credentials& credentials,
                      std::string_view region, std::string_view service, Clock::time_point now,
                      SigningKeyCache* cache) {
  return signature_of(canonical_request(request), credentials, region, service, now, cache);
}

std::string authorization(const SigningRequest& request, const Credentials& credentials,
                          std::string_view region, std::string_view service, Clock::time_point now,
                          SigningKeyCache* cache) {
  const CanonicalHeaders headers = canonicalize(request.headers);
  std::string out(kAlgorithm);
  out.append(" Credential=").append(credentials.access_key_id).push_back('/');
  out.append(credential_scope(date_stamp(now), region, service));
  out.append(",SignedHeaders=").append(headers.names);
  out.append(",Signature=")
      .append(signature_of(canonical_request_with(request, headers), credentials, region, service,
                           now, cache));
  return out;
}

Headers sign_request(const SigningRequest& request, const Credentials& credentials,
                     std::string_view region, std::string_view service, Clock::time_point now,
                     SigningKeyCache* cache) {
  Headers added;
  added.emplace_back("x-amz-date", amz_date(now));
  // "x-amz-content-sha256 [...] is required for all AWS Signature Version 4 requests" (S3).
  added.emplace_back("x-amz-content-sha256", request.payload_hash);
  // Temporary credentials: "add the x-amz-security-token header [...] and sign it".
  if (!credentials.session_token.empty()) {
    added.emplace_back("x-amz-security-token", credentials.session_token);
  }
  SigningRequest to_sign{request.method, request.canonical_uri, request.query,
                         pick_signed_headers(request.headers), request.payload_hash};
  to_sign.headers.insert(to_sign.headers.end(), added.begin(), added.end());
  added.emplace_back("authorization",
                     authorization(to_sign, credentials, region, service, now, cache));
  return added;
}

std::string presign_query(const PresignRequest& request, const Credentials& credentials,
                          std::string_view region, std::string_view service,
                          Clock::time_point now) {
  const auto expires = std::clamp(request.expires, std::chrono::seconds{1}, kMaxPresignExpiry);
  SigningRequest to_sign{request.method,
                         request.canonical_uri,
                         request.query,
                         {{"host", request.host}},
                         std::string(kUnsignedPayload)};
  // The authentication parameters are part of the signed canonical query string.
  to_sign.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  to_sign.query.emplace_back(
      "X-Amz-Credential",
      credentials.access_key_id + "/" + credential_scope(date_stamp(now), region, service));
  to_sign.query.emplace_back("X-Amz-Date", amz_date(now));
  to_sign.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  to_sign.query.emplace_back("X-Amz-SignedHeaders", "host");
  if (!credentials.session_token.empty()) {
    to_sign.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string sig = signature(to_sign, credentials, region, service, now);
  return canonical_query(to_sign.query) + "&X-Amz-Signature=" + sig;
}

}  // namespace ks3::s3::sigv4

// Signs the requests that botocore_sign.py wrote (JSON lines on stdin or in a file) with our
// SigV4 implementation and compares: the encoded path, the canonical request, and the
// Authorization header (header auth) or the signature (presigned URLs). Prints the first
// differing canonical request pair and exits 1 on any mismatch.
//
// usage: sigv4_check [cases.jsonl]
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>

#include "s3/sigv4.hpp"
#include "s3/uri_encode.hpp"

namespace json = boost::json;
using namespace ks3::s3;

namespace {

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

std::string base64_decode(const std::string& in) {
  if (in.empty()) return "";
  std::string out(in.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  std::size_t padding = 0;
  if (in.size() >= 1 && in[in.size() - 1] == '=') ++padding;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

sigv4::Clock::time_point parse_amz_date(const std::string& t) {
  std::tm tm{};
  tm.tm_year = std::stoi(t.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(t.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(t.substr(6, 2));
  tm.tm_hour = std::stoi(t.substr(9, 2));
  tm.tm_min = std::stoi(t.substr(11, 2));
  tm.tm_sec = std::stoi(t.substr(13, 2));
  return sigv4::Clock::from_time_t(timegm(&tm));
}

QueryParams query_of(const json::value& v) {
  QueryParams out;
  for (const auto& pair : v.as_array()) {
    out.emplace_back(str(pair.as_array()[0]), str(pair.as_array()[1]));
  }
  return out;
}

// botocore separates the Authorization parts with ", ", we with ",": both are valid.
std::string normalize_authorization(std::string value) {
  for (std::size_t at; (at = value.find(", ")) != std::string::npos;) value.erase(at + 1, 1);
  return value;
}

struct Verdict {
  bool ok = true;
  std::string what, ours, theirs, our_canonical;
};

Verdict check_header_case(const json::object& c, const Credentials& creds,
                          sigv4::Clock::time_point now) {
  const std::string body = base64_decode(str(c.at("body_b64")));
  sigv4::SigningRequest request;
  const std::string method = str(c.at("method"));
  request.method = method;
  request.canonical_uri = encode_path(str(c.at("raw_path")));
  request.query = query_of(c.at("query"));
  for (const auto& h : c.at("headers").as_array()) {
    request.headers.emplace_back(str(h.as_array()[0]), str(h.as_array()[1]));
  }
  request.payload_hash = c.at("signed_payload").as_bool() ? sigv4::sha256_hex(body)
                                                          : std::string(sigv4::kUnsignedPayload);
  const std::string region = str(c.at("region"));
  const sigv4::Headers added = sigv4::sign_request(request, creds, region, "s3", now);
  // The canonical request over exactly what sign_request signed.
  sigv4::SigningRequest signed_request = request;
  signed_request.headers.clear();
  for (const auto& h : request.headers) {
    if (sigv4::is_signed_header(h.first)) signed_request.headers.push_back(h);
  }
  for (const auto& h : added) {
    if (h.first != "authorization") signed_request.headers.push_back(h);
  }
  Verdict v;
  v.our_canonical = sigv4::canonical_request(signed_request);
  if (request.canonical_uri != str(c.at("url_path"))) {
    return {false, "encoded path", request.canonical_uri, str(c.at("url_path")), v.our_canonical};
  }
  const std::string ours = added.back().second;
  const std::string theirs = normalize_authorization(str(c.at("expected_authorization")));
  if (ours != theirs) return {false, "Authorization", ours, theirs, v.our_canonical};
  return v;
}

Verdict check_presign_case(const json::object& c, const Credentials& creds,
                           sigv4::Clock::time_point now) {
  sigv4::PresignRequest request;
  const std::string method = str(c.at("method"));
  request.method = method;
  request.canonical_uri = encode_path(str(c.at("raw_path")));
  request.query = query_of(c.at("query"));
  request.host = str(c.at("host"));
  request.expires = std::chrono::seconds(c.at("expires").as_int64());
  const std::string query = sigv4::presign_query(request, creds, str(c.at("region")), "s3", now);
  const auto at = query.rfind("X-Amz-Signature=");
  const std::string ours = at == std::string::npos ? "" : query.substr(at + 16);
  const std::string theirs = str(c.at("expected_signature"));
  if (ours != theirs)
    return {false, "presigned signature (query: " + query + ")", ours, theirs, ""};
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::ifstream file;
  if (argc > 1) {
    file.open(argv[1]);
    if (!file) {
      std::cerr << "sigv4_check: cannot open " << argv[1] << "\n";
      return 2;
    }
  }
  std::istream& in = argc > 1 ? static_cast<std::istream&>(file) : std::cin;
  int passed = 0, failed = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const json::object c = json::parse(line).as_object();
    const Credentials creds{str(c.at("access_key_id")), str(c.at("secret_access_key")),
                            str(c.at("session_token")), std::nullopt};
    const auto now = parse_amz_date(str(c.at("timestamp")));
    const bool presign = c.at("kind").as_string() == "presign";
    const Verdict v =
        presign ? check_presign_case(c, creds, now) : check_header_case(c, creds, now);
    if (v.ok) {
      ++passed;
      continue;
    }
    if (++failed == 1) {
      std::cerr << "MISMATCH in case " << c.at("index").as_int64() << " (" << v.what << ")\n"
                << "  ours:     " << v.ours << "\n  botocore: " << v.theirs << "\n"
                << "--- our canonical request:\n"
                << v.our_canonical << "\n"
                << "--- botocore's canonical request:\n"
                << str(c.at("expected_canonical_request")) << "\n---\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

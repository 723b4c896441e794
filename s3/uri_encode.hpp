// URI encoding as SigV4 defines it for S3 (no I/O).
//
// "URI encode every byte. UriEncode() must enforce the following rules: URI encode every byte
//  except the unreserved characters: 'A'-'Z', 'a'-'z', '0'-'9', '-', '.', '_', and '~'. [...]
//  Letters in the hexadecimal value must be uppercase, for example "%1A". Encode the forward
//  slash character, '/', everywhere except in the object key name."
//  (AWS S3 API reference, "Signature Calculations for the Authorization Header").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks3::s3 {

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ as %XX with uppercase hex; '/' stays
// as is when keep_slash is true (object key paths), else becomes %2F (query names and values).
std::string uri_encode(std::string_view raw, bool keep_slash);

// The canonical URI of an S3 path (raw, not yet encoded, e.g. "/bucket/my key+1.json"): encoded
// once ("Each path segment must be URI-encoded twice [...] except for Amazon S3 which only gets
// URI-encoded once"), '/' kept, "" becomes "/". Also the path to send on the request line.
std::string encode_path(std::string_view raw_path);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The canonical query string from raw (decoded) parameters: each name and value URI-encoded
// ('/' too), sorted by encoded name then value, joined as n=v with '&'. A parameter without a
// value ("?uploads") gives "uploads=". The same string is a valid request query.
std::string canonical_query(const QueryParams& raw_params);

// Decodes %XX escapes (used by tests and the fake servers); '+' is left as '+'. Returns false
// on a malformed escape.
bool uri_decode(std::string_view encoded, std::string& out);

}  // namespace ks3::s3

// Replay, pure half 2: one JSONL envelope line (server/format/record_encoder.hpp) back into a
// Kafka record (no I/O).
//
// What comes back exactly (byte for byte) and what cannot:
//   - key/value `base64`: exact, any bytes.
//   - key/value `string`: exact for valid UTF-8 (the encoder replaced invalid UTF-8 by U+FFFD).
//   - key/value `json`: the encoder embeds the bytes verbatim, so the decoder takes the member's
//     raw text: exact, unless the original spanned lines (CR or LF: it was minified, so the JSON
//     is equal but whitespace is not). The JSON text `null` cannot be told from a null: it comes
//     back as a null key / tombstone.
//   - null key, tombstone (null value), empty key/value: exact.
//   - headers: names and order exact; values as `key`/`value` strings (exact for valid UTF-8) or,
//     with value_encoding base64, base64 (exact); a null header value stays null.
//   - timestamp: the milliseconds exactly (null: none). The timestamp type (CreateTime or
//     LogAppendTime) is not in the envelope.
//   - topic, partition, offset: read for ordering and routing (a new topic assigns new offsets).
// A field the envelope does not carry (format.fields without key, headers or timestamp) comes
// back absent: no key, no headers, no timestamp (the producer's time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/format/record_encoder.hpp"

namespace ks3::server::replay {

// How the sink wrote keys and values (its format.key_encoding and format.value_encoding).
struct DecodeOptions {
  BytesEncoding key_encoding = BytesEncoding::string;
  BytesEncoding value_encoding = BytesEncoding::json;
};

struct ReplayHeader {
  std::string name;
  std::optional<std::string> value;  // nullopt: a null header value
  bool operator==(const ReplayHeader&) const = default;
};

struct ReplayRecord {
  std::optional<std::string> topic;
  std::optional<std::int32_t> partition;
  std::optional<std::int64_t> offset;
  std::int64_t timestamp_ms = -1;    // -1: none (or not in the envelope)
  std::optional<std::string> key;    // nullopt: null key (or no key field)
  std::optional<std::string> value;  // nullopt: tombstone
  std::vector<ReplayHeader> headers;
  bool has_key = false;  // the envelope carries the field
  bool has_value = false;
  bool has_headers = false;
  bool has_timestamp = false;
};

// Decodes one line (without its '\n'). Returns an error text (what is wrong, not where: the
// caller adds the object and line) when the line is not an envelope of these encodings.
std::optional<std::string> decode_envelope(std::string_view line, const DecodeOptions& options,
                                           ReplayRecord& out);

// Standard base64 (RFC 4648 section 4, '=' padding required as the encoder writes it);
// nullopt for anything else.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace ks3::server::replay

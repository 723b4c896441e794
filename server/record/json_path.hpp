// JSON field extraction with simdjson's On-Demand API (no DOM per record), and validation.
//
// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input, so every document is
// first copied into a reusable padded buffer owned by the JsonReader (Kafka's payload buffers
// carry no such guarantee). A JsonReader is not thread-safe; keep one per thread/pipeline.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::server {

// A parsed dotted path ("value.a.b.0.c" without the leading "value."), kept as a JSON pointer.
class JsonPath {
 public:
  // "a.b.c" -> "/a/b/c" ('~' and '/' inside a segment are escaped per RFC 6901). Empty segments
  // ("a..b", ".a") are rejected: returns nullopt.
  static std::optional<JsonPath> parse(std::string_view dotted);
  const std::string& pointer() const { return pointer_; }
  const std::string& dotted() const { return dotted_; }

 private:
  std::string dotted_;
  std::string pointer_;
};

class JsonReader {
 public:
  // Loads a document for the extract() calls that follow (copied into the padded buffer).
  // Returns false when the document does not even start like JSON (extract then yields nullopt).
  bool load(std::string_view json);

  // Text of the field at `path` of the loaded document: a string gives its unescaped text, a
  // number its literal text, a boolean "true"/"false". Missing, null, object, array, or a document
  // that is not JSON: nullopt (the caller substitutes its default).
  std::optional<std::string> extract(const JsonPath& path);

  // True when the loaded document has a value (of any type, null included) at `path`.
  bool exists(const JsonPath& path);

  // Full validation (structure, strings, numbers, UTF-8, nothing after the value). Numbers are
  // checked against JSON's grammar, not by range: 2^70 and 1e400 are valid.
  bool is_valid(std::string_view json);
  // The same verdict by On-Demand alone (every value read, numbers checked by their grammar):
  // is_valid's slow path, and the reference its fast path is tested against.
  bool is_valid_by_walk(std::string_view json);

  // Valid JSON re-emitted without insignificant whitespace (for JSON lines: a pretty-printed
  // value must not break the one-record-per-line framing). Returns false if `json` is invalid.
  bool minify(std::string_view json, std::string& out);

 private:
  simdjson::padded_string_view pad(std::string_view json);
  // The value at `path` of the loaded document; false when there is none or the read failed.
  bool at(const JsonPath& path, simdjson::ondemand::value& value);

  simdjson::ondemand::parser parser_;
  // Validation's fast path: simdjson's DOM parser runs its stage 2 in the kernel chosen for this
  // CPU at run time (On-Demand's walk runs in the one chosen at compile time, the generic one for
  // a baseline x86-64 build): 1.7-1.8x faster on 160-byte and 1 KiB documents. It keeps about
  // 14 bytes of buffers per byte of the largest document it has read, so it reads documents up
  // to kDomMaxBytes (under 1 MiB kept); larger ones, where the per-document costs matter less,
  // go to the walk.
  static constexpr std::size_t kDomMaxBytes = 64 * 1024;
  simdjson::dom::parser dom_{kDomMaxBytes};
  simdjson::ondemand::document doc_;
  bool loaded_ = false;
  bool reiterate_ = false;  // the last read failed: iterate the document anew before the next
  std::string buffer_;
};

}  // namespace ks3::server

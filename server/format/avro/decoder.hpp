// Decodes Avro's binary encoding (specification "Binary Encoding") against the writer schema,
// optionally resolved to a reader schema (specification "Schema Resolution"), into a Value.
//
// Binary encoding: zigzag varint int/long (an int out of 32-bit range is an error), IEEE-754
// little-endian float/double, length-prefixed bytes/string, fixed, records field by field,
// enums by index, arrays and maps in blocks (a negative block count is followed by the block's
// byte size), unions by branch index.
//
// Schema resolution implemented (when a reader schema is given):
//   - records matched by full name, unqualified name or reader alias; fields by name or reader
//     field alias; a writer field the reader lacks is skipped (using block sizes where present);
//     a reader field the writer lacks takes its default (no default: the reader is incompatible,
//     reported by Decoder::create);
//   - promotions int -> long, float, double; long -> float, double; float -> double;
//     string <-> bytes;
//   - enums by symbol; a writer symbol the reader lacks takes the reader enum's default, else that
//     datum fails;
//   - fixed by name and size; arrays and maps by their items/values;
//   - writer union: each branch resolved on its own, a branch without a match fails only the
//     datums that use it; reader union with a non-union writer: the first reader branch of the
//     same type (by name for named types), else the first one the writer promotes to.
// Not implemented: field order attributes (irrelevant to decoding), writer aliases (the
// specification gives aliases to the reader only), logical-type conversions across schemas (the
// reader's logical type is what the value reports).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "server/format/avro/error.hpp"
#include "server/format/avro/schema.hpp"
#include "server/format/avro/value.hpp"

namespace ks3::avro {

struct DecodeLimits {
  std::size_t max_depth = 128;               // nesting of records/arrays/maps/unions
  std::size_t max_items = 16 * 1024 * 1024;  // array items plus map entries in one datum
};

struct Plan;

class Decoder {
 public:
  // Without a reader schema the datum decodes as written. The schemas are kept alive by the
  // decoder. Fails (kind incompatible) when the reader cannot read the writer's data.
  static Result<std::shared_ptr<const Decoder>> create(std::shared_ptr<const Schema> writer,
                                                       std::shared_ptr<const Schema> reader = {},
                                                       DecodeLimits limits = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes one datum that must fill `datum` exactly (trailing bytes are an error: they mean
  // the wrong schema). Errors (kind bad_data) name the byte offset and the field path, e.g.
  // "field lines[2].price: truncated: double needs 8 bytes, 3 left at byte 41".
  // Thread-safe: a Decoder is immutable.
  Result<Value> decode(std::string_view datum) const;
  // The same into `out`, reusing its storage; false with `error` set on failure.
  bool decode(std::string_view datum, Value& out, Error& error) const;

  const Schema& writer() const { return *writer_; }
  const std::shared_ptr<const Schema>& writer_schema() const { return writer_; }
  // The schema values follow: the reader schema if given, else the writer schema.
  const Schema& reader() const { return reader_ ? *reader_ : *writer_; }

 private:
  Decoder() = default;
  friend class PlanBuilder;

  std::shared_ptr<const Schema> writer_;
  std::shared_ptr<const Schema> reader_;
  DecodeLimits limits_;
  std::vector<std::unique_ptr<Plan>> plans_;
  const Plan* root_ = nullptr;
};

}  // namespace ks3::avro

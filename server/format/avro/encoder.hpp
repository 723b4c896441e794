// Encodes a decoded Value back into Avro's binary encoding (specification "Binary Encoding"),
// against the schema the value follows: the inverse of Decoder without a reader schema. Used to
// re-encode datums in the reader schema (format.avro.reader_schema) for Avro container output
// and the Parquet path. Pure.
//
// Encoding: zigzag varint int/long, IEEE-754 little-endian float/double, length-prefixed
// bytes/string, fixed as is, records field by field, enums by index, arrays and maps as one block
// (count, items, then 0; an empty one as the single 0), unions by branch index
// (Value::union_branch) then the branch.
//
// The value must fit the schema node by node (the Decoder builds such values): a value whose node
// is not the schema's, an int out of 32-bit range, an enum index or union branch out of range,
// a fixed of the wrong size, or a record with the wrong number of fields fails with kind
// invalid_argument naming the field path ("field lines[2].price: ...").
#pragma once

#include <string>

#include "server/format/avro/error.hpp"
#include "server/format/avro/schema.hpp"
#include "server/format/avro/value.hpp"

namespace ks3::avro {

// Appends the binary encoding of `value` (which follows `schema`) to `out`. On failure `out` may
// hold a partial datum: the caller discards it.
Result<void> append_binary(std::string& out, const Node& schema, const Value& value);

}  // namespace ks3::avro

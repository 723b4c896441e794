// Parquet columns from an Avro schema (format.input avro, format.type parquet, parquet.value
// infer): the writer schema gives the columns, so they are typed without looking at the data.
// Pure.
//
//   boolean -> BOOLEAN; int -> INT32; long -> INT64; float -> FLOAT; double -> DOUBLE;
//   string -> STRING; bytes -> BYTE_ARRAY; fixed -> FIXED_LEN_BYTE_ARRAY; enum -> STRING (symbol)
//   date -> DATE; timestamp-millis/-micros -> TIMESTAMP(MILLIS/MICROS, UTC); local-timestamp-*
//   -> TIMESTAMP (not UTC); decimal (bytes or fixed) -> DECIMAL(precision, scale); uuid ->
//   UUID (FIXED 16); time-millis/-micros and duration -> their underlying INT32/INT64/FIXED(12)
//   record -> a group; array -> LIST; map -> LIST of {key STRING, value} (Parquet's MAP is not
//   written); a union of null and one type -> that type, OPTIONAL; any other union, a type
//   that refers to a record it is inside of (recursion) and null alone -> a JSON text column
//   holding the value's JSON mapping (avro/json_mapping.hpp).
// Fields are REQUIRED unless their type is a union with null; the top column is OPTIONAL
// (tombstones).
#pragma once

#include <string>
#include <vector>

#include "server/format/avro/schema.hpp"
#include "server/format/avro/value.hpp"
#include "server/format/parquet/schema.hpp"
#include "server/format/parquet/value.hpp"

namespace ks3::server {

// The column named `name` for values of `type` (OPTIONAL).
parquet::Node avro_to_parquet_node(std::string name, const avro::Node& type);

// `value` (decoded with a schema whose root is `type`) as a Value of that column. Strings are
// borrowed from `value`.
void avro_to_parquet_value(const avro::Node& type, const avro::Value& value, parquet::Value& out);

}  // namespace ks3::server

// A decoded Avro datum: a small tree that follows the (reader) schema. The JSON mapping and a
// columnar writer walk it by looking at `node`.
//
// Unions are transparent: a value read through a union holds the chosen branch's node (a null
// branch gives a value whose node is the null type) and `union_branch` says which branch of the
// reader's union it was; -1 when the value did not come through a union.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/format/avro/error.hpp"
#include "server/format/avro/schema.hpp"

namespace ks3::avro {

struct Value {
  const Node* node = nullptr;  // never a union node (see above)
  int union_branch = -1;
  bool boolean = false;           // boolean
  std::int64_t integer = 0;       // int, long, enum (the symbol's index); date, time-*, timestamp-*
  double real = 0;                // float, double
  std::string bytes;              // string, bytes, fixed (raw bytes; strings as written)
  std::vector<Value> children;    // record fields (schema order), array items, map values
  std::vector<std::string> keys;  // map keys, parallel to children

  Type type() const { return node->type; }
  bool is_null() const { return node->type == Type::null_type; }
  // Record field by name, or null.
  const Value* field(std::string_view name) const;
  // The enum symbol.
  std::string_view symbol() const;
};

// The value a JSON default (a record field's "default") stands for, per the specification's
// table (bytes and fixed: a string whose code points 0-255 are the bytes; a union: the first
// branch, or, leniently, the first branch the JSON fits).
Result<Value> value_from_default(const Node& node, const boost::json::value& json);

}  // namespace ks3::avro

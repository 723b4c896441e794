// Parquet columns inferred from JSON values (format.type parquet, parquet.value infer). Pure.
//
// The rules (README "Formats"; every column is OPTIONAL, a JSON null or a missing field is a
// Parquet null):
//   - true/false -> BOOLEAN; integers -> INT64; other numbers (and integers past INT64) ->
//     DOUBLE; strings -> STRING;
//   - an object -> a group with one field per key, in the order the keys were first seen;
//   - an array -> a LIST of its items' merged type;
//   - widening: a column that saw integers and other numbers is DOUBLE;
//   - conflicts (a string and a number, an object and an array, ...) make the column a JSON
//     text column (logical type JSON) holding each value's JSON text, so nothing is lost;
//   - a column that only ever saw null is a STRING column of nulls; an object that never had a
//     key, or one with an empty key or more than kMaxObjectFields keys (a map, not a record),
//     is a JSON column.
// The schema of an object is the merge over all its records (the result does not depend on
// the order of merging except for the order of fields).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "server/format/parquet/schema.hpp"
#include "server/format/parquet/value.hpp"

namespace ks3::server {

inline constexpr std::size_t kMaxObjectFields = 1000;

class InferredType {
 public:
  enum class Kind { null_only, boolean, integer, real, string, object, array, json };

  Kind kind() const { return kind_; }
  const std::vector<std::pair<std::string, InferredType>>& fields() const { return fields_; }
  // The items' type (array only).
  const InferredType& element() const { return items_.front(); }

  // Widens this type so that `value` fits it.
  void merge(const boost::json::value& value);

  // The OPTIONAL Parquet node named `name` for this type.
  parquet::Node to_node(std::string name) const;

  // `value` (which was merged into this type) as a Value of to_node()'s column. Strings are
  // borrowed from `value`; JSON text columns own their text.
  void to_value(const boost::json::value& value, parquet::Value& out) const;

 private:
  void become_json();
  // The effective kind for columns: an object without usable fields is JSON.
  Kind column_kind() const;

  Kind kind_ = Kind::null_only;
  std::vector<std::pair<std::string, InferredType>> fields_;  // object
  std::vector<InferredType> items_;                           // array: exactly one
};

}  // namespace ks3::server

// An Avro schema (https://avro.apache.org/docs/1.11.1/specification/) parsed from its JSON text
// into a tree of nodes: primitives, record, enum, array, map, union, fixed; named types with
// namespaces and references (recursive types included); logical types.
//
// Logical types recognised: decimal (bytes or fixed, precision/scale), uuid (string), date
// (int), time-millis (int), time-micros (long), timestamp-millis/-micros and
// local-timestamp-millis/-micros (long), duration (fixed 12). As the specification requires, an
// unknown logical type, or one that is invalid (a decimal whose scale exceeds its precision, a
// date on a long, ...), is ignored: the node reads as its underlying type.
//
// Not kept: "doc", "order" and other attributes (custom properties) have no effect here.
// Field defaults are checked only when a reader schema needs them (see decoder.hpp).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/format/avro/error.hpp"

namespace ks3::avro {

enum class Type {
  null_type,
  boolean,
  int_type,
  long_type,
  float_type,
  double_type,
  bytes,
  string,
  record,
  enumeration,
  array,
  map,
  union_type,
  fixed,
};

// "null", "boolean", "int", ..., "record", "enum", "array", "map", "union", "fixed".
std::string_view to_string(Type type);

enum class Logical {
  none,
  decimal,
  uuid,
  date,
  time_millis,
  time_micros,
  timestamp_millis,
  timestamp_micros,
  local_timestamp_millis,
  local_timestamp_micros,
  duration,
};

// The specification's name ("timestamp-millis"); "" for none.
std::string_view to_string(Logical logical);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<boost::json::value> default_value;  // the JSON default, as written
  std::vector<std::string> aliases;
};

struct Node {
  Type type = Type::null_type;
  Logical logical = Logical::none;
  // Named types (record, enum, fixed): the full name ("ns.Name") and aliases (full names).
  std::string name;
  std::vector<std::string> aliases;
  std::vector<Field> fields;                // record
  std::vector<std::string> symbols;         // enum
  std::optional<std::size_t> enum_default;  // enum: index of the "default" symbol
  const Node* items = nullptr;              // array items, map values
  std::vector<const Node*> branches;        // union
  std::size_t fixed_size = 0;               // fixed
  int precision = 0;                        // decimal
  int scale = 0;                            // decimal

  bool is_named() const {
    return type == Type::record || type == Type::enumeration || type == Type::fixed;
  }
  // The name without its namespace.
  std::string_view short_name() const;
  // What error messages call this type: the full name of a named type, else the type ("long").
  std::string type_name() const;
  // Index of the field called `field_name` (aliases not considered), or -1.
  int field_index(std::string_view field_name) const;
  int symbol_index(std::string_view symbol) const;
};

// A parsed schema: owns its nodes (which point at each other, cycles included), so it is
// neither copyable nor movable once built; share it as std::shared_ptr<const Schema>.
class Schema {
 public:
  // Parses the JSON text of a schema. Errors name the problem and where it is, as a path from
  // the root: "record com.acme.Order field 'lines' items: unknown type 'Line'".
  static Result<std::shared_ptr<const Schema>> parse(std::string_view json_text);

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const Node& root() const { return *root_; }
  // The named type with this full name, or null.
  const Node* find(std::string_view full_name) const;

  // The Parsing Canonical Form (specification section "Parsing Canonical Form for Schemas").
  const std::string& canonical_form() const { return canonical_; }
  // The CRC-64-AVRO (Rabin) fingerprint of the canonical form.
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  Schema() = default;
  friend class SchemaParser;

  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::pair<std::string, const Node*>> named_;
  const Node* root_ = nullptr;
  std::string canonical_;
  std::uint64_t fingerprint_ = 0;
};

// CRC-64-AVRO fingerprint of arbitrary bytes (the specification's Rabin fingerprint).
std::uint64_t rabin_fingerprint(std::string_view bytes);

}  // namespace ks3::avro

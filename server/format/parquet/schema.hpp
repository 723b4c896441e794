// A Parquet schema: a tree of groups and leaves, each required, optional or repeated; leaves
// carry a physical type and an optional logical type. Built with the Node factories below, then
// frozen into a Schema, which numbers the leaf columns (depth-first) and works out their
// definition / repetition levels and the flattened SchemaElement list of the footer.
//
//   Schema schema({
//       Node::int64("id", Repetition::kRequired),
//       Node::string("name", Repetition::kOptional),
//       Node::list("tags", Repetition::kOptional, Node::string("element", Repetition::kOptional)),
//       Node::group("address", Repetition::kOptional, {Node::string("city", ...), ...}),
//   });
//
// Node::list builds the 3-level LIST structure of LogicalTypes.md:
//   <rep> group <name> (LIST) { repeated group list { <element rep> <element type> element; } }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/format/parquet/metadata.hpp"

namespace ks3::parquet {

enum class Repetition { kRequired, kOptional, kRepeated };

enum class TimeUnit { kMillis, kMicros, kNanos };

struct LogicalType {
  enum class Kind { kNone, kString, kJson, kEnum, kDate, kTimestamp, kDecimal, kUuid, kList };
  Kind kind = Kind::kNone;
  TimeUnit unit = TimeUnit::kMillis;  // kTimestamp
  bool utc = true;                    // kTimestamp: isAdjustedToUTC
  int32_t precision = 0;              // kDecimal
  int32_t scale = 0;                  // kDecimal
};

class Node {
 public:
  // A leaf with an explicit physical type (type_length: FIXED_LEN_BYTE_ARRAY only).
  static Node leaf(std::string name, Repetition rep, PhysicalType type, LogicalType logical = {},
                   int32_t type_length = 0);
  static Node group(std::string name, Repetition rep, std::vector<Node> children);
  // The 3-level LIST; `element` is renamed "element".
  static Node list(std::string name, Repetition rep, Node element);

  // Shorthands for the usual leaves.
  static Node boolean(std::string name, Repetition rep);
  static Node int32(std::string name, Repetition rep);
  static Node int64(std::string name, Repetition rep);
  static Node float32(std::string name, Repetition rep);
  static Node float64(std::string name, Repetition rep);
  static Node string(std::string name, Repetition rep);  // BYTE_ARRAY (STRING)
  static Node json(std::string name, Repetition rep);    // BYTE_ARRAY (JSON)
  static Node bytes(std::string name, Repetition rep);   // BYTE_ARRAY
  static Node fixed(std::string name, Repetition rep, int32_t length);
  static Node date(std::string name, Repetition rep);  // INT32 days since 1970-01-01
  static Node timestamp(std::string name, Repetition rep, TimeUnit unit, bool utc = true);
  // DECIMAL(precision, scale): INT32 up to 9 digits, INT64 up to 18, else the smallest
  // FIXED_LEN_BYTE_ARRAY that holds `precision` digits.
  static Node decimal(std::string name, Repetition rep, int32_t precision, int32_t scale);
  static Node uuid(std::string name, Repetition rep);  // FIXED_LEN_BYTE_ARRAY(16) (UUID)

  const std::string& name() const { return name_; }
  Repetition repetition() const { return repetition_; }
  bool is_group() const { return is_group_; }
  PhysicalType physical_type() const { return physical_; }
  int32_t type_length() const { return type_length_; }
  const LogicalType& logical_type() const { return logical_; }
  const std::vector<Node>& children() const { return children_; }

  // Set when frozen into a Schema.
  int16_t max_definition_level() const { return max_def_; }
  int16_t max_repetition_level() const { return max_rep_; }
  size_t first_leaf() const { return first_leaf_; }  // leaf column index range of this subtree
  size_t leaf_count() const { return leaf_count_; }
  // The repeated "list" group directly under a LIST node: its values are the list elements.
  bool is_list_wrapper() const { return list_wrapper_; }

 private:
  friend class Schema;
  std::string name_;
  Repetition repetition_ = Repetition::kRequired;
  bool is_group_ = false;
  PhysicalType physical_ = PhysicalType::kInt32;
  int32_t type_length_ = 0;
  LogicalType logical_;
  std::vector<Node> children_;
  int16_t max_def_ = 0;
  int16_t max_rep_ = 0;
  size_t first_leaf_ = 0;
  size_t leaf_count_ = 0;
  bool list_wrapper_ = false;
};

// One leaf column.
struct Column {
  std::vector<std::string> path;  // names from the top-level field down to the leaf
  PhysicalType physical_type = PhysicalType::kInt32;
  int32_t type_length = 0;
  LogicalType logical_type;
  int16_t max_definition_level = 0;
  int16_t max_repetition_level = 0;
  std::string dotted_path() const;
};

class Schema {
 public:
  // Throws std::invalid_argument naming the node when the tree is not valid Parquet (empty
  // names or groups, a logical type on a physical type it does not annotate, a bad DECIMAL...).
  explicit Schema(std::vector<Node> fields);

  const std::vector<Node>& fields() const { return fields_; }
  const std::vector<Column>& columns() const { return columns_; }
  // Depth-first, the root ("schema") first.
  std::vector<SchemaElement> to_thrift() const;

 private:
  std::vector<Node> fields_;
  std::vector<Column> columns_;
};

// Bytes of the smallest FIXED_LEN_BYTE_ARRAY holding a DECIMAL of `precision` digits.
int32_t decimal_fixed_length(int32_t precision);

}  // namespace ks3::parquet

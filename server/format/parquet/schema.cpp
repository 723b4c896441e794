#include "server/format/parquet/schema.hpp"

#include <cmath>
#include <stdexcept>

namespace ks3::parquet {
namespace {

using Kind = LogicalType::Kind;

[[noreturn]] void invalid(const std::string& path, const std::string& what) {
  throw std::invalid_argument("parquet schema: " + path + ": " + what);
}

// Largest decimal precision a FIXED_LEN_BYTE_ARRAY of `n` bytes holds: floor(log10(2^(8n-1)-1)).
int32_t max_precision_for_length(int32_t n) {
  return static_cast<int32_t>(std::floor(std::log10(std::pow(2.0, 8.0 * n - 1) - 1)));
}

void validate_leaf(const Node& n, const std::string& path) {
  const PhysicalType t = n.physical_type();
  if (t == PhysicalType::kInt96) invalid(path, "INT96 is not written");
  if (t == PhysicalType::kFixedLenByteArray && n.type_length() <= 0) {
    invalid(path, "FIXED_LEN_BYTE_ARRAY needs a positive length");
  }
  const LogicalType& l = n.logical_type();
  switch (l.kind) {
    case Kind::kNone:
      break;
    case Kind::kString:
    case Kind::kJson:
    case Kind::kEnum:
      if (t != PhysicalType::kByteArray) invalid(path, "STRING/JSON/ENUM annotate BYTE_ARRAY");
      break;
    case Kind::kDate:
      if (t != PhysicalType::kInt32) invalid(path, "DATE annotates INT32");
      break;
    case Kind::kTimestamp:
      if (t != PhysicalType::kInt64) invalid(path, "TIMESTAMP annotates INT64");
      break;
    case Kind::kUuid:
      if (t != PhysicalType::kFixedLenByteArray || n.type_length() != 16) {
        invalid(path, "UUID annotates FIXED_LEN_BYTE_ARRAY(16)");
      }
      break;
    case Kind::kDecimal: {
      if (l.precision < 1 || l.scale < 0 || l.scale > l.precision) {
        invalid(path, "DECIMAL needs precision >= 1 and 0 <= scale <= precision");
      }
      int32_t max = 0;
      if (t == PhysicalType::kInt32) {
        max = 9;
      } else if (t == PhysicalType::kInt64) {
        max = 18;
      } else if (t == PhysicalType::kFixedLenByteArray) {
        max = max_precision_for_length(n.type_length());
      } else if (t == PhysicalType::kByteArray) {
        max = 1 << 30;
      } else {
        invalid(path, "DECIMAL annotates INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY");
      }
      if (l.precision > max) invalid(path, "DECIMAL precision too large for the physical type");
      break;
    }
    case Kind::kList:
      invalid(path, "LIST annotates groups");
  }
}

}  // namespace

int32_t decimal_fixed_length(int32_t precision) {
  int32_t n = 1;
  while (max_precision_for_length(n) < precision) ++n;
  return n;
}

Node Node::leaf(std::string name, Repetition rep, PhysicalType type, LogicalType logical,
                int32_t type_length) {
  Node n;
  n.name_ = std::move(name);
  n.repetition_ = rep;
  n.physical_ = type;
  n.logical_ = logical;
  n.type_length_ = type_length;
  return n;
}

Node Node::group(std::string name, Repetition rep, std::vector<Node> children) {
  Node n;
  n.name_ = std::move(name);
  n.repetition_ = rep;
  n.is_group_ = true;
  n.children_ = std::move(children);
  return n;
}

Node Node::list(std::string name, Repetition rep, Node element) {
  element.name_ = "element";
  Node wrapper = group("list", Repetition::kRepeated, {std::move(element)});
  Node n = group(std::move(name), rep, {std::move(wrapper)});
  n.logical_.kind = Kind::kList;
  return n;
}

Node Node::boolean(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kBoolean);
}
Node Node::int32(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kInt32);
}
Node Node::int64(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kInt64);
}
Node Node::float32(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kFloat);
}
Node Node::float64(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kDouble);
}
Node Node::string(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kByteArray, {.kind = Kind::kString});
}
Node Node::json(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kByteArray, {.kind = Kind::kJson});
}
Node Node::bytes(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kByteArray);
}
Node Node::fixed(std::string name, Repetition rep, int32_t length) {
  return leaf(std::move(name), rep, PhysicalType::kFixedLenByteArray, {}, length);
}
Node Node::date(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kInt32, {.kind = Kind::kDate});
}
Node Node::timestamp(std::string name, Repetition rep, TimeUnit unit, bool utc) {
  return leaf(std::move(name), rep, PhysicalType::kInt64,
              {.kind = Kind::kTimestamp, .unit = unit, .utc = utc});
}
Node Node::decimal(std::string name, Repetition rep, int32_t precision, int32_t scale) {
  const LogicalType l{.kind = Kind::kDecimal, .precision = precision, .scale = scale};
  if (precision <= 9) return leaf(std::move(name), rep, PhysicalType::kInt32, l);
  if (precision <= 18) return leaf(std::move(name), rep, PhysicalType::kInt64, l);
  return leaf(std::move(name), rep, PhysicalType::kFixedLenByteArray, l,
              decimal_fixed_length(precision));
}
Node Node::uuid(std::string name, Repetition rep) {
  return leaf(std::move(name), rep, PhysicalType::kFixedLenByteArray, {.kind = Kind::kUuid}, 16);
}

std::string Column::dotted_path() const {
  std::string s;
  for (const auto& p : path) {
    if (!s.empty()) s += '.';
    s += p;
  }
  return s;
}

namespace {

void freeze(Node& n, std::vector<std::string>& path, int16_t def, int16_t rep, bool parent_is_list,
            std::vector<Column>& columns, auto& self) {
  path.push_back(n.name());
  std::string dotted;
  for (const auto& p : path) dotted += (dotted.empty() ? "" : ".") + p;
  if (n.name().empty()) invalid(dotted, "empty name");
  if (n.repetition() != Repetition::kRequired) ++def;
  if (n.repetition() == Repetition::kRepeated) ++rep;
  self.set_levels(n, def, rep, columns.size(), parent_is_list);
  if (n.is_group()) {
    if (n.children().empty()) invalid(dotted, "a group needs at least one field");
    const bool is_list = n.logical_type().kind == Kind::kList;
    if (is_list) {
      if (n.children().size() != 1 || n.children()[0].repetition() != Repetition::kRepeated) {
        invalid(dotted, "a LIST group holds exactly one repeated field");
      }
    } else if (n.logical_type().kind != Kind::kNone) {
      invalid(dotted, "groups take no logical type but LIST");
    }
    for (Node& c : self.children(n)) {
      freeze(c, path, def, rep, is_list && c.is_group() && c.children().size() == 1, columns, self);
    }
  } else {
    validate_leaf(n, dotted);
    columns.push_back(Column{path, n.physical_type(), n.type_length(), n.logical_type(), def, rep});
  }
  self.set_leaf_count(n, columns.size());
  path.pop_back();
}

}  // namespace

Schema::Schema(std::vector<Node> fields) : fields_(std::move(fields)) {
  if (fields_.empty()) throw std::invalid_argument("parquet schema: no fields");
  struct Access {
    void set_levels(Node& n, int16_t def, int16_t rep, size_t first, bool list_wrapper) const {
      n.max_def_ = def;
      n.max_rep_ = rep;
      n.first_leaf_ = first;
      n.list_wrapper_ = list_wrapper;
    }
    void set_leaf_count(Node& n, size_t end) const { n.leaf_count_ = end - n.first_leaf_; }
    std::vector<Node>& children(Node& n) const { return n.children_; }
  } access;
  std::vector<std::string> path;
  for (Node& f : fields_) freeze(f, path, 0, 0, false, columns_, access);
}

namespace {

void append_elements(const Node& n, std::vector<SchemaElement>& out) {
  SchemaElement e;
  e.name = n.name();
  e.repetition_type = static_cast<FieldRepetition>(static_cast<int>(n.repetition()));
  const LogicalType& l = n.logical_type();
  using A = LogicalTypeAnnotation;
  if (n.is_group()) {
    e.num_children = static_cast<int32_t>(n.children().size());
    if (l.kind == Kind::kList) {
      e.converted_type = ConvertedType::kList;
      e.logical_type = A{.kind = A::Kind::kList};
    }
    out.push_back(std::move(e));
    for (const Node& c : n.children()) append_elements(c, out);
    return;
  }
  e.type = n.physical_type();
  if (n.physical_type() == PhysicalType::kFixedLenByteArray) e.type_length = n.type_length();
  switch (l.kind) {
    case Kind::kNone:
    case Kind::kList:
      break;
    case Kind::kString:
      e.converted_type = ConvertedType::kUtf8;
      e.logical_type = A{.kind = A::Kind::kString};
      break;
    case Kind::kJson:
      e.converted_type = ConvertedType::kJson;
      e.logical_type = A{.kind = A::Kind::kJson};
      break;
    case Kind::kEnum:
      e.converted_type = ConvertedType::kEnum;
      e.logical_type = A{.kind = A::Kind::kEnum};
      break;
    case Kind::kDate:
      e.converted_type = ConvertedType::kDate;
      e.logical_type = A{.kind = A::Kind::kDate};
      break;
    case Kind::kUuid:
      e.logical_type = A{.kind = A::Kind::kUuid};
      break;
    case Kind::kDecimal:
      e.converted_type = ConvertedType::kDecimal;
      e.scale = l.scale;
      e.precision = l.precision;
      e.logical_type = A{.kind = A::Kind::kDecimal, .scale = l.scale, .precision = l.precision};
      break;
    case Kind::kTimestamp: {
      A a{.kind = A::Kind::kTimestamp, .utc = l.utc};
      a.unit = l.unit == TimeUnit::kMillis   ? A::TimeUnit::kMillis
               : l.unit == TimeUnit::kMicros ? A::TimeUnit::kMicros
                                             : A::TimeUnit::kNanos;
      e.logical_type = a;
      // The legacy converted types mean UTC-adjusted timestamps (LogicalTypes.md).
      if (l.utc && l.unit == TimeUnit::kMillis) e.converted_type = ConvertedType::kTimestampMillis;
      if (l.utc && l.unit == TimeUnit::kMicros) e.converted_type = ConvertedType::kTimestampMicros;
      break;
    }
  }
  out.push_back(std::move(e));
}

}  // namespace

std::vector<SchemaElement> Schema::to_thrift() const {
  std::vector<SchemaElement> out;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(fields_.size());
  out.push_back(std::move(root));
  for (const Node& f : fields_) append_elements(f, out);
  return out;
}

}  // namespace ks3::parquet

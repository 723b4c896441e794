#include "server/format/parquet/row_builder.hpp"

#include <limits>
#include <stdexcept>

#include "server/format/parquet/encoding.hpp"

namespace ks3::parquet {
namespace {

[[noreturn]] void bad(const Column& c, const std::string& what) {
  throw std::invalid_argument("parquet: column " + c.dotted_path() + ": " + what);
}

[[noreturn]] void bad_node(const Node& n, const std::string& what) {
  throw std::invalid_argument("parquet: field " + n.name() + ": " + what);
}

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kDouble:
      return "double";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kBytes:
      return "bytes";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kStruct:
      return "struct";
  }
  return "?";
}

}  // namespace

RowBuilder::RowBuilder(const Schema& schema, std::vector<ColumnWriter>& columns)
    : schema_(schema), columns_(columns) {}

void RowBuilder::write_row(const Value& row) {
  if (row.kind() != Value::Kind::kStruct) {
    throw std::invalid_argument("parquet: a row is a struct value");
  }
  const auto& fields = schema_.fields();
  if (row.items().size() > fields.size()) {
    throw std::invalid_argument("parquet: the row has more fields than the schema");
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    field<false>(fields[i], i < row.items().size() ? &row.items()[i] : nullptr, 0, 0);
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    field<true>(fields[i], i < row.items().size() ? &row.items()[i] : nullptr, 0, 0);
  }
}

void RowBuilder::nulls(const Node& node, int16_t def, int16_t rep) {
  for (size_t i = node.first_leaf(); i < node.first_leaf() + node.leaf_count(); ++i) {
    columns_[i].put_null(def, rep);
  }
}

template <bool kWrite>
void RowBuilder::field(const Node& node, const Value* v, int16_t def, int16_t rep) {
  const bool absent = v == nullptr || v->is_null();
  switch (node.repetition()) {
    case Repetition::kRequired:
      if (absent) bad_node(node, "a required field is null");
      present<kWrite>(node, *v, def, rep);
      return;
    case Repetition::kOptional:
      if (absent) {
        if constexpr (kWrite) nulls(node, def, rep);
        return;
      }
      present<kWrite>(node, *v, static_cast<int16_t>(def + 1), rep);
      return;
    case Repetition::kRepeated: {
      if (!absent && v->kind() != Value::Kind::kList) {
        bad_node(node, std::string("a repeated field takes a list, not ") + kind_name(v->kind()));
      }
      if (absent || v->items().empty()) {
        if constexpr (kWrite) nulls(node, def, rep);
        return;
      }
      const auto own_rep = node.max_repetition_level();
      const auto own_def = static_cast<int16_t>(def + 1);
      bool first = true;
      for (const Value& item : v->items()) {
        present<kWrite>(node, item, own_def, first ? rep : own_rep);
        first = false;
      }
      return;
    }
  }
}

template <bool kWrite>
void RowBuilder::present(const Node& node, const Value& v, int16_t def, int16_t rep) {
  if (!node.is_group()) {
    if constexpr (kWrite) {
      leaf<true>(node, v, rep);
    } else {
      leaf<false>(node, v, rep);
    }
    return;
  }
  if (node.is_list_wrapper()) {
    // One repeated "list" entry: the item is the element's value.
    field<kWrite>(node.children()[0], &v, def, rep);
    return;
  }
  if (node.logical_type().kind == LogicalType::Kind::kList) {
    if (v.kind() != Value::Kind::kList) {
      bad_node(node, std::string("a LIST field takes a list, not ") + kind_name(v.kind()));
    }
    field<kWrite>(node.children()[0], &v, def, rep);
    return;
  }
  if (v.kind() != Value::Kind::kStruct) {
    bad_node(node, std::string("a group takes a struct, not ") + kind_name(v.kind()));
  }
  const auto& children = node.children();
  if (v.items().size() > children.size()) bad_node(node, "more fields than the group has");
  for (size_t i = 0; i < children.size(); ++i) {
    field<kWrite>(children[i], i < v.items().size() ? &v.items()[i] : nullptr, def, rep);
  }
}

template <bool kWrite>
void RowBuilder::leaf(const Node& node, const Value& v, int16_t rep) {
  ColumnWriter& w = columns_[node.first_leaf()];
  const Column& c = w.column();
  const Value::Kind k = v.kind();
  const auto mismatch = [&]() { bad(c, std::string("cannot store a ") + kind_name(k) + " value"); };
  switch (c.physical_type) {
    case PhysicalType::kBoolean:
      if (k != Value::Kind::kBool) mismatch();
      if constexpr (kWrite) w.put_bool(v.as_bool(), rep);
      return;
    case PhysicalType::kInt32:
      if (k != Value::Kind::kInt) mismatch();
      if (v.as_int() < std::numeric_limits<int32_t>::min() ||
          v.as_int() > std::numeric_limits<int32_t>::max()) {
        bad(c, std::to_string(v.as_int()) + " is out of INT32 range");
      }
      if (c.logical_type.kind == LogicalType::Kind::kDecimal) {
        // Unscaled values must fit the declared precision.
        int64_t limit = 1;
        for (int i = 0; i < c.logical_type.precision; ++i) limit *= 10;
        if (v.as_int() >= limit || v.as_int() <= -limit) bad(c, "exceeds the DECIMAL precision");
      }
      if constexpr (kWrite) w.put_int32(static_cast<int32_t>(v.as_int()), rep);
      return;
    case PhysicalType::kInt64:
      if (k != Value::Kind::kInt) mismatch();
      if (c.logical_type.kind == LogicalType::Kind::kDecimal) {
        int64_t limit = 1;
        for (int i = 0; i < c.logical_type.precision; ++i) limit *= 10;
        if (v.as_int() >= limit || v.as_int() <= -limit) bad(c, "exceeds the DECIMAL precision");
      }
      if constexpr (kWrite) w.put_int64(v.as_int(), rep);
      return;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: {
      double d = 0;
      if (k == Value::Kind::kDouble) {
        d = v.as_double();
      } else if (k == Value::Kind::kInt) {
        d = static_cast<double>(v.as_int());
      } else {
        mismatch();
      }
      if constexpr (kWrite) {
        if (c.physical_type == PhysicalType::kFloat) {
          w.put_float(static_cast<float>(d), rep);
        } else {
          w.put_double(d, rep);
        }
      }
      return;
    }
    case PhysicalType::kByteArray:
      if (k != Value::Kind::kString && k != Value::Kind::kBytes) mismatch();
      if constexpr (kWrite) w.put_bytes(v.as_bytes(), rep);
      return;
    case PhysicalType::kFixedLenByteArray: {
      const auto len = static_cast<size_t>(c.type_length);
      if (k == Value::Kind::kInt && c.logical_type.kind == LogicalType::Kind::kDecimal) {
        scratch_.clear();
        if (!decimal_to_fixed(v.as_int(), c.type_length, scratch_)) bad(c, "decimal overflow");
        if constexpr (kWrite) w.put_bytes(scratch_, rep);
        return;
      }
      if (k != Value::Kind::kString && k != Value::Kind::kBytes) mismatch();
      std::string_view b = v.as_bytes();
      if (c.logical_type.kind == LogicalType::Kind::kUuid && b.size() == 36) {
        char raw[16];
        if (!parse_uuid(b, raw)) bad(c, "not a UUID: " + std::string(b));
        if constexpr (kWrite) w.put_bytes(std::string_view(raw, 16), rep);
        return;
      }
      if (b.size() != len) {
        bad(c, std::to_string(b.size()) + " bytes for FIXED_LEN_BYTE_ARRAY(" + std::to_string(len) +
                   ")");
      }
      if constexpr (kWrite) w.put_bytes(b, rep);
      return;
    }
    default:
      mismatch();
  }
}

}  // namespace ks3::parquet

#include "server/format/avro_parquet.hpp"

#include <algorithm>
#include <cstdint>

#include "server/format/avro/json_mapping.hpp"

namespace ks3::server {
namespace {

using parquet::Node;
using parquet::Repetition;

// How a declared Avro type is stored.
enum class Shape { plain, nullable, json };

// The non-null branch of a union of null and one type, or null.
const avro::Node* nullable_branch(const avro::Node& type) {
  if (type.type != avro::Type::union_type || type.branches.size() != 2) return nullptr;
  const avro::Node* a = type.branches[0];
  const avro::Node* b = type.branches[1];
  if (a->type == avro::Type::null_type && b->type != avro::Type::null_type) return b;
  if (b->type == avro::Type::null_type && a->type != avro::Type::null_type) return a;
  return nullptr;
}

class Mapper {
 public:
  // The node for a field of declared type `type` with repetition `rep` (kRequired unless the
  // caller knows better; a nullable union makes it kOptional).
  Node node(std::string name, const avro::Node& type, Repetition rep) {
    const avro::Node* t = &type;
    if (t->type == avro::Type::union_type) {
      if (t->branches.size() == 1) {
        t = t->branches[0];
      } else if (const avro::Node* branch = nullable_branch(*t)) {
        t = branch;
        rep = Repetition::kOptional;
      } else {
        return Node::json(std::move(name), Repetition::kOptional);
      }
    }
    return plain(std::move(name), *t, rep);
  }

 private:
  Node plain(std::string name, const avro::Node& t, Repetition rep) {
    switch (t.type) {
      case avro::Type::null_type:
      case avro::Type::union_type:  // a union inside a one-branch union
        return Node::json(std::move(name), Repetition::kOptional);
      case avro::Type::boolean:
        return Node::boolean(std::move(name), rep);
      case avro::Type::int_type:
        if (t.logical == avro::Logical::date) return Node::date(std::move(name), rep);
        return Node::int32(std::move(name), rep);
      case avro::Type::long_type:
        switch (t.logical) {
          case avro::Logical::timestamp_millis:
            return Node::timestamp(std::move(name), rep, parquet::TimeUnit::kMillis, true);
          case avro::Logical::timestamp_micros:
            return Node::timestamp(std::move(name), rep, parquet::TimeUnit::kMicros, true);
          case avro::Logical::local_timestamp_millis:
            return Node::timestamp(std::move(name), rep, parquet::TimeUnit::kMillis, false);
          case avro::Logical::local_timestamp_micros:
            return Node::timestamp(std::move(name), rep, parquet::TimeUnit::kMicros, false);
          default:
            return Node::int64(std::move(name), rep);
        }
      case avro::Type::float_type:
        return Node::float32(std::move(name), rep);
      case avro::Type::double_type:
        return Node::float64(std::move(name), rep);
      case avro::Type::string:
        if (t.logical == avro::Logical::uuid) return Node::uuid(std::move(name), rep);
        return Node::string(std::move(name), rep);
      case avro::Type::enumeration:
        return Node::string(std::move(name), rep);
      case avro::Type::bytes:
        if (t.logical == avro::Logical::decimal) {
          return Node::decimal(std::move(name), rep, t.precision, t.scale);
        }
        return Node::bytes(std::move(name), rep);
      case avro::Type::fixed:
        if (t.logical == avro::Logical::decimal) {
          return Node::decimal(std::move(name), rep, t.precision, t.scale);
        }
        return Node::fixed(std::move(name), rep, static_cast<int32_t>(t.fixed_size));
      case avro::Type::array:
        return Node::list(std::move(name), rep, node("element", *t.items, Repetition::kRequired));
      case avro::Type::map:
        return Node::list(std::move(name), rep,
                          Node::group("element", Repetition::kRequired,
                                      {Node::string("key", Repetition::kRequired),
                                       node("value", *t.items, Repetition::kRequired)}));
      case avro::Type::record: {
        if (std::find(path_.begin(), path_.end(), &t) != path_.end() || t.fields.empty()) {
          return Node::json(std::move(name), Repetition::kOptional);  // recursive, or empty
        }
        path_.push_back(&t);
        std::vector<Node> children;
        for (const avro::Field& field : t.fields) {
          children.push_back(node(field.name, *field.type, Repetition::kRequired));
        }
        path_.pop_back();
        return Node::group(std::move(name), rep, std::move(children));
      }
    }
    return Node::json(std::move(name), Repetition::kOptional);
  }

  std::vector<const avro::Node*> path_;  // records being mapped (recursion check)
};

// An Avro decimal's big-endian two's-complement bytes as the column's value: the unscaled
// integer when it fits 64 bits, else the bytes sign-extended to the column's fixed length.
void decimal_value(const avro::Node& t, std::string_view be, parquet::Value& out) {
  if (be.size() <= 8) {
    std::int64_t v = (!be.empty() && (static_cast<unsigned char>(be[0]) & 0x80)) ? -1 : 0;
    for (char c : be)
      v = static_cast<std::int64_t>((static_cast<std::uint64_t>(v) << 8) |
                                    static_cast<unsigned char>(c));
    out.set_int(v);
    return;
  }
  const auto length = static_cast<std::size_t>(parquet::decimal_fixed_length(t.precision));
  const char sign = (static_cast<unsigned char>(be[0]) & 0x80) ? '\xff' : '\0';
  std::string bytes;
  if (be.size() < length) {
    bytes.assign(length - be.size(), sign);
    bytes.append(be);
  } else {
    bytes.assign(be.substr(be.size() - length));
  }
  out = parquet::Value::bytes(std::move(bytes));
}

class ValueMapper {
 public:
  void value(const avro::Node& type, const avro::Value& v, parquet::Value& out) {
    const avro::Node* t = &type;
    if (t->type == avro::Type::union_type) {
      if (t->branches.size() == 1) {
        t = t->branches[0];
      } else if (const avro::Node* branch = nullable_branch(*t)) {
        if (v.is_null()) {
          out.set_null();
          return;
        }
        t = branch;
      } else {
        json(v, out);
        return;
      }
    }
    plain(*t, v, out);
  }

 private:
  void json(const avro::Value& v, parquet::Value& out) {
    if (v.is_null()) {
      out.set_null();
      return;
    }
    out.set_string(avro::to_json(v));
  }

  void plain(const avro::Node& t, const avro::Value& v, parquet::Value& out) {
    switch (t.type) {
      case avro::Type::null_type:
      case avro::Type::union_type:
        json(v, out);
        return;
      case avro::Type::boolean:
        out.set_bool(v.boolean);
        return;
      case avro::Type::int_type:
      case avro::Type::long_type:
        out.set_int(v.integer);
        return;
      case avro::Type::float_type:
      case avro::Type::double_type:
        out.set_double(v.real);
        return;
      case avro::Type::string:
        out.set_string_ref(v.bytes);
        return;
      case avro::Type::enumeration:
        out.set_string_ref(v.symbol());
        return;
      case avro::Type::bytes:
      case avro::Type::fixed:
        if (t.logical == avro::Logical::decimal) {
          decimal_value(t, v.bytes, out);
        } else {
          out.set_bytes_ref(v.bytes);
        }
        return;
      case avro::Type::array:
        out.set_list();
        out.items().resize(v.children.size());
        for (std::size_t i = 0; i < v.children.size(); ++i) {
          value(*t.items, v.children[i], out.items()[i]);
        }
        return;
      case avro::Type::map:
        out.set_list();
        out.items().resize(v.children.size());
        for (std::size_t i = 0; i < v.children.size(); ++i) {
          parquet::Value& entry = out.items()[i];
          entry.set_struct();
          entry.items().resize(2);
          entry.items()[0].set_string_ref(v.keys[i]);
          value(*t.items, v.children[i], entry.items()[1]);
        }
        return;
      case avro::Type::record: {
        if (std::find(path_.begin(), path_.end(), &t) != path_.end() || t.fields.empty()) {
          json(v, out);
          return;
        }
        path_.push_back(&t);
        out.set_struct();
        out.items().resize(t.fields.size());
        for (std::size_t i = 0; i < t.fields.size() && i < v.children.size(); ++i) {
          value(*t.fields[i].type, v.children[i], out.items()[i]);
        }
        path_.pop_back();
        return;
      }
    }
    json(v, out);
  }

  std::vector<const avro::Node*> path_;
};

}  // namespace

parquet::Node avro_to_parquet_node(std::string name, const avro::Node& type) {
  Mapper mapper;
  return mapper.node(std::move(name), type, Repetition::kOptional);
}

void avro_to_parquet_value(const avro::Node& type, const avro::Value& value, parquet::Value& out) {
  ValueMapper mapper;
  mapper.value(type, value, out);
}

}  // namespace ks3::server

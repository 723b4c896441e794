#include "server/format/avro/value.hpp"

#include <boost/json/serialize.hpp>

namespace ks3::avro {
namespace json = boost::json;

const Value* Value::field(std::string_view name) const {
  if (!node || node->type != Type::record) return nullptr;
  int i = node->field_index(name);
  if (i < 0 || static_cast<std::size_t>(i) >= children.size()) return nullptr;
  return &children[static_cast<std::size_t>(i)];
}

std::string_view Value::symbol() const {
  if (!node || node->type != Type::enumeration || integer < 0 ||
      static_cast<std::size_t>(integer) >= node->symbols.size()) {
    return {};
  }
  return node->symbols[static_cast<std::size_t>(integer)];
}

namespace {

Error mismatch(const Node& node, const json::value& v) {
  return Error(ErrorKind::bad_schema,
               "default " + json::serialize(v) + " does not fit type " +
                   std::string(node.is_named() ? node.name : to_string(node.type)));
}

// Code points U+0000..U+00FF of a JSON string as bytes ("\u00ff" -> 0xff).
bool latin1_bytes(std::string_view utf8, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size()) {
      auto c2 = static_cast<unsigned char>(utf8[i + 1]);
      out += static_cast<char>(((c & 0x1f) << 6) | (c2 & 0x3f));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Value> value_from_default(const Node& node, const json::value& v) {
  Value out;
  out.node = &node;
  switch (node.type) {
    case Type::null_type:
      if (!v.is_null()) return mismatch(node, v);
      return out;
    case Type::boolean:
      if (!v.is_bool()) return mismatch(node, v);
      out.boolean = v.get_bool();
      return out;
    case Type::int_type:
    case Type::long_type:
      if (v.is_int64()) {
        out.integer = v.get_int64();
      } else if (v.is_uint64() && v.get_uint64() <= INT64_MAX) {
        out.integer = static_cast<std::int64_t>(v.get_uint64());
      } else {
        return mismatch(node, v);
      }
      if (node.type == Type::int_type && (out.integer < INT32_MIN || out.integer > INT32_MAX)) {
        return mismatch(node, v);
      }
      return out;
    case Type::float_type:
    case Type::double_type:
      if (!v.is_number()) return mismatch(node, v);
      out.real = v.to_number<double>();
      return out;
    case Type::string:
      if (!v.is_string()) return mismatch(node, v);
      out.bytes = std::string(v.get_string());
      return out;
    case Type::bytes:
    case Type::fixed:
      if (!v.is_string() || !latin1_bytes(std::string_view(v.get_string()), out.bytes)) {
        return mismatch(node, v);
      }
      if (node.type == Type::fixed && out.bytes.size() != node.fixed_size) return mismatch(node, v);
      return out;
    case Type::enumeration: {
      if (!v.is_string()) return mismatch(node, v);
      int i = node.symbol_index(std::string_view(v.get_string()));
      if (i < 0) return mismatch(node, v);
      out.integer = i;
      return out;
    }
    case Type::array:
      if (!v.is_array()) return mismatch(node, v);
      for (const auto& item : v.get_array()) {
        auto r = value_from_default(*node.items, item);
        if (!r) return r.error();
        out.children.push_back(std::move(*r));
      }
      return out;
    case Type::map:
      if (!v.is_object()) return mismatch(node, v);
      for (const auto& kv : v.get_object()) {
        auto r = value_from_default(*node.items, kv.value());
        if (!r) return r.error();
        out.keys.emplace_back(kv.key());
        out.children.push_back(std::move(*r));
      }
      return out;
    case Type::record: {
      if (!v.is_object()) return mismatch(node, v);
      for (const auto& f : node.fields) {
        const json::value* fv = v.get_object().if_contains(f.name);
        if (!fv && f.default_value) fv = &*f.default_value;
        if (!fv) return mismatch(node, v);
        auto r = value_from_default(*f.type, *fv);
        if (!r) return r.error();
        out.children.push_back(std::move(*r));
      }
      return out;
    }
    case Type::union_type:
      for (std::size_t i = 0; i < node.branches.size(); ++i) {
        auto r = value_from_default(*node.branches[i], v);
        if (r) {
          r->union_branch = static_cast<int>(i);
          return r;
        }
      }
      return mismatch(node, v);
  }
  return mismatch(node, v);
}

}  // namespace ks3::avro

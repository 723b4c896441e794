#include "server/format/avro/schema.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <stdexcept>

#include "metrics/json_string.hpp"

namespace ks3::avro {
namespace json = boost::json;

std::string_view to_string(Type type) {
  switch (type) {
    case Type::null_type:
      return "null";
    case Type::boolean:
      return "boolean";
    case Type::int_type:
      return "int";
    case Type::long_type:
      return "long";
    case Type::float_type:
      return "float";
    case Type::double_type:
      return "double";
    case Type::bytes:
      return "bytes";
    case Type::string:
      return "string";
    case Type::record:
      return "record";
    case Type::enumeration:
      return "enum";
    case Type::array:
      return "array";
    case Type::map:
      return "map";
    case Type::union_type:
      return "union";
    case Type::fixed:
      return "fixed";
  }
  return "?";
}

std::string_view to_string(Logical logical) {
  switch (logical) {
    case Logical::none:
      return "";
    case Logical::decimal:
      return "decimal";
    case Logical::uuid:
      return "uuid";
    case Logical::date:
      return "date";
    case Logical::time_millis:
      return "time-millis";
    case Logical::time_micros:
      return "time-micros";
    case Logical::timestamp_millis:
      return "timestamp-millis";
    case Logical::timestamp_micros:
      return "timestamp-micros";
    case Logical::local_timestamp_millis:
      return "local-timestamp-millis";
    case Logical::local_timestamp_micros:
      return "local-timestamp-micros";
    case Logical::duration:
      return "duration";
  }
  return "";
}

std::string_view Node::short_name() const {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? std::string_view(name) : std::string_view(name).substr(dot + 1);
}

std::string Node::type_name() const {
  return is_named() ? name : std::string(to_string(type));
}

int Node::field_index(std::string_view field_name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

int Node::symbol_index(std::string_view symbol) const {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return static_cast<int>(i);
  }
  return -1;
}

const Node* Schema::find(std::string_view full_name) const {
  for (const auto& [name, node] : named_) {
    if (name == full_name) return node;
  }
  return nullptr;
}

std::uint64_t rabin_fingerprint(std::string_view bytes) {
  constexpr std::uint64_t empty = 0xc15d213aa4d7a795ULL;
  static const auto table = [] {
    std::array<std::uint64_t, 256> t{};
    for (std::uint64_t i = 0; i < 256; ++i) {
      std::uint64_t fp = i;
      for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (empty & (0 - (fp & 1)));
      t[i] = fp;
    }
    return t;
  }();
  std::uint64_t fp = empty;
  for (unsigned char b : bytes) fp = (fp >> 8) ^ table[(fp ^ b) & 0xff];
  return fp;
}

namespace {

// Internal only: the parser unwinds to Schema::parse, which turns it into an Error.
struct ParseFailure {
  std::string message;
};

std::optional<Type> primitive_type(std::string_view name) {
  if (name == "null") return Type::null_type;
  if (name == "boolean") return Type::boolean;
  if (name == "int") return Type::int_type;
  if (name == "long") return Type::long_type;
  if (name == "float") return Type::float_type;
  if (name == "double") return Type::double_type;
  if (name == "bytes") return Type::bytes;
  if (name == "string") return Type::string;
  return std::nullopt;
}

bool valid_name_part(std::string_view part) {
  if (part.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(part[0])) return false;
  for (char c : part) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool valid_full_name(std::string_view name) {
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    if (!valid_name_part(name.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string quoted(std::string_view s) {
  std::string out;
  ks3::json::append_json_string(out, s);
  return out;
}

}  // namespace

class SchemaParser {
 public:
  explicit SchemaParser(Schema& schema) : schema_(schema) {}

  const Node* parse(const json::value& v, const std::string& ns, const std::string& where) {
    if (v.is_string()) return parse_name_ref(std::string_view(v.get_string()), ns, where);
    if (v.is_array()) return parse_union(v.get_array(), ns, where);
    if (v.is_object()) return parse_object(v.get_object(), ns, where);
    fail(where, "a schema must be a JSON string, object or array, not " + json::serialize(v));
  }

  void canonicalize(const Node& node, std::string& out, std::vector<const Node*>& seen) {
    if (node.is_named()) {
      for (const Node* s : seen) {
        if (s == &node) {
          out += quoted(node.name);
          return;
        }
      }
      seen.push_back(&node);
      out += "{\"name\":" + quoted(node.name) + ",\"type\":\"" + std::string(to_string(node.type)) +
             "\"";
      if (node.type == Type::record) {
        out += ",\"fields\":[";
        for (std::size_t i = 0; i < node.fields.size(); ++i) {
          if (i) out += ',';
          out += "{\"name\":" + quoted(node.fields[i].name) + ",\"type\":";
          canonicalize(*node.fields[i].type, out, seen);
          out += '}';
        }
        out += ']';
      } else if (node.type == Type::enumeration) {
        out += ",\"symbols\":[";
        for (std::size_t i = 0; i < node.symbols.size(); ++i) {
          if (i) out += ',';
          out += quoted(node.symbols[i]);
        }
        out += ']';
      } else {
        out += ",\"size\":" + std::to_string(node.fixed_size);
      }
      out += '}';
      return;
    }
    switch (node.type) {
      case Type::array:
        out += "{\"type\":\"array\",\"items\":";
        canonicalize(*node.items, out, seen);
        out += '}';
        return;
      case Type::map:
        out += "{\"type\":\"map\",\"values\":";
        canonicalize(*node.items, out, seen);
        out += '}';
        return;
      case Type::union_type:
        out += '[';
        for (std::size_t i = 0; i < node.branches.size(); ++i) {
          if (i) out += ',';
          canonicalize(*node.branches[i], out, seen);
        }
        out += ']';
        return;
      default:
        out += '"';
        out += to_string(node.type);
        out += '"';
    }
  }

 private:
  [[noreturn]] static void fail(const std::string& where, const std::string& what) {
    throw ParseFailure{where.empty() ? what : where + ": " + what};
  }

  Node* make(Type type) {
    schema_.nodes_.push_back(std::make_unique<Node>());
    schema_.nodes_.back()->type = type;
    return schema_.nodes_.back().get();
  }

  const Node* primitive(Type type) {
    auto& slot = primitives_[static_cast<std::size_t>(type)];
    if (!slot) slot = make(type);
    return slot;
  }

  const Node* lookup(std::string_view name, const std::string& ns) const {
    if (name.find('.') == std::string_view::npos && !ns.empty()) {
      if (auto* n = schema_.find(ns + "." + std::string(name))) return n;
    }
    return schema_.find(name);
  }

  const Node* parse_name_ref(std::string_view name, const std::string& ns,
                             const std::string& where) {
    if (auto t = primitive_type(name)) return primitive(*t);
    if (auto* n = lookup(name, ns)) return n;
    fail(where, "unknown type " + quoted(name) +
                    (ns.empty() ? std::string() : " (namespace " + quoted(ns) + ")"));
  }

  const Node* parse_union(const json::array& arr, const std::string& ns, const std::string& where) {
    Node* node = make(Type::union_type);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string here = where + " union branch " + std::to_string(i);
      const Node* b = parse(arr[i], ns, here);
      if (b->type == Type::union_type) fail(here, "a union may not directly contain a union");
      for (const Node* other : node->branches) {
        bool same =
            b->is_named() ? (other->is_named() && other->name == b->name) : other->type == b->type;
        if (same) {
          fail(here,
               "duplicate " +
                   (b->is_named() ? "type " + quoted(b->name) : std::string(to_string(b->type))) +
                   " in union");
        }
      }
      node->branches.push_back(b);
    }
    if (node->branches.empty()) fail(where, "a union needs at least one branch");
    return node;
  }

  static std::string get_string(const json::object& obj, std::string_view key,
                                const std::string& where, bool required) {
    auto* v = obj.if_contains(key);
    if (!v) {
      if (required) fail(where, "missing " + quoted(key));
      return {};
    }
    if (!v->is_string()) fail(where, quoted(key) + " must be a string");
    return std::string(v->get_string());
  }

  // Full name and namespace of a named type definition.
  std::pair<std::string, std::string> full_name(const json::object& obj, const std::string& ns,
                                                const std::string& where) {
    std::string name = get_string(obj, "name", where, true);
    std::string type_ns = ns;
    if (obj.contains("namespace")) {
      auto* v = obj.if_contains("namespace");
      if (v->is_null()) {
        type_ns.clear();
      } else {
        type_ns = get_string(obj, "namespace", where, false);
      }
    }
    std::string full;
    if (name.find('.') != std::string::npos) {
      full = name;
      type_ns = name.substr(0, name.rfind('.'));
    } else {
      full = type_ns.empty() ? name : type_ns + "." + name;
    }
    if (!valid_full_name(full)) fail(where, "invalid name " + quoted(full));
    if (primitive_type(full)) fail(where, "a named type may not be called " + quoted(full));
    if (schema_.find(full)) fail(where, "type " + quoted(full) + " is defined twice");
    return {full, type_ns};
  }

  std::vector<std::string> aliases(const json::object& obj, const std::string& ns,
                                   const std::string& where) {
    std::vector<std::string> out;
    auto* v = obj.if_contains("aliases");
    if (!v) return out;
    if (!v->is_array()) fail(where, "\"aliases\" must be an array of names");
    for (const auto& a : v->get_array()) {
      if (!a.is_string()) fail(where, "\"aliases\" must be an array of names");
      std::string alias(a.get_string());
      if (alias.find('.') == std::string::npos && !ns.empty()) alias = ns + "." + alias;
      out.push_back(std::move(alias));
    }
    return out;
  }

  void define(Node* node) { schema_.named_.emplace_back(node->name, node); }

  const Node* parse_object(const json::object& obj, const std::string& ns,
                           const std::string& where) {
    auto* tv = obj.if_contains("type");
    if (!tv) fail(where, "missing \"type\"");
    if (!tv->is_string()) {
      // {"type": {...}} or {"type": [...]}: a wrapped schema.
      return parse(*tv, ns, where);
    }
    std::string_view type(tv->get_string());
    if (auto t = primitive_type(type)) return with_logical(primitive(*t), obj, where);
    if (type == "record" || type == "error") return parse_record(obj, ns, where);
    if (type == "enum") return parse_enum(obj, ns, where);
    if (type == "fixed") return parse_fixed(obj, ns, where);
    if (type == "array" || type == "map") {
      Node* node = make(type == "array" ? Type::array : Type::map);
      const char* key = type == "array" ? "items" : "values";
      auto* iv = obj.if_contains(key);
      if (!iv) fail(where, std::string(type) + " without " + quoted(key));
      node->items = parse(*iv, ns, where + " " + key);
      return node;
    }
    if (auto* n = lookup(type, ns)) return n;
    fail(where, "unknown type " + quoted(type));
  }

  // A copy of the primitive node carrying the logical type, when valid for it.
  const Node* with_logical(const Node* base, const json::object& obj, const std::string& where) {
    auto* lv = obj.if_contains("logicalType");
    if (!lv || !lv->is_string()) return base;
    std::string_view lt(lv->get_string());
    Logical logical = Logical::none;
    Type t = base->type;
    if (lt == "decimal" && t == Type::bytes) {
      logical = Logical::decimal;
    } else if (lt == "uuid" && t == Type::string) {
      logical = Logical::uuid;
    } else if (lt == "date" && t == Type::int_type) {
      logical = Logical::date;
    } else if (lt == "time-millis" && t == Type::int_type) {
      logical = Logical::time_millis;
    } else if (lt == "time-micros" && t == Type::long_type) {
      logical = Logical::time_micros;
    } else if (lt == "timestamp-millis" && t == Type::long_type) {
      logical = Logical::timestamp_millis;
    } else if (lt == "timestamp-micros" && t == Type::long_type) {
      logical = Logical::timestamp_micros;
    } else if (lt == "local-timestamp-millis" && t == Type::long_type) {
      logical = Logical::local_timestamp_millis;
    } else if (lt == "local-timestamp-micros" && t == Type::long_type) {
      logical = Logical::local_timestamp_micros;
    }
    if (logical == Logical::none) return base;  // unknown or invalid: ignored (spec)
    Node node = *base;
    node.logical = logical;
    if (logical == Logical::decimal && !decimal_params(node, obj, where, 0)) return base;
    Node* out = make(t);
    *out = std::move(node);
    return out;
  }

  // Reads precision/scale; false when invalid (the logical type is then ignored, per spec).
  static bool decimal_params(Node& node, const json::object& obj, const std::string&,
                             std::size_t fixed_size) {
    auto* p = obj.if_contains("precision");
    if (!p || !p->is_int64() || p->get_int64() <= 0) return false;
    std::int64_t scale = 0;
    if (auto* s = obj.if_contains("scale")) {
      if (!s->is_int64() || s->get_int64() < 0) return false;
      scale = s->get_int64();
    }
    if (scale > p->get_int64()) return false;
    if (fixed_size > 0) {
      // The largest precision a two's-complement number of fixed_size bytes can hold.
      auto max_precision = static_cast<std::int64_t>(
          std::floor(std::log10(2.0) * (8.0 * static_cast<double>(fixed_size) - 1.0)));
      if (p->get_int64() > max_precision) return false;
    }
    if (p->get_int64() > 1000) return false;
    node.precision = static_cast<int>(p->get_int64());
    node.scale = static_cast<int>(scale);
    return true;
  }

  const Node* parse_record(const json::object& obj, const std::string& ns,
                           const std::string& where) {
    auto [full, type_ns] = full_name(obj, ns, where);
    std::string here = (where.empty() ? "" : where + " ") + "record " + full;
    Node* node = make(Type::record);
    node->name = full;
    node->aliases = aliases(obj, type_ns, here);
    define(node);  // before the fields: a record may refer to itself
    auto* fv = obj.if_contains("fields");
    if (!fv || !fv->is_array()) fail(here, "a record needs a \"fields\" array");
    for (const auto& f : fv->get_array()) {
      if (!f.is_object()) fail(here, "each field must be an object");
      const auto& fo = f.get_object();
      Field field;
      field.name = get_string(fo, "name", here + " field", true);
      std::string fwhere = here + " field " + quoted(field.name);
      if (!valid_name_part(field.name)) fail(fwhere, "invalid field name");
      if (node->field_index(field.name) >= 0) fail(fwhere, "duplicate field name");
      auto* ft = fo.if_contains("type");
      if (!ft) fail(fwhere, "missing \"type\"");
      field.type = parse(*ft, type_ns, fwhere);
      if (auto* d = fo.if_contains("default")) field.default_value = *d;
      if (auto* a = fo.if_contains("aliases"); a && a->is_array()) {
        for (const auto& alias : a->get_array()) {
          if (alias.is_string()) field.aliases.emplace_back(alias.get_string());
        }
      }
      node->fields.push_back(std::move(field));
    }
    return node;
  }

  const Node* parse_enum(const json::object& obj, const std::string& ns, const std::string& where) {
    auto [full, type_ns] = full_name(obj, ns, where);
    std::string here = (where.empty() ? "" : where + " ") + "enum " + full;
    Node* node = make(Type::enumeration);
    node->name = full;
    node->aliases = aliases(obj, type_ns, here);
    auto* sv = obj.if_contains("symbols");
    if (!sv || !sv->is_array()) fail(here, "an enum needs a \"symbols\" array");
    for (const auto& s : sv->get_array()) {
      if (!s.is_string() || !valid_name_part(std::string_view(s.get_string()))) {
        fail(here, "invalid symbol " + json::serialize(s));
      }
      std::string sym(s.get_string());
      if (node->symbol_index(sym) >= 0) fail(here, "duplicate symbol " + quoted(sym));
      node->symbols.push_back(std::move(sym));
    }
    if (obj.contains("default")) {
      std::string d = get_string(obj, "default", here, true);
      int i = node->symbol_index(d);
      if (i < 0) fail(here, "default " + quoted(d) + " is not one of the symbols");
      node->enum_default = static_cast<std::size_t>(i);
    }
    define(node);
    return node;
  }

  const Node* parse_fixed(const json::object& obj, const std::string& ns,
                          const std::string& where) {
    auto [full, type_ns] = full_name(obj, ns, where);
    std::string here = (where.empty() ? "" : where + " ") + "fixed " + full;
    Node* node = make(Type::fixed);
    node->name = full;
    node->aliases = aliases(obj, type_ns, here);
    auto* sz = obj.if_contains("size");
    if (!sz || !sz->is_int64() || sz->get_int64() < 0) {
      fail(here, "a fixed needs a non-negative integer \"size\"");
    }
    node->fixed_size = static_cast<std::size_t>(sz->get_int64());
    if (auto* lv = obj.if_contains("logicalType"); lv && lv->is_string()) {
      if (lv->get_string() == "decimal" && decimal_params(*node, obj, here, node->fixed_size)) {
        node->logical = Logical::decimal;
      } else if (lv->get_string() == "duration" && node->fixed_size == 12) {
        node->logical = Logical::duration;
      }
    }
    define(node);
    return node;
  }

  Schema& schema_;
  std::array<const Node*, 8> primitives_{};
};

Result<std::shared_ptr<const Schema>> Schema::parse(std::string_view json_text) {
  boost::system::error_code ec;
  json::value doc = json::parse(json_text, ec);
  if (ec) return Error(ErrorKind::bad_schema, "schema is not valid JSON: " + ec.message());
  std::shared_ptr<Schema> schema(new Schema());
  SchemaParser parser(*schema);
  try {
    schema->root_ = parser.parse(doc, "", "");
    std::vector<const Node*> seen;
    parser.canonicalize(*schema->root_, schema->canonical_, seen);
  } catch (const ParseFailure& failure) {
    return Error(ErrorKind::bad_schema, failure.message);
  }
  schema->fingerprint_ = rabin_fingerprint(schema->canonical_);
  return std::shared_ptr<const Schema>(std::move(schema));
}

}  // namespace ks3::avro

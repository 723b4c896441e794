#include "server/format/json_inference.hpp"

#include <boost/json/serialize.hpp>
#include <cstdint>
#include <limits>

namespace ks3::server {
namespace {

using Kind = InferredType::Kind;

Kind kind_of(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return Kind::null_only;
    case boost::json::kind::bool_:
      return Kind::boolean;
    case boost::json::kind::int64:
      return Kind::integer;
    case boost::json::kind::uint64:
      return value.get_uint64() <=
                     static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                 ? Kind::integer
                 : Kind::real;
    case boost::json::kind::double_:
      return Kind::real;
    case boost::json::kind::string:
      return Kind::string;
    case boost::json::kind::object:
      return Kind::object;
    case boost::json::kind::array:
      return Kind::array;
  }
  return Kind::json;
}

double as_double(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      return static_cast<double>(value.get_int64());
    case boost::json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    default:
      return value.get_double();
  }
}

}  // namespace

void InferredType::become_json() {
  kind_ = Kind::json;
  fields_.clear();
  items_.clear();
}

void InferredType::merge(const boost::json::value& value) {
  const Kind seen = kind_of(value);
  if (seen == Kind::null_only || kind_ == Kind::json) return;
  if (kind_ == Kind::null_only) {
    kind_ = seen;
    if (seen == Kind::array) items_.emplace_back();
  } else if (kind_ != seen) {
    const bool numbers = (kind_ == Kind::integer || kind_ == Kind::real) &&
                         (seen == Kind::integer || seen == Kind::real);
    if (numbers) {
      kind_ = Kind::real;  // int widened to double
      return;
    }
    become_json();
    return;
  }
  if (kind_ == Kind::object) {
    for (const auto& [key, item] : value.get_object()) {
      if (key.empty()) {
        become_json();
        return;
      }
      InferredType* field = nullptr;
      for (auto& [name, type] : fields_) {
        if (name == key) {
          field = &type;
          break;
        }
      }
      if (!field) {
        if (fields_.size() >= kMaxObjectFields) {
          become_json();
          return;
        }
        field = &fields_.emplace_back(std::string(key), InferredType()).second;
      }
      field->merge(item);
    }
  } else if (kind_ == Kind::array) {
    for (const boost::json::value& item : value.get_array()) items_.front().merge(item);
  }
}

Kind InferredType::column_kind() const {
  if (kind_ == Kind::object && fields_.empty()) return Kind::json;
  return kind_;
}

parquet::Node InferredType::to_node(std::string name) const {
  using parquet::Node;
  constexpr auto optional = parquet::Repetition::kOptional;
  switch (column_kind()) {
    case Kind::null_only:
    case Kind::string:
      return Node::string(std::move(name), optional);
    case Kind::boolean:
      return Node::boolean(std::move(name), optional);
    case Kind::integer:
      return Node::int64(std::move(name), optional);
    case Kind::real:
      return Node::float64(std::move(name), optional);
    case Kind::json:
      return Node::json(std::move(name), optional);
    case Kind::object: {
      std::vector<Node> children;
      children.reserve(fields_.size());
      for (const auto& [field, type] : fields_) children.push_back(type.to_node(field));
      return Node::group(std::move(name), optional, std::move(children));
    }
    case Kind::array:
      return Node::list(std::move(name), optional, element().to_node("element"));
  }
  return Node::json(std::move(name), optional);
}

void InferredType::to_value(const boost::json::value& value, parquet::Value& out) const {
  if (value.is_null()) {
    out.set_null();
    return;
  }
  switch (column_kind()) {
    case Kind::null_only:
      out.set_null();
      return;
    case Kind::boolean:
      out.set_bool(value.get_bool());
      return;
    case Kind::integer:
      out.set_int(value.is_int64() ? value.get_int64()
                                   : static_cast<std::int64_t>(value.get_uint64()));
      return;
    case Kind::real:
      out.set_double(as_double(value));
      return;
    case Kind::string: {
      const boost::json::string& text = value.get_string();
      out.set_string_ref(std::string_view(text.data(), text.size()));
      return;
    }
    case Kind::json:
      out.set_string(boost::json::serialize(value));
      return;
    case Kind::object: {
      const boost::json::object& object = value.get_object();
      out.set_struct();
      out.items().resize(fields_.size());
      for (std::size_t i = 0; i < fields_.size(); ++i) {
        const boost::json::value* field = object.if_contains(fields_[i].first);
        if (field) {
          fields_[i].second.to_value(*field, out.items()[i]);
        } else {
          out.items()[i].set_null();
        }
      }
      return;
    }
    case Kind::array: {
      const boost::json::array& array = value.get_array();
      out.set_list();
      out.items().resize(array.size());
      for (std::size_t i = 0; i < array.size(); ++i) element().to_value(array[i], out.items()[i]);
      return;
    }
  }
}

}  // namespace ks3::server

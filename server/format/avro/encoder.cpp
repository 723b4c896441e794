#include "server/format/avro/encoder.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

#include "server/format/avro/container_writer.hpp"

namespace ks3::avro {
namespace {

void put_bytes(std::string& out, const std::string& bytes) {
  append_long(out, static_cast<std::int64_t>(bytes.size()));
  out += bytes;
}

// Walks schema and value together; on failure `path` holds the field path, innermost last.
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  bool encode(const Node& schema, const Value& value) {
    if (schema.type == Type::union_type) {
      const int branch = value.union_branch;
      if (branch < 0 || static_cast<std::size_t>(branch) >= schema.branches.size()) {
        return fail("union branch " + std::to_string(branch) + " out of range (" +
                    std::to_string(schema.branches.size()) + " branches)");
      }
      append_long(out_, branch);
      return encode_plain(*schema.branches[static_cast<std::size_t>(branch)], value);
    }
    return encode_plain(schema, value);
  }

  std::string message() const {
    std::string path;
    for (const auto& element : path_) {
      if (!path.empty() && element[0] != '[') path += '.';
      path += element;
    }
    return path.empty() ? error_ : "field " + path + ": " + error_;
  }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  // Adds a path element while unwinding (elements arrive innermost first).
  bool unwind(std::string element) {
    path_.insert(path_.begin(), std::move(element));
    return false;
  }

  bool encode_plain(const Node& schema, const Value& value) {
    if (!value.node || value.node->type != schema.type) {
      return fail("a " + (value.node ? value.node->type_name() : std::string("missing")) +
                  " value where the schema has " + schema.type_name());
    }
    switch (schema.type) {
      case Type::null_type:
        return true;
      case Type::boolean:
        out_ += value.boolean ? '\1' : '\0';
        return true;
      case Type::int_type:
        if (value.integer < INT32_MIN || value.integer > INT32_MAX) {
          return fail("int value " + std::to_string(value.integer) + " out of 32-bit range");
        }
        append_long(out_, value.integer);
        return true;
      case Type::long_type:
        append_long(out_, value.integer);
        return true;
      case Type::float_type: {
        const auto f = static_cast<float>(value.real);
        char b[4];
        std::memcpy(b, &f, 4);  // little-endian, as is the host (x86-64, arm64)
        out_.append(b, 4);
        return true;
      }
      case Type::double_type: {
        char b[8];
        std::memcpy(b, &value.real, 8);
        out_.append(b, 8);
        return true;
      }
      case Type::bytes:
      case Type::string:
        put_bytes(out_, value.bytes);
        return true;
      case Type::fixed:
        if (value.bytes.size() != schema.fixed_size) {
          return fail("fixed " + schema.name + " needs " + std::to_string(schema.fixed_size) +
                      " bytes, the value has " + std::to_string(value.bytes.size()));
        }
        out_ += value.bytes;
        return true;
      case Type::enumeration:
        if (value.integer < 0 ||
            static_cast<std::uint64_t>(value.integer) >= schema.symbols.size()) {
          return fail("enum index " + std::to_string(value.integer) + " out of range (" +
                      std::to_string(schema.symbols.size()) + " symbols)");
        }
        append_long(out_, value.integer);
        return true;
      case Type::record:
        if (value.children.size() != schema.fields.size()) {
          return fail("record " + schema.name + " has " + std::to_string(schema.fields.size()) +
                      " fields, the value " + std::to_string(value.children.size()));
        }
        for (std::size_t i = 0; i < schema.fields.size(); ++i) {
          if (!encode(*schema.fields[i].type, value.children[i])) {
            return unwind(schema.fields[i].name);
          }
        }
        return true;
      case Type::array:
      case Type::map: {
        const bool is_map = schema.type == Type::map;
        if (is_map && value.keys.size() != value.children.size()) {
          return fail("map with " + std::to_string(value.keys.size()) + " keys and " +
                      std::to_string(value.children.size()) + " values");
        }
        if (!value.children.empty()) {
          append_long(out_, static_cast<std::int64_t>(value.children.size()));
          for (std::size_t i = 0; i < value.children.size(); ++i) {
            if (is_map) put_bytes(out_, value.keys[i]);
            if (!encode(*schema.items, value.children[i])) {
              return unwind(is_map ? "[" + value.keys[i] + "]" : "[" + std::to_string(i) + "]");
            }
          }
        }
        append_long(out_, 0);
        return true;
      }
      case Type::union_type:
        return fail("a union directly inside a union");
    }
    return fail("unknown type");
  }

  std::string& out_;
  std::string error_;
  std::vector<std::string> path_;
};

}  // namespace

Result<void> append_binary(std::string& out, const Node& schema, const Value& value) {
  Encoder encoder(out);
  if (!encoder.encode(schema, value)) return Error(ErrorKind::invalid_argument, encoder.message());
  return {};
}

}  // namespace ks3::avro

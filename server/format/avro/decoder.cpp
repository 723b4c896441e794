#include "server/format/avro/decoder.hpp"

#include <cstring>
#include <map>
#include <utility>

namespace ks3::avro {

// How one writer node becomes one reader node. Built once per Decoder (cycles through recursive
// named types share plans), then only read.
struct Plan {
  enum class Op {
    primitive,  // same primitive type, or a promotion (writer type read, reader type stored)
    record,
    enumeration,
    fixed,
    array,
    map,
    writer_union,  // read the branch index, then that branch's plan
    reader_union,  // non-union writer into a reader union: `inner` then mark the branch
    fail,          // no match: fails the datum that reaches it, with `failure`
  };
  struct Step {
    int reader_index = -1;         // -1: the reader has no such field: skip it
    const Plan* plan = nullptr;    // when read
    const Node* writer = nullptr;  // when skipped
    std::string_view name;
  };

  Op op = Op::fail;
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  std::vector<Step> steps;                              // record: one per writer field
  std::vector<std::pair<std::size_t, Value>> defaults;  // record: reader fields not written
  std::vector<int> enum_map;                            // enum: writer index -> reader index or -1
  const Plan* items = nullptr;                          // array items, map values
  std::vector<const Plan*> branches;                    // writer_union: one per writer branch
  const Plan* inner = nullptr;                          // reader_union
  int reader_branch = -1;                               // reader_union
  std::string failure;                                  // fail
};

namespace {

bool names_match(const Node& w, const Node& r) {
  if (w.name == r.name || w.short_name() == r.short_name()) return true;
  for (const auto& alias : r.aliases) {
    if (alias == w.name) return true;
    auto dot = alias.rfind('.');
    if (dot != std::string::npos && std::string_view(alias).substr(dot + 1) == w.short_name()) {
      return true;
    }
  }
  return false;
}

bool promotes(Type w, Type r) {
  switch (w) {
    case Type::int_type:
      return r == Type::long_type || r == Type::float_type || r == Type::double_type;
    case Type::long_type:
      return r == Type::float_type || r == Type::double_type;
    case Type::float_type:
      return r == Type::double_type;
    case Type::string:
      return r == Type::bytes;
    case Type::bytes:
      return r == Type::string;
    default:
      return false;
  }
}

// Shallow match (the specification's "matches"), for picking a reader union branch.
bool same_kind(const Node& w, const Node& r) {
  if (w.type != r.type) return false;
  if (w.is_named())
    return names_match(w, r) && (w.type != Type::fixed || w.fixed_size == r.fixed_size);
  return true;
}

}  // namespace

class PlanBuilder {
 public:
  explicit PlanBuilder(Decoder& d) : d_(d) {}

  const Plan* build(const Node& w, const Node& r, const std::string& where) {
    auto key = std::make_pair(&w, &r);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    d_.plans_.push_back(std::make_unique<Plan>());
    Plan* p = d_.plans_.back().get();
    memo_[key] = p;
    p->writer = &w;
    p->reader = &r;
    fill(*p, w, r, where);
    return p;
  }

  std::string incompatibility;  // set when the reader cannot read the writer at all

 private:
  void fail(Plan& p, const std::string& where, const std::string& why) {
    p.op = Plan::Op::fail;
    p.failure = (where.empty() ? "" : where + ": ") + why;
  }

  void fill(Plan& p, const Node& w, const Node& r, const std::string& where) {
    if (w.type == Type::union_type) {
      p.op = Plan::Op::writer_union;
      for (std::size_t i = 0; i < w.branches.size(); ++i) {
        p.branches.push_back(build(*w.branches[i], r, where));
      }
      return;
    }
    if (r.type == Type::union_type) {
      int chosen = -1;
      for (std::size_t i = 0; i < r.branches.size() && chosen < 0; ++i) {
        if (same_kind(w, *r.branches[i])) chosen = static_cast<int>(i);
      }
      for (std::size_t i = 0; i < r.branches.size() && chosen < 0; ++i) {
        if (promotes(w.type, r.branches[i]->type)) chosen = static_cast<int>(i);
      }
      if (chosen < 0) {
        return fail(p, where,
                    "writer type " + w.type_name() + " matches no branch of the reader's union");
      }
      p.op = Plan::Op::reader_union;
      p.reader_branch = chosen;
      p.inner = build(w, *r.branches[static_cast<std::size_t>(chosen)], where);
      return;
    }
    if (w.type != r.type) {
      if (promotes(w.type, r.type)) {
        p.op = Plan::Op::primitive;
        return;
      }
      return fail(
          p, where,
          "writer type " + w.type_name() + " cannot be read as reader type " + r.type_name());
    }
    switch (w.type) {
      case Type::record: {
        if (!names_match(w, r)) {
          return fail(p, where,
                      "writer record " + w.name + " does not match reader record " + r.name);
        }
        p.op = Plan::Op::record;
        std::vector<bool> written(r.fields.size(), false);
        for (const auto& wf : w.fields) {
          Plan::Step step;
          step.name = wf.name;
          int ri = r.field_index(wf.name);
          if (ri < 0) {
            for (std::size_t i = 0; i < r.fields.size() && ri < 0; ++i) {
              for (const auto& alias : r.fields[i].aliases) {
                if (alias == wf.name) ri = static_cast<int>(i);
              }
            }
          }
          if (ri >= 0 && !written[static_cast<std::size_t>(ri)]) {
            written[static_cast<std::size_t>(ri)] = true;
            step.reader_index = ri;
            step.plan = build(*wf.type, *r.fields[static_cast<std::size_t>(ri)].type,
                              where + (where.empty() ? "" : ".") + wf.name);
          } else {
            step.writer = wf.type;
          }
          p.steps.push_back(step);
        }
        for (std::size_t i = 0; i < r.fields.size(); ++i) {
          if (written[i]) continue;
          const Field& rf = r.fields[i];
          if (!rf.default_value) {
            if (incompatibility.empty()) {
              incompatibility = "reader field " + r.name + "." + rf.name +
                                " is not in the writer schema and has no default";
            }
            return fail(p, where, "reader field " + rf.name + " has no default");
          }
          auto v = value_from_default(*rf.type, *rf.default_value);
          if (!v) {
            if (incompatibility.empty()) {
              incompatibility = "reader field " + r.name + "." + rf.name + ": " + v.error().message;
            }
            return fail(p, where, v.error().message);
          }
          p.defaults.emplace_back(i, std::move(*v));
        }
        return;
      }
      case Type::enumeration: {
        if (!names_match(w, r)) {
          return fail(p, where, "writer enum " + w.name + " does not match reader enum " + r.name);
        }
        p.op = Plan::Op::enumeration;
        for (const auto& s : w.symbols) {
          int ri = r.symbol_index(s);
          if (ri < 0 && r.enum_default) ri = static_cast<int>(*r.enum_default);
          p.enum_map.push_back(ri);
        }
        return;
      }
      case Type::fixed:
        if (!names_match(w, r) || w.fixed_size != r.fixed_size) {
          return fail(p, where,
                      "writer fixed " + w.name + " does not match reader fixed " + r.name);
        }
        p.op = Plan::Op::fixed;
        return;
      case Type::array:
      case Type::map:
        p.op = w.type == Type::array ? Plan::Op::array : Plan::Op::map;
        p.items = build(*w.items, *r.items, where);
        return;
      default:
        p.op = Plan::Op::primitive;
        return;
    }
  }

  Decoder& d_;
  std::map<std::pair<const Node*, const Node*>, const Plan*> memo_;
};

namespace {

// The bytes being decoded, with the position and the first failure.
class Input {
 public:
  Input(std::string_view data, const DecodeLimits& limits)
      : begin_(reinterpret_cast<const unsigned char*>(data.data())),
        p_(begin_),
        end_(begin_ + data.size()),
        limits_(limits) {}

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why) + " at byte " + std::to_string(offset());
    return false;
  }
  // Adds a path element while unwinding ("lines", "[2]").
  void unwind(std::string element) { path_.push_back(std::move(element)); }

  std::string message() const {
    if (path_.empty()) return error_;
    std::string path;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (!path.empty() && (*it)[0] != '[') path += '.';
      path += *it;
    }
    return "field " + path + ": " + error_;
  }

  bool read_long(std::int64_t& out) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return fail("truncated: varint runs past the end");
      unsigned char b = *p_++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (shift == 63 && b > 1) return fail("varint overflows 64 bits");
        out = static_cast<std::int64_t>((v >> 1) ^ (0 - (v & 1)));
        return true;
      }
    }
    return fail("varint longer than 10 bytes");
  }

  bool read_int(std::int64_t& out) {
    if (!read_long(out)) return false;
    if (out < INT32_MIN || out > INT32_MAX)
      return fail("int value " + std::to_string(out) + " out of 32-bit range");
    return true;
  }

  bool read_raw(std::size_t n, std::string_view& out, const char* what) {
    if (left() < n) {
      return fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
                  std::to_string(left()) + " left");
    }
    out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  bool read_length(std::size_t& n, const char* what) {
    std::int64_t len = 0;
    if (!read_long(len)) return false;
    if (len < 0) return fail(std::string(what) + " length " + std::to_string(len) + " is negative");
    if (static_cast<std::uint64_t>(len) > left()) {
      return fail(std::string("truncated: ") + what + " of " + std::to_string(len) + " bytes, " +
                  std::to_string(left()) + " left");
    }
    n = static_cast<std::size_t>(len);
    return true;
  }

  bool read_bytes(std::string_view& out, const char* what) {
    std::size_t n = 0;
    return read_length(n, what) && read_raw(n, out, what);
  }

  bool skip(std::size_t n, const char* what) {
    std::string_view ignored;
    return read_raw(n, ignored, what);
  }

  // One block header of an array or map: the item count (0 ends) and, for a negative count,
  // the block's byte size (returned in `bytes`, else -1).
  bool read_block(std::int64_t& count, std::int64_t& bytes) {
    bytes = -1;
    if (!read_long(count)) return false;
    if (count < 0) {
      if (count == INT64_MIN) return fail("block count out of range");
      count = -count;
      if (!read_long(bytes)) return false;
      if (bytes < 0) return fail("block byte size " + std::to_string(bytes) + " is negative");
    }
    items_ += static_cast<std::uint64_t>(count);
    if (items_ > limits_.max_items) {
      return fail("more than " + std::to_string(limits_.max_items) + " array items or map entries");
    }
    return true;
  }

  bool enter() {
    if (++depth_ > limits_.max_depth) {
      return fail("nesting deeper than " + std::to_string(limits_.max_depth));
    }
    return true;
  }
  void leave() { --depth_; }

 private:
  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  const DecodeLimits& limits_;
  std::uint64_t items_ = 0;
  std::size_t depth_ = 0;
  std::string error_;
  std::vector<std::string> path_;
};

bool skip(const Node& w, Input& in);

bool skip_inner(const Node& w, Input& in) {
  std::int64_t v = 0;
  std::string_view s;
  switch (w.type) {
    case Type::null_type:
      return true;
    case Type::boolean:
      return in.skip(1, "boolean");
    case Type::int_type:
    case Type::long_type:
    case Type::enumeration:
      return in.read_long(v);
    case Type::float_type:
      return in.skip(4, "float");
    case Type::double_type:
      return in.skip(8, "double");
    case Type::bytes:
    case Type::string:
      return in.read_bytes(s, "string/bytes");
    case Type::fixed:
      return in.skip(w.fixed_size, "fixed");
    case Type::record:
      for (const auto& f : w.fields) {
        if (!skip(*f.type, in)) {
          in.unwind(f.name);
          return false;
        }
      }
      return true;
    case Type::array:
    case Type::map:
      while (true) {
        std::int64_t count = 0, bytes = 0;
        if (!in.read_block(count, bytes)) return false;
        if (count == 0) return true;
        if (bytes >= 0) {
          if (!in.skip(static_cast<std::size_t>(bytes), "block")) return false;
          continue;
        }
        for (std::int64_t i = 0; i < count; ++i) {
          if (w.type == Type::map && !in.read_bytes(s, "map key")) return false;
          if (!skip(*w.items, in)) return false;
        }
      }
    case Type::union_type:
      if (!in.read_long(v)) return false;
      if (v < 0 || static_cast<std::uint64_t>(v) >= w.branches.size()) {
        return in.fail("union branch " + std::to_string(v) + " out of range (" +
                       std::to_string(w.branches.size()) + " branches)");
      }
      return skip(*w.branches[static_cast<std::size_t>(v)], in);
  }
  return in.fail("unknown type");
}

bool skip(const Node& w, Input& in) {
  if (!in.enter()) return false;
  bool ok = skip_inner(w, in);
  in.leave();
  return ok;
}

bool read_primitive(const Plan& p, Input& in, Value& out) {
  const Node& w = *p.writer;
  std::string_view s;
  std::int64_t v = 0;
  switch (w.type) {
    case Type::null_type:
      break;
    case Type::boolean:
      if (!in.read_raw(1, s, "boolean")) return false;
      if (static_cast<unsigned char>(s[0]) > 1) return in.fail("boolean byte is not 0 or 1");
      out.boolean = s[0] == 1;
      break;
    case Type::int_type:
      if (!in.read_int(v)) return false;
      out.integer = v;
      break;
    case Type::long_type:
      if (!in.read_long(v)) return false;
      out.integer = v;
      break;
    case Type::float_type: {
      if (!in.read_raw(4, s, "float")) return false;
      float f;
      std::memcpy(&f, s.data(), 4);  // little-endian, as is the host (x86-64, arm64)
      out.real = f;
      break;
    }
    case Type::double_type:
      if (!in.read_raw(8, s, "double")) return false;
      std::memcpy(&out.real, s.data(), 8);
      break;
    case Type::bytes:
    case Type::string:
      if (!in.read_bytes(s, w.type == Type::string ? "string" : "bytes")) return false;
      out.bytes.assign(s);
      break;
    default:
      return in.fail("internal: not a primitive");
  }
  // Promotions: the reader's type decides where the number lives.
  Type r = p.reader->type;
  if ((r == Type::float_type || r == Type::double_type) &&
      (w.type == Type::int_type || w.type == Type::long_type)) {
    out.real = static_cast<double>(out.integer);
    if (r == Type::float_type) out.real = static_cast<float>(out.real);
  }
  return true;
}

bool run(const Plan& p, Input& in, Value& out);

bool run_inner(const Plan& p, Input& in, Value& out) {
  out.node = p.reader;
  out.union_branch = -1;
  switch (p.op) {
    case Plan::Op::primitive:
      return read_primitive(p, in, out);
    case Plan::Op::fail:
      return in.fail(p.failure);
    case Plan::Op::record: {
      out.children.resize(p.reader->fields.size());
      out.keys.clear();
      for (const auto& step : p.steps) {
        bool ok =
            step.reader_index >= 0
                ? run(*step.plan, in, out.children[static_cast<std::size_t>(step.reader_index)])
                : skip(*step.writer, in);
        if (!ok) {
          in.unwind(std::string(step.name));
          return false;
        }
      }
      for (const auto& [index, value] : p.defaults) out.children[index] = value;
      return true;
    }
    case Plan::Op::enumeration: {
      std::int64_t v = 0;
      if (!in.read_int(v)) return false;
      if (v < 0 || static_cast<std::size_t>(v) >= p.enum_map.size()) {
        return in.fail("enum index " + std::to_string(v) + " out of range (" +
                       std::to_string(p.enum_map.size()) + " symbols)");
      }
      int r = p.enum_map[static_cast<std::size_t>(v)];
      if (r < 0) {
        return in.fail("enum symbol " + p.writer->symbols[static_cast<std::size_t>(v)] +
                       " is not in the reader's enum " + p.reader->name + ", which has no default");
      }
      out.integer = r;
      return true;
    }
    case Plan::Op::fixed: {
      std::string_view s;
      if (!in.read_raw(p.writer->fixed_size, s, "fixed")) return false;
      out.bytes.assign(s);
      return true;
    }
    case Plan::Op::array:
    case Plan::Op::map: {
      bool is_map = p.op == Plan::Op::map;
      std::size_t n = 0;
      while (true) {
        std::int64_t count = 0, bytes = 0;
        if (!in.read_block(count, bytes)) return false;
        if (count == 0) break;
        // Each item takes at least one byte unless it can be empty (null, empty record...):
        // reserve only what the remaining bytes can hold.
        std::size_t want = n + static_cast<std::size_t>(count);
        if (static_cast<std::size_t>(count) <= in.left()) out.children.reserve(want);
        for (std::int64_t i = 0; i < count; ++i, ++n) {
          if (out.children.size() <= n) out.children.emplace_back();
          if (is_map) {
            std::string_view key;
            if (!in.read_bytes(key, "map key")) return false;
            if (out.keys.size() <= n) out.keys.emplace_back();
            out.keys[n].assign(key);
          }
          if (!run(*p.items, in, out.children[n])) {
            in.unwind(is_map ? "[" + out.keys[n] + "]" : "[" + std::to_string(n) + "]");
            return false;
          }
        }
      }
      out.children.resize(n);
      out.keys.resize(is_map ? n : 0);
      return true;
    }
    case Plan::Op::writer_union: {
      std::int64_t v = 0;
      if (!in.read_long(v)) return false;
      if (v < 0 || static_cast<std::size_t>(v) >= p.branches.size()) {
        return in.fail("union branch " + std::to_string(v) + " out of range (" +
                       std::to_string(p.branches.size()) + " branches)");
      }
      return run(*p.branches[static_cast<std::size_t>(v)], in, out);
    }
    case Plan::Op::reader_union:
      if (!run(*p.inner, in, out)) return false;
      out.union_branch = p.reader_branch;
      return true;
  }
  return in.fail("internal: unknown plan");
}

bool run(const Plan& p, Input& in, Value& out) {
  if (!in.enter()) return false;
  bool ok = run_inner(p, in, out);
  in.leave();
  return ok;
}

}  // namespace

Decoder::~Decoder() = default;

Result<std::shared_ptr<const Decoder>> Decoder::create(std::shared_ptr<const Schema> writer,
                                                       std::shared_ptr<const Schema> reader,
                                                       DecodeLimits limits) {
  if (!writer) return Error(ErrorKind::invalid_argument, "no writer schema");
  std::shared_ptr<Decoder> d(new Decoder());
  d->writer_ = std::move(writer);
  d->reader_ = std::move(reader);
  d->limits_ = limits;
  PlanBuilder builder(*d);
  d->root_ = builder.build(d->writer_->root(), d->reader().root(), "");
  if (!builder.incompatibility.empty()) {
    return Error(ErrorKind::incompatible, builder.incompatibility);
  }
  if (d->root_->op == Plan::Op::fail) return Error(ErrorKind::incompatible, d->root_->failure);
  return std::shared_ptr<const Decoder>(std::move(d));
}

bool Decoder::decode(std::string_view datum, Value& out, Error& error) const {
  Input in(datum, limits_);
  if (!run(*root_, in, out)) {
    error = Error(ErrorKind::bad_data, in.message());
    return false;
  }
  if (in.left() != 0) {
    error = Error(ErrorKind::bad_data, std::to_string(in.left()) +
                                           " bytes left after the datum at byte " +
                                           std::to_string(in.offset()) + " (wrong schema?)");
    return false;
  }
  return true;
}

Result<Value> Decoder::decode(std::string_view datum) const {
  Value out;
  Error error;
  if (!decode(datum, out, error)) return error;
  return out;
}

}  // namespace ks3::avro

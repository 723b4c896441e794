// The row value model of the RowBuilder: a small tree of null / bool / int64 / double /
// string / bytes / list / struct values. A row is a struct whose fields are in the schema's
// order (missing trailing fields are null). A list is the value of a repeated field or of a LIST
// group (its items are the elements). Strings and bytes are owned, or borrowed with
// Value::string_ref / bytes_ref (no copy; the bytes must outlive the write_row call).
//
// To append many rows without allocating, keep one Value row and overwrite its fields (items()
// keeps its capacity; borrowed strings copy nothing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ks3::parquet {

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kBytes, kList, kStruct };

  Value() = default;
  static Value null() { return {}; }
  static Value boolean(bool v) {
    Value x(Kind::kBool);
    x.b_ = v;
    return x;
  }
  static Value integer(int64_t v) {
    Value x(Kind::kInt);
    x.i_ = v;
    return x;
  }
  static Value real(double v) {
    Value x(Kind::kDouble);
    x.d_ = v;
    return x;
  }
  static Value string(std::string v) { return owned(Kind::kString, std::move(v)); }
  static Value bytes(std::string v) { return owned(Kind::kBytes, std::move(v)); }
  static Value string_ref(std::string_view v) { return borrowed(Kind::kString, v); }
  static Value bytes_ref(std::string_view v) { return borrowed(Kind::kBytes, v); }
  static Value list(std::vector<Value> items) { return with_items(Kind::kList, std::move(items)); }
  static Value structure(std::vector<Value> fields) {
    return with_items(Kind::kStruct, std::move(fields));
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return b_; }
  int64_t as_int() const { return i_; }
  double as_double() const { return d_; }
  // kString / kBytes.
  std::string_view as_bytes() const { return borrowed_ ? view_ : std::string_view(owned_); }
  // List elements or struct fields.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }

  // In-place setters (keep the allocated capacity of the string and items).
  void set_null() { kind_ = Kind::kNull; }
  void set_bool(bool v) { kind_ = Kind::kBool, b_ = v; }
  void set_int(int64_t v) { kind_ = Kind::kInt, i_ = v; }
  void set_double(double v) { kind_ = Kind::kDouble, d_ = v; }
  void set_string_ref(std::string_view v) { kind_ = Kind::kString, borrowed_ = true, view_ = v; }
  void set_bytes_ref(std::string_view v) { kind_ = Kind::kBytes, borrowed_ = true, view_ = v; }
  void set_string(std::string_view v) {
    kind_ = Kind::kString, borrowed_ = false;
    owned_.assign(v);
  }
  void set_list() { kind_ = Kind::kList; }      // then fill items()
  void set_struct() { kind_ = Kind::kStruct; }  // then fill items()

 private:
  explicit Value(Kind k) : kind_(k) {}
  static Value owned(Kind k, std::string v) {
    Value x(k);
    x.owned_ = std::move(v);
    return x;
  }
  static Value borrowed(Kind k, std::string_view v) {
    Value x(k);
    x.borrowed_ = true;
    x.view_ = v;
    return x;
  }
  static Value with_items(Kind k, std::vector<Value> items) {
    Value x(k);
    x.items_ = std::move(items);
    return x;
  }

  Kind kind_ = Kind::kNull;
  bool borrowed_ = false;
  bool b_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  std::string owned_;
  std::string_view view_;
  std::vector<Value> items_;
};

}  // namespace ks3::parquet

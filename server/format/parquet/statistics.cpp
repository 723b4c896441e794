#include "server/format/parquet/statistics.hpp"

#include <cmath>

#include "server/format/parquet/encoding.hpp"

namespace ks3::parquet {

ColumnStatistics::ColumnStatistics(const Column& column) : type_(column.physical_type) {
  switch (type_) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      order_ = Order::kInt;
      break;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      order_ = Order::kFloat;
      break;
    case PhysicalType::kByteArray:
      order_ =
          column.logical_type.kind == LogicalType::Kind::kDecimal ? Order::kNone : Order::kBytes;
      break;
    case PhysicalType::kFixedLenByteArray:
      order_ = column.logical_type.kind == LogicalType::Kind::kDecimal ? Order::kSignedBytes
                                                                       : Order::kBytes;
      break;
    default:
      order_ = Order::kNone;
  }
}

void ColumnStatistics::reset() {
  has_ = false;
  nulls_ = nans_ = 0;
  min_s_.clear();
  max_s_.clear();
}

void ColumnStatistics::add_double(double v) {
  if (std::isnan(v)) {
    ++nans_;
    return;
  }
  if (!has_) {
    has_ = true;
    min_d_ = max_d_ = v;
  } else if (v < min_d_) {
    min_d_ = v;
  } else if (v > max_d_) {
    max_d_ = v;
  }
}

bool ColumnStatistics::less(std::string_view a, std::string_view b) const {
  if (order_ == Order::kSignedBytes && !a.empty() && !b.empty()) {
    // Same width (FIXED_LEN_BYTE_ARRAY): the sign byte decides first, signed.
    const auto sa = static_cast<int8_t>(a[0]);
    const auto sb = static_cast<int8_t>(b[0]);
    if (sa != sb) return sa < sb;
    return a.substr(1) < b.substr(1);
  }
  return a < b;  // char_traits<char>::compare is memcmp: unsigned byte-wise
}

void ColumnStatistics::add_bytes(std::string_view v) {
  if (order_ == Order::kNone) return;
  if (!has_) {
    has_ = true;
    min_s_.assign(v);
    max_s_.assign(v);
  } else if (less(v, min_s_)) {
    min_s_.assign(v);
  } else if (less(max_s_, v)) {
    max_s_.assign(v);
  }
}

Statistics ColumnStatistics::to_thrift() const {
  Statistics s;
  s.null_count = nulls_;
  if (order_ == Order::kFloat) s.nan_count = nans_;
  if (!has_) return s;
  switch (type_) {
    case PhysicalType::kBoolean:
      s.min_value = std::string(1, static_cast<char>(min_i_));
      s.max_value = std::string(1, static_cast<char>(max_i_));
      break;
    case PhysicalType::kInt32:
      s.min_value = plain_bytes(static_cast<int32_t>(min_i_));
      s.max_value = plain_bytes(static_cast<int32_t>(max_i_));
      break;
    case PhysicalType::kInt64:
      s.min_value = plain_bytes(min_i_);
      s.max_value = plain_bytes(max_i_);
      break;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: {
      const double lo = min_d_ == 0 ? -0.0 : min_d_;
      const double hi = max_d_ == 0 ? +0.0 : max_d_;
      if (type_ == PhysicalType::kFloat) {
        s.min_value = plain_bytes(static_cast<float>(lo));
        s.max_value = plain_bytes(static_cast<float>(hi));
      } else {
        s.min_value = plain_bytes(lo);
        s.max_value = plain_bytes(hi);
      }
      break;
    }
    default:
      s.min_value = min_s_;
      s.max_value = max_s_;
  }
  return s;
}

}  // namespace ks3::parquet

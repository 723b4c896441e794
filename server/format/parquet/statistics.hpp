// Column chunk statistics: min_value / max_value in the column's sort order (ColumnOrder
// TYPE_ORDER of parquet.thrift) and null_count (nan_count for FLOAT / DOUBLE).
// - BOOLEAN false < true; INT32 / INT64 (plain, DATE, TIMESTAMP, DECIMAL): signed;
// - FLOAT / DOUBLE: numeric, NaN left out (counted), a zero min is written -0.0, a zero max +0.0;
// - BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY (STRING, JSON, UUID, bytes): unsigned byte-wise;
// - DECIMAL in FIXED_LEN_BYTE_ARRAY: signed big-endian two's complement;
// - DECIMAL in BYTE_ARRAY: no min/max (variable width; only null_count).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/format/parquet/metadata.hpp"
#include "server/format/parquet/schema.hpp"

namespace ks3::parquet {

class ColumnStatistics {
 public:
  explicit ColumnStatistics(const Column& column);

  void add_int(int64_t v) {
    if (!has_) {
      has_ = true;
      min_i_ = max_i_ = v;
    } else if (v < min_i_) {
      min_i_ = v;
    } else if (v > max_i_) {
      max_i_ = v;
    }
  }
  void add_double(double v);
  void add_bytes(std::string_view v);
  void add_nulls(int64_t n) { nulls_ += n; }

  Statistics to_thrift() const;
  void reset();

 private:
  enum class Order { kInt, kFloat, kBytes, kSignedBytes, kNone };
  bool less(std::string_view a, std::string_view b) const;

  PhysicalType type_;
  Order order_;
  bool has_ = false;
  int64_t nulls_ = 0;
  int64_t nans_ = 0;
  int64_t min_i_ = 0, max_i_ = 0;
  double min_d_ = 0, max_d_ = 0;
  std::string min_s_, max_s_;
};

}  // namespace ks3::parquet

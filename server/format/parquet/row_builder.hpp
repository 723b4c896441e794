// Shreds rows of the Value model (value.hpp) into the leaf columns of a schema: the record
// shredding of the Dremel paper, producing each leaf value with its definition and repetition
// levels.
//
// A row is validated completely before any column is touched, so a row that does not fit the
// schema (a missing required value, a string for an int column, an int out of INT32 range...)
// throws std::invalid_argument naming the column and leaves the row group unchanged.
//
// Conversions at the leaves: BOOLEAN <- bool; INT32 / INT64 <- int (range-checked; DATE days,
// TIMESTAMP in its unit, DECIMAL unscaled); FLOAT / DOUBLE <- double or int; BYTE_ARRAY <-
// string or bytes; FIXED_LEN_BYTE_ARRAY <- bytes of the exact length, for UUID also the 36-char
// text form, for DECIMAL also an int (the unscaled value).
#pragma once

#include <vector>

#include "server/format/parquet/column_writer.hpp"
#include "server/format/parquet/schema.hpp"
#include "server/format/parquet/value.hpp"

namespace ks3::parquet {

class RowBuilder {
 public:
  // `columns` are the schema's leaf columns in order; both must outlive the builder.
  RowBuilder(const Schema& schema, std::vector<ColumnWriter>& columns);

  // `row` is a struct (fields in schema order). Throws std::invalid_argument (nothing written).
  void write_row(const Value& row);

 private:
  template <bool kWrite>
  void field(const Node& node, const Value* v, int16_t def, int16_t rep);
  template <bool kWrite>
  void present(const Node& node, const Value& v, int16_t def, int16_t rep);
  template <bool kWrite>
  void leaf(const Node& node, const Value& v, int16_t rep);
  void nulls(const Node& node, int16_t def, int16_t rep);

  const Schema& schema_;
  std::vector<ColumnWriter>& columns_;
  std::string scratch_;
};

}  // namespace ks3::parquet

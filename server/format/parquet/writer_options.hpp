// Options of the ParquetWriter (and its column writers).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "server/format/parquet/codec.hpp"
#include "server/format/parquet/metadata.hpp"

namespace ks3::parquet {

struct WriterOptions {
  Codec codec = Codec::kZstd;
  int compression_level = 0;  // 0: the codec's default (zstd 1, gzip 6)
  // A row group is closed once its estimated size (finished compressed pages + open pages)
  // reaches this many bytes.
  size_t row_group_bytes = 64 << 20;
  // A data page is closed once its (uncompressed) values and levels reach this many bytes.
  size_t page_bytes = 1 << 20;
  // BYTE_ARRAY columns: try dictionary encoding; fall back to PLAIN once the dictionary page would
  // pass this many bytes.
  bool dictionary = true;
  size_t dictionary_bytes = 1 << 20;
  std::string created_by = "kafka-s3-sink";
  std::vector<KeyValue> key_value_metadata = {};  // footer key_value_metadata
};

}  // namespace ks3::parquet

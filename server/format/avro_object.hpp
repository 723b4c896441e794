// The body of one Avro object container file (format.type avro, with format.input avro): the
// writer schema of its records in the header, their datums passed through unchanged in blocks
// (avro/container_writer.hpp). One writer schema per object: a record with another schema cuts
// the partition first (CutReason::schema_change). The sync marker is derived from the schema and
// the object key, so a replayed object is identical. Pure.
#pragma once

#include <memory>
#include <string>

#include "server/compress/compressor.hpp"
#include "server/format/avro/container_writer.hpp"
#include "server/format/object_body.hpp"

namespace ks3::server {

// compression.type -> avro.codec: none -> null, gzip -> deflate (the same algorithm, as the
// specification defines it), zstd -> zstandard, snappy -> snappy.
avro::Codec avro_codec(Compression compression);

class AvroObject final : public ObjectBody {
 public:
  AvroObject(std::shared_ptr<const std::string> schema_text, std::string_view object_key,
             avro::ContainerOptions options);

  // `encoded`: one Avro binary datum written with the schema.
  void add(std::string_view encoded) override;
  void take_bytes(std::string& out) override;
  void finish(std::string& out) override;
  std::size_t held_bytes() const override;

 private:
  avro::ContainerWriter writer_;
  std::string out_;  // finished bytes not taken yet
};

}  // namespace ks3::server

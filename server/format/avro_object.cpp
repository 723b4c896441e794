#include "server/format/avro_object.hpp"

#include <stdexcept>

namespace ks3::server {

avro::Codec avro_codec(Compression compression) {
  switch (compression) {
    case Compression::none:
      return avro::Codec::null;
    case Compression::gzip:
      return avro::Codec::deflate;
    case Compression::zstd:
      return avro::Codec::zstandard;
    case Compression::snappy:
      return avro::Codec::snappy;
  }
  return avro::Codec::null;
}

AvroObject::AvroObject(std::shared_ptr<const std::string> schema_text, std::string_view object_key,
                       avro::ContainerOptions options)
    : writer_(*schema_text, avro::derive_sync_marker(*schema_text, object_key),
              std::move(options)) {
  writer_.write_header(out_);
}

void AvroObject::add(std::string_view encoded) {
  if (auto added = writer_.add(encoded, out_); !added) {
    throw std::runtime_error("avro container: " + added.error().describe());
  }
}

void AvroObject::take_bytes(std::string& out) {
  if (out.empty()) {
    out.swap(out_);
  } else {
    out.append(out_);
  }
  out_.clear();
}

void AvroObject::finish(std::string& out) {
  if (auto flushed = writer_.flush(out_); !flushed) {
    throw std::runtime_error("avro container: " + flushed.error().describe());
  }
  take_bytes(out);
}

std::size_t AvroObject::held_bytes() const {
  return out_.capacity() + writer_.pending_bytes();
}

}  // namespace ks3::server

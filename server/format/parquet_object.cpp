#include "server/format/parquet_object.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <stdexcept>

#include "server/format/avro_parquet.hpp"

namespace ks3::server {
namespace {

using parquet::Node;
using parquet::Repetition;

// Held rows (infer) go into chunks of 16 KiB doubling up to 1 MiB: a small object holds
// little, a large one is not copied as it grows.
constexpr std::size_t kFirstHeldChunkBytes = 16 << 10;
constexpr std::size_t kHeldChunkBytes = 1 << 20;

std::string_view column_name(EnvelopeField field) {
  return to_string(field);
}

}  // namespace

parquet::Codec parquet_codec(Compression compression) {
  switch (compression) {
    case Compression::none:
      return parquet::Codec::kUncompressed;
    case Compression::gzip:
      return parquet::Codec::kGzip;
    case Compression::zstd:
      return parquet::Codec::kZstd;
    case Compression::snappy:
      return parquet::Codec::kSnappy;
  }
  return parquet::Codec::kUncompressed;
}

ParquetObjectOptions parquet_object_options(const EncoderOptions& format, Compression compression,
                                            int level) {
  ParquetObjectOptions options;
  options.fields = format.fields;
  options.value_mode = format.parquet_value;
  options.key_encoding = format.key_encoding;
  options.value_encoding = format.value_encoding;
  options.writer.codec = parquet_codec(compression);
  options.writer.compression_level = level > 0 ? level : 0;
  options.writer.row_group_bytes = static_cast<std::size_t>(format.parquet_row_group_bytes);
  return options;
}

ParquetObject::ParquetObject(ParquetObjectOptions options,
                             std::shared_ptr<const AvroWriterSchema> avro)
    : options_(std::move(options)), avro_(std::move(avro)) {
  if (!holds_rows()) {
    writer_ = std::make_unique<parquet::ParquetWriter>(schema_for(nullptr), options_.writer);
  }
}

ParquetObject::~ParquetObject() = default;

parquet::Schema ParquetObject::schema_for(const InferredType* value) const {
  constexpr auto optional = Repetition::kOptional;
  std::vector<Node> nodes;
  for (EnvelopeField field : options_.fields) {
    std::string name(column_name(field));
    switch (field) {
      case EnvelopeField::topic:
        nodes.push_back(Node::string(name, Repetition::kRequired));
        break;
      case EnvelopeField::partition:
        nodes.push_back(Node::int32(name, Repetition::kRequired));
        break;
      case EnvelopeField::offset:
        nodes.push_back(Node::int64(name, Repetition::kRequired));
        break;
      case EnvelopeField::timestamp:
        nodes.push_back(Node::timestamp(name, optional, parquet::TimeUnit::kMillis));
        break;
      case EnvelopeField::key:
        nodes.push_back(options_.key_encoding == BytesEncoding::json
                            ? Node::json(name, optional)
                            : Node::string(name, optional));
        break;
      case EnvelopeField::headers:
        nodes.push_back(Node::list(name, optional,
                                   Node::group("element", Repetition::kRequired,
                                               {Node::string("key", Repetition::kRequired),
                                                Node::string("value", optional)})));
        break;
      case EnvelopeField::op:
        nodes.push_back(Node::string(name, optional));
        break;
      case EnvelopeField::value:
        if (avro_) {
          nodes.push_back(avro_to_parquet_node(name, avro_->root()));
        } else if (value) {
          nodes.push_back(value->to_node(name));
        } else {
          nodes.push_back(options_.value_encoding == BytesEncoding::json
                              ? Node::json(name, optional)
                              : Node::string(name, optional));
        }
        break;
    }
  }
  return parquet::Schema(std::move(nodes));
}

void ParquetObject::write(const ParquetRow& row, const boost::json::value* parsed) {
  parquet::Value& out = value_;
  out.set_struct();
  out.items().resize(options_.fields.size());
  for (std::size_t i = 0; i < options_.fields.size(); ++i) {
    parquet::Value& cell = out.items()[i];
    switch (options_.fields[i]) {
      case EnvelopeField::topic:
        cell.set_string_ref(row.topic);
        break;
      case EnvelopeField::partition:
        cell.set_int(row.partition);
        break;
      case EnvelopeField::offset:
        cell.set_int(row.offset);
        break;
      case EnvelopeField::timestamp:
        if (row.timestamp_ms < 0) {
          cell.set_null();
        } else {
          cell.set_int(row.timestamp_ms);
        }
        break;
      case EnvelopeField::key:
        if (row.key) {
          cell.set_string_ref(*row.key);
        } else {
          cell.set_null();
        }
        break;
      case EnvelopeField::headers: {
        cell.set_list();
        cell.items().resize(row.headers.size());
        for (std::size_t h = 0; h < row.headers.size(); ++h) {
          parquet::Value& header = cell.items()[h];
          header.set_struct();
          header.items().resize(2);
          header.items()[0].set_string_ref(row.headers[h].first);
          if (row.headers[h].second) {
            header.items()[1].set_string_ref(*row.headers[h].second);
          } else {
            header.items()[1].set_null();
          }
        }
        break;
      }
      case EnvelopeField::op:
        if (row.op) {
          cell.set_string_ref(std::string_view(&row.op, 1));
        } else {
          cell.set_null();
        }
        break;
      case EnvelopeField::value:
        if (avro_ && row.value) {
          if (!avro_->decoder->decode(*row.value, avro_value_, avro_error_)) {
            throw std::logic_error("parquet: a datum the input validated does not decode: " +
                                   avro_error_.describe());
          }
          avro_to_parquet_value(avro_->root(), avro_value_, cell);
        } else if (parsed) {
          inferred_.to_value(*parsed, cell);
        } else if (row.value) {
          cell.set_string_ref(*row.value);
        } else {
          cell.set_null();
        }
        break;
    }
  }
  writer_->write_row(out);
}

void ParquetObject::add(std::string_view encoded) {
  std::string_view rest = encoded;
  if (!read_parquet_row(rest, row_) || !rest.empty()) {
    throw std::logic_error("parquet: a malformed row from the encoder");
  }
  ++rows_;
  if (!holds_rows()) {
    write(row_, nullptr);
    return;
  }
  if (row_.value && !with_json_value(*row_.value, [this](const boost::json::value& parsed) {
        inferred_.merge(parsed);
      })) {
    throw std::logic_error("parquet: a value the encoder validated does not parse");
  }
  if (held_rows_.empty() ||
      held_rows_.back().size() + encoded.size() > held_rows_.back().capacity()) {
    const std::size_t size = held_rows_.empty()
                                 ? kFirstHeldChunkBytes
                                 : std::min(kHeldChunkBytes, 2 * held_rows_.back().capacity());
    held_rows_.emplace_back().reserve(std::max(size, encoded.size()));
    held_capacity_ += held_rows_.back().capacity();
  }
  held_rows_.back().append(encoded);
}

void ParquetObject::take_bytes(std::string& out) {
  if (writer_) writer_->take_bytes(out);
}

void ParquetObject::finish(std::string& out) {
  if (holds_rows()) {
    writer_ = std::make_unique<parquet::ParquetWriter>(schema_for(&inferred_), options_.writer);
    const boost::json::value null_value;
    for (std::string& chunk : held_rows_) {
      std::string_view rest = chunk;
      while (!rest.empty()) {
        if (!read_parquet_row(rest, row_)) {
          throw std::logic_error("parquet: a malformed held row");
        }
        if (!row_.value) {
          write(row_, &null_value);
        } else if (!with_json_value(*row_.value, [this](const boost::json::value& parsed) {
                     write(row_, &parsed);
                   })) {
          throw std::logic_error("parquet: a held value does not parse");
        }
        // Closed row groups leave as they close: the file is never held twice.
        writer_->take_bytes(out);
      }
      held_capacity_ -= chunk.capacity();
      std::string().swap(chunk);  // the rows written give their memory back as the file grows
    }
    held_rows_.clear();
  }
  writer_->finish(out);
}

std::size_t ParquetObject::held_bytes() const {
  return held_capacity_ + held_rows_.capacity() * sizeof(std::string) +
         (writer_ ? writer_->buffered_bytes() : 0);
}

}  // namespace ks3::server

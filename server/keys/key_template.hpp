// Object key templates: parsing (at start-up, with errors a user can act on) and rendering.
//
// Variables:
//   {{topic}}                      the record's topic
//   {{partition}}                  the partition number; {{partition:5}} zero-pads to 5 digits
//                                  ({{partition:padding=true}}, Aiven's form, pads to 10)
//   {{start_offset}}               offset of the object's first record, zero-padded to 20 digits;
//                                  {{start_offset:10}} pads to 10 (Kafka Connect's
//                                  filename.offset.zero.pad.width), {{start_offset:1}} does not
//                                  pad (Aiven's unpadded form); larger offsets keep every digit
//   {{key}}                        the record key (as text)
//   {{value.<dotted.path>}}        a scalar JSON field of the value, e.g. {{value.source.table}}
//   {{key.<dotted.path>}}          a scalar JSON field of the key, e.g. {{key.id}} (keys that are
//                                  JSON: format.key_input avro, or JSON keys)
//   {{timestamp:<format>}}         the record time in UTC; in <format>, YYYY (or yyyy) MM DD (or
//   dd)
//                                  HH mm ss are replaced, everything else is copied, e.g.
//                                  dt={{timestamp:YYYY-MM-DD}}/hour={{timestamp:HH}}
//                                  ({{timestamp:unit=yyyy}}, Aiven's form, is accepted)
// Values from data follow the rule in key_safe.hpp; a missing value (null key, field absent,
// record without timestamp) takes the configured default (`_unknown`).
//
// Exactly-once needs every object key to be a function of (group, topic, partition, start
// offset), so a template must contain {{partition}} and {{start_offset}}.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/record/json_path.hpp"
#include "server/record/record.hpp"

namespace ks3::server {

// Thrown by KeyTemplate::parse with a message that says what is wrong and how to fix it.
class KeyTemplateError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct KeyTemplateOptions {
  std::string prefix;     // prepended as is (from configuration: see folder_prefix), e.g. "raw/"
  std::string extension;  // appended, e.g. ".jsonl.gz"
  std::string missing_default = "_unknown";
  // Log objects need {{partition}} and {{start_offset}}; mode: mirror's document keys do not
  // (one object per document, replaced in place).
  bool require_offset = true;
};

class KeyTemplate {
 public:
  static KeyTemplate parse(std::string_view text, KeyTemplateOptions options = {});

  // The object group of a record: the key with its start offset left as a marker byte that
  // no rendered value can contain. Records of one partition with equal groups share an object.
  // `json` is used (and reloaded) only when the template reads {{value....}} or {{key....}}.
  std::string render_group(const RecordView& record, JsonReader& json) const;

  // The object key of a group whose first record has offset `start_offset`.
  static std::string object_key(std::string_view group, std::int64_t start_offset);

  bool reads_value() const { return !value_paths_.empty(); }
  // True when {{topic}} is part of the key: needed as soon as more than one topic can be
  // consumed, or partition 0 of two topics would share keys (config_validate.cpp).
  bool reads_topic() const;
  // True when the group depends only on topic and partition (no key, value or timestamp):
  // the pipeline then renders it once per partition.
  bool per_partition_only() const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind {
    literal,
    topic,
    partition,
    start_offset,
    key,
    value_field,
    key_field,
    timestamp
  };
  enum class TimeField { year, month, day, hour, minute, second };
  struct TimePiece {
    bool literal = true;
    std::string text;   // when literal
    TimeField field{};  // otherwise
  };
  struct Piece {
    Kind kind = Kind::literal;
    std::string text;             // literal text
    int width = 0;                // partition or start offset padding
    std::size_t value_index = 0;  // into value_paths_ (value_field) or key_paths_ (key_field)
    std::vector<TimePiece> time_format;
  };

  static Piece parse_variable(std::string_view body, std::vector<JsonPath>& value_paths,
                              std::vector<JsonPath>& key_paths);
  static std::vector<TimePiece> parse_time_format(std::string_view format);
  void append_timestamp(std::string& out, const Piece& piece, std::int64_t timestamp_ms) const;

  std::string text_;
  KeyTemplateOptions options_;
  std::vector<Piece> pieces_;
  std::vector<JsonPath> value_paths_;
  std::vector<JsonPath> key_paths_;
};

// A configured prefix is a folder (as Kafka Connect's topics.dir): "raw" -> "raw/", "raw/" and
// "" stay as they are.
std::string folder_prefix(std::string_view prefix);

// The default template (Kafka Connect's layout): topic/partition=N/topic+N+offset.
inline constexpr std::string_view kDefaultKeyTemplate =
    "{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}";

}  // namespace ks3::server

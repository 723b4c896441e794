#include "server/config/config_schema.hpp"

#include <algorithm>

#include "server/config/config_values.hpp"

namespace ks3::server {
namespace {

const std::string& scalar_of(const RawValue& value) {
  if (value.kind != RawValue::Kind::scalar) throw ConfigValueError("expects a single value");
  return value.scalar;
}

KeySpec typed(KeySpec key, ValueType type) {
  key.type = type;
  return key;
}

template <typename Ref>
KeySpec text_key(std::string path, Ref ref, bool secret = false) {
  return KeySpec{
      std::move(path), KeyKind::scalar, secret,
      [ref](SinkConfig& c, const RawValue& v) { ref(c) = scalar_of(v); },
      [ref](const SinkConfig& c) { return RawValue::of(ref(const_cast<SinkConfig&>(c))); }};
}

template <typename Ref>
KeySpec size_key(std::string path, Ref ref) {
  return typed(
      KeySpec{std::move(path), KeyKind::scalar, false,
              [ref](SinkConfig& c, const RawValue& v) {
                auto bytes = parse_size(scalar_of(v));
                if (!bytes) {
                  throw ConfigValueError("'" + v.scalar +
                                         "' is not a size; write bytes or a unit, e.g. 8MiB, "
                                         "512KiB, 1GiB, 5MB");
                }
                ref(c) = *bytes;
              },
              [ref](const SinkConfig& c) {
                return RawValue::of(format_size(ref(const_cast<SinkConfig&>(c))));
              }},
      ValueType::size);
}

template <typename Ref>
KeySpec duration_key(std::string path, Ref ref) {
  return typed(
      KeySpec{std::move(path), KeyKind::scalar, false,
              [ref](SinkConfig& c, const RawValue& v) {
                auto duration = parse_duration(scalar_of(v));
                if (!duration) {
                  throw ConfigValueError("'" + v.scalar +
                                         "' is not a duration; write milliseconds or a unit, "
                                         "e.g. 500ms, 30s, 5m, 1h (0 turns it off)");
                }
                ref(c) = *duration;
              },
              [ref](const SinkConfig& c) {
                return RawValue::of(format_duration(ref(const_cast<SinkConfig&>(c))));
              }},
      ValueType::duration);
}

template <typename Ref>
KeySpec bool_key(std::string path, Ref ref) {
  return typed(KeySpec{std::move(path), KeyKind::scalar, false,
                       [ref](SinkConfig& c, const RawValue& v) {
                         auto flag = parse_bool(scalar_of(v));
                         if (!flag)
                           throw ConfigValueError("'" + v.scalar + "' is not true or false");
                         ref(c) = *flag;
                       },
                       [ref](const SinkConfig& c) {
                         return RawValue::of(ref(const_cast<SinkConfig&>(c)) ? "true" : "false");
                       }},
               ValueType::boolean);
}

template <typename Ref>
KeySpec count_key(std::string path, Ref ref, std::uint64_t min, std::uint64_t max) {
  KeySpec key{std::move(path), KeyKind::scalar, false,
              [ref, min, max](SinkConfig& c, const RawValue& v) {
                auto number = parse_unsigned(scalar_of(v));
                if (!number || *number < min || *number > max) {
                  throw ConfigValueError("'" + v.scalar + "' must be a whole number from " +
                                         std::to_string(min) + " to " + std::to_string(max));
                }
                using T = std::remove_reference_t<decltype(ref(c))>;
                ref(c) = static_cast<T>(*number);
              },
              [ref](const SinkConfig& c) {
                return RawValue::of(std::to_string(ref(const_cast<SinkConfig&>(c))));
              }};
  key.type = ValueType::count;
  key.min = min;
  key.max = max;
  return key;
}

// An enum key. Names and parsing come from the enum's own table (the parse/to_string pair next
// to the enum, which the s3 CLI uses too), so the configuration, the command line and the
// messages cannot drift apart; `values` only lists the members in the order messages show them.
template <typename E>
struct EnumTable {
  std::vector<E> values;
  std::function<std::string_view(E)> name;
  // Accepts the canonical names and any alias the enum's parser knows (nullptr: names only).
  std::function<std::optional<E>(std::string_view)> parse;
};

template <typename E, typename Ref>
KeySpec choice_key(std::string path, Ref ref, EnumTable<E> table) {
  std::vector<std::string> names;
  for (E value : table.values) names.emplace_back(table.name(value));
  if (!table.parse) {
    table.parse = [values = table.values, name = table.name](std::string_view text) {
      for (E value : values) {
        if (name(value) == text) return std::optional<E>(value);
      }
      return std::optional<E>();
    };
  }
  std::string allowed;
  for (const std::string& name : names) allowed += (allowed.empty() ? "" : ", ") + name;
  KeySpec key{std::move(path), KeyKind::scalar, false,
              [ref, table, allowed](SinkConfig& c, const RawValue& v) {
                const std::string& text = scalar_of(v);
                auto value = table.parse(text);
                if (!value) throw ConfigValueError("'" + text + "' is not one of: " + allowed);
                ref(c) = *value;
              },
              [ref, table](const SinkConfig& c) {
                return RawValue::of(std::string(table.name(ref(const_cast<SinkConfig&>(c)))));
              }};
  key.type = ValueType::choice;
  key.choices = std::move(names);
  return key;
}

// Adapts a parser of the form bool parse(text, out&).
template <typename E>
std::function<std::optional<E>(std::string_view)> out_parser(bool (*parse)(std::string_view, E&)) {
  return [parse](std::string_view text) {
    E value{};
    return parse(text, value) ? std::optional<E>(value) : std::nullopt;
  };
}

template <typename E>
std::function<std::string_view(E)> namer(std::string_view (*name)(E)) {
  return name;
}

// metrics/log has the parsers but no public names; the table-driven config test checks that
// every name here parses back to its value (tests/unit/config/config_schema_test.cpp).
std::string_view log_level_name(log::Level level) {
  switch (level) {
    case log::Level::debug:
      return "debug";
    case log::Level::info:
      return "info";
    case log::Level::warn:
      return "warn";
    case log::Level::error:
      return "error";
  }
  return "?";
}

std::string_view log_format_name(log::Format format) {
  return format == log::Format::json ? "json" : "text";
}

// compression.level: valid levels depend on compression.type (gzip 1-9, zstd 1-19, none 0,
// valid_compression_level); config_validate.cpp checks the pair once both are known.
KeySpec compression_level_key() {
  KeySpec key{
      "compression.level", KeyKind::scalar, false,
      [](SinkConfig& c, const RawValue& v) {
        auto number = parse_unsigned(scalar_of(v));
        if (!number || *number > 19) {
          throw ConfigValueError("'" + v.scalar +
                                 "' is not a compression level: gzip takes 1-9, zstd "
                                 "1-19, none and snappy 0 (or leave it unset for the default)");
        }
        c.compression.level = static_cast<int>(*number);
      },
      [](const SinkConfig& c) { return RawValue::of(std::to_string(c.compression.level)); }};
  key.type = ValueType::count;
  key.min = 0;
  key.max = 19;
  return key;
}

std::vector<std::string> list_of(const RawValue& value) {
  if (value.kind == RawValue::Kind::list) return value.list;
  if (value.kind == RawValue::Kind::scalar) return split_list(value.scalar);
  throw ConfigValueError("expects a list (a YAML sequence, or comma-separated text)");
}

RawValue show_list(const std::vector<std::string>& items) {
  RawValue value;
  value.kind = RawValue::Kind::list;
  value.list = items;
  return value;
}

// A map of names to values (s3.tags, s3.metadata): a YAML map, or one entry per
// `--set <key>.<name>=value` / environment variable (config_loader.cpp). Entries merge by name
// across layers; an empty value clears the whole map (`--set s3.tags=`).
template <typename Ref>
KeySpec key_values_key(std::string path, Ref ref, std::string example) {
  const std::string hint = "expects a map, e.g. " + example + " (or, with --set or the " +
                           "environment, one entry as " + path + ".<name>=<value>)";
  return typed(KeySpec{std::move(path), KeyKind::map, false,
                       [ref, hint](SinkConfig& c, const RawValue& v) {
                         s3::KeyValues& entries = ref(c);
                         if (v.kind == RawValue::Kind::scalar && v.scalar.empty()) {
                           entries.clear();
                           return;
                         }
                         if (v.kind != RawValue::Kind::map) throw ConfigValueError(hint);
                         for (const auto& entry : v.map) {
                           auto same = std::find_if(
                               entries.begin(), entries.end(),
                               [&entry](const auto& e) { return e.first == entry.first; });
                           if (same != entries.end()) {
                             same->second = entry.second;
                           } else {
                             entries.push_back(entry);
                           }
                         }
                       },
                       [ref](const SinkConfig& c) {
                         RawValue value;
                         value.kind = RawValue::Kind::map;
                         value.map = ref(const_cast<SinkConfig&>(c));
                         return value;
                       }},
               ValueType::map);
}

KeySpec topics_key() {
  return typed(KeySpec{"kafka.topics", KeyKind::list, false,
                       [](SinkConfig& c, const RawValue& v) { c.kafka.topics = list_of(v); },
                       [](const SinkConfig& c) { return show_list(c.kafka.topics); }},
               ValueType::list);
}

KeySpec properties_key() {
  return typed(
      KeySpec{"kafka.properties", KeyKind::map, false,
              [](SinkConfig& c, const RawValue& v) {
                if (v.kind != RawValue::Kind::map) {
                  throw ConfigValueError(
                      "expects a map of librdkafka properties, e.g. {fetch.wait.max.ms: 100}");
                }
                for (const auto& [name, text] : v.map) c.kafka.properties[name] = text;
              },
              [](const SinkConfig& c) {
                RawValue value;
                value.kind = RawValue::Kind::map;
                for (const auto& [name, text] : c.kafka.properties) {
                  value.map.emplace_back(name, is_secret_kafka_property(name) ? "***" : text);
                }
                return value;
              }},
      ValueType::map);
}

// kafka.assign.replicas: unset (group mode) until given; "" unsets it again (the effective
// configuration shows an unset value as "").
KeySpec assign_replicas_key() {
  constexpr std::uint64_t kMax = 100000;
  KeySpec key{"kafka.assign.replicas", KeyKind::scalar, false,
              [](SinkConfig& c, const RawValue& v) {
                const std::string& text = scalar_of(v);
                if (trim(text).empty()) {
                  c.kafka.assign.replicas.reset();
                  return;
                }
                auto number = parse_unsigned(trim(text));
                if (!number || *number < 1 || *number > kMax) {
                  throw ConfigValueError("'" + text + "' must be a whole number from 1 to " +
                                         std::to_string(kMax) +
                                         " (the number of instances sharing the partitions)");
                }
                c.kafka.assign.replicas = static_cast<std::uint32_t>(*number);
              },
              [](const SinkConfig& c) {
                const auto& replicas = c.kafka.assign.replicas;
                return RawValue::of(replicas ? std::to_string(*replicas) : std::string());
              }};
  key.type = ValueType::count;
  key.min = 1;
  key.max = kMax;
  return key;
}

KeySpec fields_key() {
  return typed(KeySpec{"format.fields", KeyKind::list, false,
                       [](SinkConfig& c, const RawValue& v) {
                         std::vector<EnvelopeField> fields;
                         for (const std::string& name : list_of(v)) {
                           auto field = parse_envelope_field(name);
                           if (!field) {
                             throw ConfigValueError("unknown field '" + name +
                                                    "'; fields are topic, partition, offset, "
                                                    "timestamp, key, headers, value, op");
                           }
                           if (std::find(fields.begin(), fields.end(), *field) != fields.end()) {
                             throw ConfigValueError("field '" + name + "' is listed twice");
                           }
                           fields.push_back(*field);
                         }
                         if (fields.empty()) throw ConfigValueError("list at least one field");
                         c.format.fields = std::move(fields);
                       },
                       [](const SinkConfig& c) {
                         std::vector<std::string> names;
                         for (EnvelopeField field : c.format.fields)
                           names.emplace_back(to_string(field));
                         return show_list(names);
                       }},
               ValueType::list);
}

KeySpec delimiter_key() {
  return KeySpec{"format.delimiter", KeyKind::scalar, false,
                 [](SinkConfig& c, const RawValue& v) {
                   c.format.delimiter = unescape_delimiter(scalar_of(v));
                 },
                 [](const SinkConfig& c) {
                   std::string shown;
                   for (char ch : c.format.delimiter) {
                     if (ch == '\n')
                       shown += "\\n";
                     else if (ch == '\r')
                       shown += "\\r";
                     else if (ch == '\t')
                       shown += "\\t";
                     else if (ch == '\0')
                       shown += "\\0";
                     else
                       shown += ch;
                   }
                   return RawValue::of(shown);
                 }};
}

std::vector<KeySpec> build_keys() {
  using C = SinkConfig;
  std::vector<KeySpec> keys;
  // kafka
  keys.push_back(text_key(
      "kafka.bootstrap_servers", [](C & c) -> auto& { return c.kafka.bootstrap_servers; }));
  keys.push_back(text_key(
      "kafka.group_id", [](C & c) -> auto& { return c.kafka.group_id; }));
  keys.push_back(topics_key());
  keys.push_back(text_key(
      "kafka.topics_regex", [](C & c) -> auto& { return c.kafka.topics_regex; }));
  keys.push_back(properties_key());
  keys.push_back(bool_key(
      "kafka.fetch_wakeup", [](C & c) -> auto& { return c.kafka.fetch_wakeup; }));
  // static assignment (resolved and checked in config_assign.cpp)
  keys.push_back(assign_replicas_key());
  keys.push_back(text_key(
      "kafka.assign.ordinal", [](C & c) -> auto& { return c.kafka.assign.ordinal; }));
  // topic -> partitions ("0,1,2", "0-3" or a YAML list), merged by topic across layers.
  KeySpec assign_topics = key_values_key(
      "kafka.assign.topics", [](C & c) -> auto& { return c.kafka.assign.topics; },
      "{events: [0, 1, 2, 3]}");
  assign_topics.list_entries = true;
  keys.push_back(std::move(assign_topics));
  keys.push_back(duration_key(
      "kafka.assign.check_interval", [](C & c) -> auto& { return c.kafka.assign.check_interval; }));
  keys.push_back(duration_key(
      "kafka.assign.takeover_after", [](C & c) -> auto& { return c.kafka.assign.takeover_after; }));
  // s3
  keys.push_back(text_key(
      "s3.endpoint", [](C & c) -> auto& { return c.s3.client.endpoint; }));
  keys.push_back(text_key(
      "s3.region", [](C & c) -> auto& { return c.s3.client.region; }));
  keys.push_back(text_key(
      "s3.bucket", [](C & c) -> auto& { return c.s3.client.bucket; }));
  keys.push_back(text_key(
      "s3.prefix", [](C & c) -> auto& { return c.s3.prefix; }));
  keys.push_back(text_key(
      "s3.access_key_id", [](C & c) -> auto& { return c.s3.credentials.access_key_id; }));
  keys.push_back(text_key(
      "s3.secret_access_key", [](C & c) -> auto& { return c.s3.credentials.secret_access_key; },
      true));
  keys.push_back(text_key(
      "s3.session_token", [](C & c) -> auto& { return c.s3.credentials.session_token; }, true));
  keys.push_back(text_key(
      "s3.profile", [](C & c) -> auto& { return c.s3.credentials.profile; }));
  keys.push_back(choice_key(
      "s3.addressing", [](C & c) -> auto& { return c.s3.client.addressing; },
      EnumTable<s3::AddressingStyle>{{s3::AddressingStyle::automatic, s3::AddressingStyle::path,
                                      s3::AddressingStyle::virtual_hosted},
                                     namer<s3::AddressingStyle>(s3::to_string),
                                     out_parser(s3::parse_addressing_style)}));
  keys.push_back(bool_key(
      "s3.tls_verify", [](C & c) -> auto& { return c.s3.client.tls.verify; }));
  keys.push_back(text_key(
      "s3.ca_file", [](C & c) -> auto& { return c.s3.client.tls.ca_file; }));
  keys.push_back(choice_key(
      "s3.payload_signing", [](C & c) -> auto& { return c.s3.client.payload_signing; },
      EnumTable<s3::PayloadSigning>{
          {s3::PayloadSigning::automatic, s3::PayloadSigning::signed_payload,
           s3::PayloadSigning::unsigned_payload},
          namer<s3::PayloadSigning>(s3::to_string),
          out_parser(s3::parse_payload_signing)}));
  keys.push_back(choice_key(
      "s3.checksum", [](C & c) -> auto& { return c.s3.client.checksum; },
      EnumTable<s3::UploadChecksum>{{s3::UploadChecksum::crc32c, s3::UploadChecksum::md5},
                                    namer<s3::UploadChecksum>(s3::to_string),
                                    out_parser(s3::parse_upload_checksum)}));
  keys.push_back(size_key(
      "s3.part_size", [](C & c) -> auto& { return c.s3.part_size; }));
  keys.push_back(count_key(
      "s3.max_parts_in_flight", [](C & c) -> auto& { return c.s3.max_parts_in_flight; }, 1, 1024));
  keys.push_back(count_key(
      "s3.max_parts_in_flight_per_object",
      [](C & c) -> auto& { return c.s3.max_parts_in_flight_per_object; }, 1, 1024));
  keys.push_back(duration_key(
      "s3.health_check_interval", [](C & c) -> auto& { return c.s3.health_check_interval; }));
  keys.push_back(bool_key(
      "s3.startup_check", [](C & c) -> auto& { return c.s3.startup_check; }));
  // What every object gets (s3/object_settings.hpp); values are checked in config_validate.cpp.
  keys.push_back(choice_key(
      "s3.sse", [](C & c) -> auto& { return c.s3.objects.sse; },
      EnumTable<s3::ServerSideEncryption>{
          {s3::ServerSideEncryption::none, s3::ServerSideEncryption::aes256,
           s3::ServerSideEncryption::aws_kms, s3::ServerSideEncryption::aws_kms_dsse},
          namer<s3::ServerSideEncryption>(s3::to_string),
          out_parser(s3::parse_server_side_encryption)}));
  keys.push_back(text_key(
      "s3.sse_kms_key_id", [](C & c) -> auto& { return c.s3.objects.sse_kms_key_id; }));
  keys.push_back(text_key(
      "s3.storage_class", [](C & c) -> auto& { return c.s3.objects.storage_class; }));
  keys.push_back(key_values_key(
      "s3.tags", [](C & c) -> auto& { return c.s3.objects.tags; }, "{team: lake, env: prod}"));
  keys.push_back(key_values_key(
      "s3.metadata", [](C & c) -> auto& { return c.s3.objects.metadata; },
      "{source: kafka-s3-sink}"));
  keys.push_back(count_key(
      "s3.max_connections", [](C & c) -> auto& { return c.s3.client.max_connections; }, 1, 1024));
  keys.push_back(duration_key(
      "s3.connect_timeout", [](C & c) -> auto& { return c.s3.client.timeouts.connect; }));
  keys.push_back(duration_key(
      "s3.read_timeout", [](C & c) -> auto& { return c.s3.client.timeouts.read; }));
  keys.push_back(duration_key(
      "s3.write_timeout", [](C & c) -> auto& { return c.s3.client.timeouts.write; }));
  keys.push_back(count_key(
      "s3.max_attempts", [](C & c) -> auto& { return c.s3.client.retry.max_attempts; }, 1, 100));
  keys.push_back(duration_key(
      "s3.retry_base_delay", [](C & c) -> auto& { return c.s3.client.retry.base_delay; }));
  keys.push_back(duration_key(
      "s3.retry_max_delay", [](C & c) -> auto& { return c.s3.client.retry.max_delay; }));
  keys.push_back(duration_key(
      "s3.operation_deadline", [](C & c) -> auto& { return c.s3.client.retry.deadline; }));
  // format
  keys.push_back(choice_key(
      "format.type", [](C & c) -> auto& { return c.format.format; },
      EnumTable<OutputFormat>{{OutputFormat::jsonl, OutputFormat::raw, OutputFormat::csv,
                               OutputFormat::parquet, OutputFormat::avro},
                              namer<OutputFormat>(to_string),
                              parse_output_format}));
  keys.push_back(fields_key());
  const EnumTable<BytesEncoding> encodings{
      {BytesEncoding::json, BytesEncoding::string, BytesEncoding::base64},
      namer<BytesEncoding>(to_string),
      parse_bytes_encoding};
  keys.push_back(choice_key(
      "format.value_encoding", [](C & c) -> auto& { return c.format.value_encoding; }, encodings));
  keys.push_back(choice_key(
      "format.key_encoding", [](C & c) -> auto& { return c.format.key_encoding; }, encodings));
  keys.push_back(delimiter_key());
  keys.push_back(bool_key(
      "format.csv_header", [](C & c) -> auto& { return c.format.csv_header; }));
  // Avro input (format.input avro; the registry keys follow the parquet block), then parquet
  // (format.type parquet; the page codec is compression.type). One YAML map per section: the
  // format.* keys stay together.
  keys.push_back(choice_key(
      "format.input", [](C & c) -> auto& { return c.input; },
      EnumTable<InputFormat>{
          {InputFormat::json, InputFormat::avro}, namer<InputFormat>(to_string), nullptr}));
  keys.push_back(choice_key(
      "format.key_input", [](C & c) -> auto& { return c.key_input; },
      EnumTable<KeyInput>{{KeyInput::bytes, KeyInput::avro}, namer<KeyInput>(to_string), nullptr}));
  keys.push_back(text_key(
      "format.avro.reader_schema", [](C & c) -> auto& { return c.avro_reader_schema.path; }));
  // parquet
  keys.push_back(choice_key(
      "parquet.value", [](C & c) -> auto& { return c.format.parquet_value; },
      EnumTable<ParquetValueMode>{{ParquetValueMode::json, ParquetValueMode::infer},
                                  namer<ParquetValueMode>(to_string),
                                  parse_parquet_value_mode}));
  keys.push_back(size_key(
      "parquet.row_group_bytes", [](C & c) -> auto& { return c.format.parquet_row_group_bytes; }));
  // the Schema Registry of format.input avro
  keys.push_back(text_key(
      "schema_registry.url", [](C & c) -> auto& { return c.schema_registry.url; }));
  keys.push_back(text_key(
      "schema_registry.username", [](C & c) -> auto& { return c.schema_registry.username; }));
  keys.push_back(text_key(
      "schema_registry.password", [](C & c) -> auto& { return c.schema_registry.password; }, true));
  keys.push_back(text_key(
      "schema_registry.ca_file", [](C & c) -> auto& { return c.schema_registry.ca_file; }));
  // compression
  keys.push_back(choice_key(
      "compression.type", [](C & c) -> auto& { return c.compression.type; },
      EnumTable<Compression>{
          {Compression::gzip, Compression::zstd, Compression::none, Compression::snappy},
          namer<Compression>(to_string),
          parse_compression}));
  keys.push_back(compression_level_key());
  // keys
  keys.push_back(text_key(
      "key_template", [](C & c) -> auto& { return c.key_template; }));
  keys.push_back(text_key(
      "key_default", [](C & c) -> auto& { return c.key_default; }));
  // rotation
  keys.push_back(count_key(
      "rotation.max_records", [](C & c) -> auto& { return c.rotation.max_records; }, 0,
      UINT64_MAX));
  keys.push_back(size_key(
      "rotation.max_bytes", [](C & c) -> auto& { return c.rotation.max_bytes; }));
  keys.push_back(duration_key(
      "rotation.time_window", [](C & c) -> auto& { return c.rotation.time_window; }));
  keys.push_back(duration_key(
      "rotation.idle_flush", [](C & c) -> auto& { return c.rotation.idle_flush; }));
  keys.push_back(duration_key(
      "rotation.max_open", [](C & c) -> auto& { return c.rotation.max_open; }));
  // records that cannot be written as they are
  keys.push_back(choice_key(
      "tombstones", [](C & c) -> auto& { return c.tombstones; },
      EnumTable<TombstonePolicy>{
          {TombstonePolicy::ignore, TombstonePolicy::write, TombstonePolicy::fail},
          namer<TombstonePolicy>(to_string),
          nullptr}));
  keys.push_back(choice_key(
      "bad_records.policy", [](C & c) -> auto& { return c.bad_records.policy; },
      EnumTable<BadRecordPolicy>{
          {BadRecordPolicy::fail, BadRecordPolicy::skip, BadRecordPolicy::dead_letter},
          namer<BadRecordPolicy>(to_string),
          nullptr}));
  keys.push_back(text_key(
      "bad_records.dead_letter_prefix",
      [](C & c) -> auto& { return c.bad_records.dead_letter_prefix; }));
  keys.push_back(text_key(
      "bad_records.dead_letter_topic",
      [](C & c) -> auto& { return c.bad_records.dead_letter_topic; }));
  // cut manifests in S3 (re-runs after an offset reset write the same objects)
  keys.push_back(bool_key(
      "delivery.manifests", [](C & c) -> auto& { return c.delivery.manifests; }));
  // process
  keys.push_back(size_key(
      "memory.high_watermark", [](C & c) -> auto& { return c.memory.high_watermark; }));
  keys.push_back(size_key(
      "memory.low_watermark", [](C & c) -> auto& { return c.memory.low_watermark; }));
  keys.push_back(count_key(
      "pipeline.workers", [](C & c) -> auto& { return c.pipeline.workers; }, 0, 256));
  keys.push_back(duration_key(
      "shutdown_deadline", [](C & c) -> auto& { return c.shutdown_deadline; }));
  keys.push_back(text_key(
      "http.listen", [](C & c) -> auto& { return c.http_listen; }));
  // mode: mirror (server/mirror): one object per document. Kept together in one block.
  keys.push_back(choice_key(
      "mode", [](C & c) -> auto& { return c.mode; },
      EnumTable<SinkMode>{
          {SinkMode::log, SinkMode::mirror}, namer<SinkMode>(to_string), parse_sink_mode}));
  keys.push_back(text_key(
      "mirror.key_template", [](C & c) -> auto& { return c.mirror.key_template; }));
  keys.push_back(choice_key(
      "mirror.body", [](C & c) -> auto& { return c.mirror.body; },
      EnumTable<MirrorBody>{{MirrorBody::document, MirrorBody::value, MirrorBody::envelope},
                            namer<MirrorBody>(to_string),
                            parse_mirror_body}));
  keys.push_back(text_key(
      "mirror.document_field", [](C & c) -> auto& { return c.mirror.document_field; }));
  keys.push_back(choice_key(
      "mirror.deletes", [](C & c) -> auto& { return c.mirror.deletes; },
      EnumTable<MirrorDeletes>{{MirrorDeletes::remove, MirrorDeletes::marker},
                               namer<MirrorDeletes>(to_string),
                               parse_mirror_deletes}));
  keys.push_back(choice_key(
      "mirror.compression", [](C & c) -> auto& { return c.mirror.compression; },
      EnumTable<Compression>{
          {Compression::none, Compression::gzip}, namer<Compression>(to_string), nullptr}));
  keys.push_back(count_key(
      "mirror.key_map_size", [](C & c) -> auto& { return c.mirror.key_map_size; }, 0, 100000000));
  keys.push_back(bool_key(
      "mirror.key_log", [](C & c) -> auto& { return c.mirror.key_log; }));
  keys.push_back(count_key(
      "mirror.key_log_snapshot_every",
      [](C & c) -> auto& { return c.mirror.key_log_snapshot_every; }, 1, 100000));
  // The command line's --log-level and --log-format go through these two keys (config_loader).
  keys.push_back(choice_key(
      "log.level", [](C & c) -> auto& { return c.log_level; },
      EnumTable<log::Level>{
          {log::Level::debug, log::Level::info, log::Level::warn, log::Level::error},
          namer<log::Level>(log_level_name),
          out_parser(log::parse_level)}));
  keys.push_back(choice_key(
      "log.format", [](C & c) -> auto& { return c.log_format; },
      EnumTable<log::Format>{{log::Format::text, log::Format::json},
                             namer<log::Format>(log_format_name),
                             out_parser(log::parse_format)}));
  return keys;
}

std::string path_style_to_addressing(std::string_view value) {
  auto flag = parse_bool(value);
  if (!flag) return std::string(value);  // the canonical key reports the bad value
  return *flag ? "path" : "virtual";
}

std::string aiven_value_encoding(std::string_view value) {
  // Aiven's format.output.fields.value.encoding: base64 | none (the value as it is).
  return value == "none" ? "json" : std::string(value);
}

std::string connect_sse(std::string_view value) {
  // Confluent's s3.ssea.name and Aiven's aws.s3.sse.algorithm: "" (or unset) is no SSE header.
  return value.empty() ? "none" : std::string(value);
}

std::string connect_null_values(std::string_view value) {
  // Confluent's behavior.on.null.values: fail | ignore | write (older versions: fail | ignore).
  return std::string(value);
}

}  // namespace

const std::vector<KeySpec>& config_keys() {
  static const std::vector<KeySpec> keys = build_keys();
  return keys;
}

const std::vector<KeyAlias>& config_aliases() {
  static const std::vector<KeyAlias> aliases = {
      // Confluent S3 sink
      {"flush.size", "rotation.max_records"},
      {"rotate.interval.ms", "rotation.time_window"},
      {"rotate.schedule.interval.ms", "rotation.max_open"},
      {"topics", "kafka.topics"},
      {"topics.regex", "kafka.topics_regex"},
      {"s3.bucket.name", "s3.bucket"},
      {"s3.part.size", "s3.part_size"},
      {"store.url", "s3.endpoint"},
      {"topics.dir", "s3.prefix"},
      {"aws.access.key.id", "s3.access_key_id"},
      {"aws.secret.access.key", "s3.secret_access_key"},
      {"s3.compression.type", "compression.type"},
      {"s3.compression.level", "compression.level"},
      {"s3.path.style.access.enabled", "s3.addressing", path_style_to_addressing},
      {"behavior.on.null.values", "tombstones", connect_null_values},
      {"s3.ssea.name", "s3.sse", connect_sse},
      {"s3.sse.kms.key.id", "s3.sse_kms_key_id"},
      // Aiven S3 sink
      {"aws.s3.bucket.name", "s3.bucket"},
      {"aws.s3.region", "s3.region"},
      {"aws.s3.endpoint", "s3.endpoint"},
      {"aws.s3.prefix", "s3.prefix"},
      {"aws.s3.part.size.bytes", "s3.part_size"},
      {"aws_access_key_id", "s3.access_key_id"},
      {"aws_secret_access_key", "s3.secret_access_key"},
      {"file.name.template", "key_template"},
      {"file.compression.type", "compression.type"},
      {"format.output.type", "format.type"},
      {"format.output.fields", "format.fields"},
      {"format.output.fields.value.encoding", "format.value_encoding", aiven_value_encoding},
      {"aws.s3.sse.algorithm", "s3.sse", connect_sse},
      // Kafka client names
      {"bootstrap.servers", "kafka.bootstrap_servers"},
      {"group.id", "kafka.group_id"},
  };
  return aliases;
}

const KeySpec* find_key(std::string_view path) {
  for (const KeySpec& key : config_keys()) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

const KeySpec* find_map_entry_key(std::string_view path) {
  for (const KeySpec& key : config_keys()) {
    if (key.kind == KeyKind::map && key.path != "kafka.properties" &&
        path.size() > key.path.size() + 1 && path.starts_with(key.path) &&
        path[key.path.size()] == '.') {
      return &key;
    }
  }
  return nullptr;
}

const KeyAlias* find_alias(std::string_view path) {
  for (const KeyAlias& alias : config_aliases()) {
    if (alias.from == path) return &alias;
  }
  return nullptr;
}

std::string suggest_key(std::string_view unknown) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 4) + 1;
  auto consider = [&](std::string_view candidate) {
    std::size_t distance = edit_distance(unknown, candidate);
    // A key named without its section ("bucket" for "s3.bucket") is a near miss too.
    if (candidate.ends_with("." + std::string(unknown))) distance = 1;
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  };
  for (const KeySpec& key : config_keys()) consider(key.path);
  for (const KeyAlias& alias : config_aliases()) consider(alias.from);
  return best.empty() ? std::string() : "did you mean '" + best + "'?";
}

bool is_secret_kafka_property(std::string_view name) {
  for (std::string_view marker : {"password", "secret", "token", "jaas", ".pem", "ssl.key",
                                  "sasl.oauthbearer.config", "credentials"}) {
    if (name.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace ks3::server

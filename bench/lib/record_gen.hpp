// Deterministic synthetic Kafka records for load tests (pure: no I/O, no clock).
//
// Record i is a function of (options, i) only, so two runs with the same seed produce the same
// bytes, and a generator can start anywhere (ranges can be produced in parallel or resumed).
// Shapes, chosen to look like the sink's real workloads (docs/DESIGN.md):
//   edfi      the Ed-Fi DMS `edfi.dms.document` topic as Debezium's ExtractNewRecordState SMT
//             writes it: the dms.document row (documentuuid, resourcename, edfidoc, ...) plus
//             "__deleted":"true"|"false" (delete.handling.mode=rewrite); key = documentuuid;
//   debezium  the full Debezium change event envelope {"before","after","source","op","ts_ms"}
//             (op c/u/d; a delete has "after":null); key = {"id":N} as the JSON converter writes;
//   events    plain application events {"event_id","type","user_id","ts","props":{...}};
//             key = user id.
// Values are padded to about `value_size` bytes with text drawn from a small vocabulary, so
// compressors see realistic JSON (gzip ~3-6x), not a run of one byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks3::bench {

enum class Shape { edfi, debezium, events };

std::optional<Shape> parse_shape(std::string_view text);
std::string_view to_string(Shape shape);

struct GenOptions {
  Shape shape = Shape::edfi;
  std::size_t value_size = 1024;      // target value bytes (a value never shrinks below its shape)
  std::uint64_t key_cardinality = 0;  // distinct keys; 0: every record has its own key
  std::uint64_t seed = 1;
  double delete_ratio = 0.05;  // share of records that are deletes (edfi, debezium)
};

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to pick words and ids.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t next();
  // Uniform in [0, bound) (bound > 0); the modulo bias is irrelevant for test data.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

class RecordGenerator {
 public:
  explicit RecordGenerator(GenOptions options);

  // Writes record `index`'s key and value (both cleared first).
  void make(std::uint64_t index, std::string& key, std::string& value) const;

  const GenOptions& options() const { return options_; }

 private:
  void make_edfi(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng, std::string& key,
                 std::string& value) const;
  void make_debezium(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng, std::string& key,
                     std::string& value) const;
  void make_events(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng, std::string& key,
                   std::string& value) const;
  // Text of about `bytes` bytes (words from the vocabulary, JSON-safe), appended to `out`.
  static void append_filler(SplitMix64& rng, std::size_t bytes, std::string& out);
  // How much filler a value of `skeleton` bytes needs to reach value_size.
  std::size_t filler_for(std::size_t skeleton) const;

  GenOptions options_;
};

// A version 4 style UUID derived from `id` and `seed` (stable: the same document always has the
// same uuid), e.g. "3f2b8c1e-5d4a-4b7c-9e21-0a6f4d3c2b1a".
std::string uuid_for(std::uint64_t id, std::uint64_t seed);

}  // namespace ks3::bench

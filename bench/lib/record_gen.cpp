#include "bench/lib/record_gen.hpp"

#include <array>

namespace ks3::bench {
namespace {

// Words for names and filler text: lowercase ASCII only, so nothing needs JSON escaping.
constexpr std::array<std::string_view, 64> kWords = {
    "student",    "school",   "section",     "grade",      "assessment", "program",   "course",
    "session",    "calendar", "attendance",  "district",   "teacher",    "staff",     "period",
    "score",      "level",    "objective",   "standard",   "learning",   "credit",    "term",
    "academic",   "week",     "enrollment",  "graduation", "plan",       "cohort",    "discipline",
    "incident",   "action",   "behavior",    "language",   "address",    "telephone", "email",
    "race",       "sex",      "citizenship", "country",    "state",      "county",    "city",
    "postal",     "code",     "descriptor",  "namespace",  "uri",        "edfi",      "org",
    "identifier", "local",    "state",       "federal",    "title",      "part",      "served",
    "reason",     "exit",     "entry",       "type",       "begin",      "end",       "date",
    "time"};

constexpr std::array<std::string_view, 8> kResources = {"Student",
                                                        "School",
                                                        "StudentSchoolAssociation",
                                                        "Section",
                                                        "StudentSectionAssociation",
                                                        "GradingPeriod",
                                                        "AcademicSubjectDescriptor",
                                                        "StudentAssessment"};

constexpr std::array<std::string_view, 4> kTables = {"customers", "orders", "products", "payments"};

constexpr std::array<std::string_view, 5> kEventTypes = {"page_view", "click", "add_to_cart",
                                                         "purchase", "signup"};

// 2025-01-01T00:00:00Z: record times advance 10 ms a record from here (deterministic).
constexpr std::int64_t kBaseTimeMs = 1735689600000;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  SplitMix64 rng(a ^ (b * 0x9E3779B97F4A7C15ULL));
  return rng.next();
}

void append_number(std::string& out, std::uint64_t n) {
  out += std::to_string(n);
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  out += text;
  out += '"';
}

std::string_view word(SplitMix64& rng) {
  return kWords[rng.below(kWords.size())];
}

// Which change a record is: deletes at delete_ratio; with a bounded key set, the first record
// of each key is an insert and later ones updates; with unique keys, all inserts.
char change_op(const GenOptions& options, std::uint64_t index, SplitMix64& rng) {
  const double draw = static_cast<double>(rng.below(1000000)) / 1e6;
  if (draw < options.delete_ratio) return 'd';
  if (options.key_cardinality == 0 || index < options.key_cardinality) return 'c';
  return 'u';
}

}  // namespace

std::optional<Shape> parse_shape(std::string_view text) {
  if (text == "edfi") return Shape::edfi;
  if (text == "debezium") return Shape::debezium;
  if (text == "events") return Shape::events;
  return std::nullopt;
}

std::string_view to_string(Shape shape) {
  switch (shape) {
    case Shape::edfi:
      return "edfi";
    case Shape::debezium:
      return "debezium";
    case Shape::events:
      return "events";
  }
  return "?";
}

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string uuid_for(std::uint64_t id, std::uint64_t seed) {
  SplitMix64 rng(mix(seed, id ^ 0x5555555555555555ULL));
  const std::uint64_t hi = rng.next();
  const std::uint64_t lo = rng.next();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    const std::uint64_t half = i < 16 ? hi : lo;
    unsigned nibble = static_cast<unsigned>((half >> (4 * (15 - (i % 16)))) & 0xF);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += kHex[nibble];
  }
  return out;
}

RecordGenerator::RecordGenerator(GenOptions options) : options_(options) {}

void RecordGenerator::make(std::uint64_t index, std::string& key, std::string& value) const {
  key.clear();
  value.clear();
  SplitMix64 rng(mix(options_.seed, index));
  const std::uint64_t key_id =
      options_.key_cardinality == 0 ? index : rng.below(options_.key_cardinality);
  switch (options_.shape) {
    case Shape::edfi:
      make_edfi(index, key_id, rng, key, value);
      break;
    case Shape::debezium:
      make_debezium(index, key_id, rng, key, value);
      break;
    case Shape::events:
      make_events(index, key_id, rng, key, value);
      break;
  }
}

std::size_t RecordGenerator::filler_for(std::size_t skeleton) const {
  return options_.value_size > skeleton ? options_.value_size - skeleton : 0;
}

void RecordGenerator::append_filler(SplitMix64& rng, std::size_t bytes, std::string& out) {
  const std::size_t end = out.size() + bytes;
  while (out.size() < end) {
    out += word(rng);
    out += ' ';
  }
  out.resize(end);
}

// The dms.document row after ExtractNewRecordState (delete.handling.mode=rewrite).
void RecordGenerator::make_edfi(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng,
                                std::string& key, std::string& value) const {
  const std::string uuid = uuid_for(key_id, options_.seed);
  const bool deleted = change_op(options_, index, rng) == 'd';
  // A document keeps its resource; hashed, so resources do not line up with partitions.
  const auto resource = kResources[mix(options_.seed, key_id) % kResources.size()];
  const std::int64_t time_ms = kBaseTimeMs + static_cast<std::int64_t>(index) * 10;
  key = uuid;
  value += "{\"id\":";
  append_number(value, key_id + 1);
  value += ",\"documentpartitionkey\":";
  append_number(value, key_id % 16);
  value += ",\"documentuuid\":";
  append_quoted(value, uuid);
  value += ",\"resourcename\":";
  append_quoted(value, resource);
  value += ",\"resourceversion\":\"5.2.0\",\"isdescriptor\":";
  value += resource.ends_with("Descriptor") ? "true" : "false";
  value += ",\"projectname\":\"Ed-Fi\",\"edfidoc\":{\"id\":";
  append_quoted(value, uuid);
  value += ",\"studentUniqueId\":\"";
  append_number(value, 100000 + key_id);
  value += "\",\"firstName\":";
  append_quoted(value, word(rng));
  value += ",\"lastSurname\":";
  append_quoted(value, word(rng));
  value += ",\"birthDate\":\"2010-05-17\",\"_etag\":\"";
  append_number(value, rng.below(1000000000));
  value += "\",\"notes\":\"";
  std::string suffix = "\"},\"createdat\":";
  append_number(suffix, static_cast<std::uint64_t>(time_ms - 86400000));
  suffix += ",\"lastmodifiedat\":";
  append_number(suffix, static_cast<std::uint64_t>(time_ms));
  suffix += deleted ? ",\"__deleted\":\"true\"}" : ",\"__deleted\":\"false\"}";
  // A delete carries the row as it was, without the bulky text (Debezium's rewrite of a
  // REPLICA IDENTITY DEFAULT row is small).
  if (!deleted) append_filler(rng, filler_for(value.size() + suffix.size()), value);
  value += suffix;
}

// The full change event envelope (no SMT), JSON converter without schemas.
void RecordGenerator::make_debezium(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng,
                                    std::string& key, std::string& value) const {
  const char op = change_op(options_, index, rng);
  const std::int64_t time_ms = kBaseTimeMs + static_cast<std::int64_t>(index) * 10;
  const auto table = kTables[mix(options_.seed, key_id) % kTables.size()];
  key = "{\"id\":" + std::to_string(key_id) + "}";
  std::string row = "{\"id\":";
  append_number(row, key_id);
  row += ",\"name\":\"";
  row += word(rng);
  row += ' ';
  row += word(rng);
  row += "\",\"status\":\"active\",\"amount_cents\":";
  append_number(row, rng.below(1000000));
  row += ",\"updated_at\":";
  append_number(row, static_cast<std::uint64_t>(time_ms));
  row += ",\"notes\":\"";
  std::string source =
      "\"},\"source\":{\"version\":\"2.7.0.Final\",\"connector\":\"postgresql\","
      "\"name\":\"app\",\"ts_ms\":";
  append_number(source, static_cast<std::uint64_t>(time_ms));
  source += ",\"snapshot\":\"false\",\"db\":\"app\",\"schema\":\"public\",\"table\":";
  append_quoted(source, table);
  source += ",\"txId\":";
  append_number(source, 1000 + index / 4);
  source += ",\"lsn\":";
  append_number(source, 33554432 + index * 512);
  source += "},\"op\":\"";
  source += op;
  source += "\",\"ts_ms\":";
  append_number(source, static_cast<std::uint64_t>(time_ms + 5));
  source += ",\"transaction\":null}";
  if (op == 'd') {
    value += "{\"before\":";
    value += row;
    value += "\"},\"after\":null,";
    value.append(source.begin() + 3, source.end());  // drop the row's closing `"},`
    return;
  }
  value += "{\"before\":null,\"after\":";
  value += row;
  append_filler(rng, filler_for(value.size() + source.size()), value);
  value += source;
}

void RecordGenerator::make_events(std::uint64_t index, std::uint64_t key_id, SplitMix64& rng,
                                  std::string& key, std::string& value) const {
  const std::int64_t time_ms = kBaseTimeMs + static_cast<std::int64_t>(index) * 10;
  key = "user-" + std::to_string(key_id);
  value += "{\"event_id\":";
  append_quoted(value, uuid_for(index, options_.seed ^ 0xE7E7));
  value += ",\"type\":";
  append_quoted(value, kEventTypes[rng.below(kEventTypes.size())]);
  value += ",\"user_id\":";
  append_quoted(value, key);
  value += ",\"ts\":";
  append_number(value, static_cast<std::uint64_t>(time_ms));
  value += ",\"props\":{\"path\":\"/";
  value += word(rng);
  value += '/';
  value += word(rng);
  value += "\",\"text\":\"";
  const std::string_view suffix = "\"}}";
  append_filler(rng, filler_for(value.size() + suffix.size()), value);
  value += suffix;
}

}  // namespace ks3::bench

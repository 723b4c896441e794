// libFuzzer target: object key templates (server/keys). The input is a template, then a record
// (after NUL bytes: topic, key, value JSON; the last 8 bytes of the template part pick the
// partition and timestamp). Checks the properties the exactly-once design rests on: a parsed
// template renders keys with the prefix, the extension, the start offset in place, no control
// bytes from data, and the same group for the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "server/keys/key_safe.hpp"
#include "server/keys/key_template.hpp"

namespace {

std::vector<std::string_view> split_nul(std::string_view text, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    std::size_t nul = text.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(text.substr(0, nul));
    text.remove_prefix(nul + 1);
  }
  parts.push_back(text);
  return parts;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "key_template_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ks3::server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts = split_nul(input, 4);
  std::string_view text = parts[0];

  std::uint64_t bits = 0;
  std::memcpy(&bits, data, std::min<std::size_t>(size, sizeof bits));

  KeyTemplateOptions options;
  options.prefix = "raw/";
  options.extension = ".jsonl.gz";
  KeyTemplate tpl;
  try {
    tpl = KeyTemplate::parse(text, options);
  } catch (const KeyTemplateError&) {
    return 0;
  }
  RecordView record;
  record.topic = parts.size() > 1 ? parts[1] : "edfi.dms.document";
  record.partition = static_cast<std::int32_t>(bits & 0x7fffffff);
  record.offset = static_cast<std::int64_t>(bits >> 1);
  // Timestamps over the whole range Kafka allows, including -1 ("none") and huge values.
  record.timestamp_ms = static_cast<std::int64_t>(bits) % 400000000000000LL - 1;
  if (parts.size() > 2) record.key = parts[2];
  if (parts.size() > 3) record.value = parts[3];

  JsonReader json;
  const std::string group = tpl.render_group(record, json);
  check(group.starts_with("raw/"), "the prefix is not first");
  check(group.ends_with(".jsonl.gz"), "the extension is not last");
  check(group.find('\x1f') != std::string::npos, "no start offset in the group");
  const std::string key = KeyTemplate::object_key(group, record.offset);
  check(key.find('\x1f') == std::string::npos, "the start offset marker survived");
  for (char c : key) {
    check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "a control byte in a key");
  }
  JsonReader again;
  check(tpl.render_group(record, again) == group, "the same record rendered two groups");

  std::string safe;
  append_key_safe(safe, parts.back(), "_unknown");
  check(!safe.empty() && safe.size() <= kMaxKeyValueBytes, "a key-safe value out of bounds");
  check(safe.find('/') == std::string::npos, "a key-safe value holds '/'");
  return 0;
}

#include "server/connect/yaml_out.hpp"

#include <algorithm>
#include <cstdio>

namespace ks3::server::connect {
namespace {

// The order of README's configuration reference; kafka.properties.* sorts with
// "kafka.properties".
constexpr std::string_view kOrder[] = {
    "kafka.bootstrap_servers",
    "kafka.group_id",
    "kafka.topics",
    "kafka.topics_regex",
    "kafka.properties",
    "s3.endpoint",
    "s3.region",
    "s3.bucket",
    "s3.addressing",
    "s3.access_key_id",
    "s3.prefix",
    "s3.part_size",
    "s3.max_attempts",
    "s3.retry_base_delay",
    "s3.sse",
    "s3.sse_kms_key_id",
    "s3.tags",
    "format.type",
    "format.fields",
    "format.value_encoding",
    "format.key_encoding",
    "format.delimiter",
    "format.csv_header",
    "format.input",
    "format.key_input",
    "parquet.value",
    "parquet.row_group_bytes",
    "schema_registry.url",
    "schema_registry.username",
    "schema_registry.password",
    "schema_registry.ca_file",
    "compression.type",
    "compression.level",
    "key_template",
    "key_default",
    "rotation.max_records",
    "rotation.max_bytes",
    "rotation.time_window",
    "rotation.idle_flush",
    "rotation.max_open",
    "tombstones",
    "bad_records.policy",
    "bad_records.dead_letter_prefix",
    "bad_records.dead_letter_topic",
};

std::size_t rank(std::string_view path) {
  if (path.starts_with("kafka.properties.")) path = "kafka.properties";
  for (std::size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == path) return i;
  }
  return std::size(kOrder);  // unknown paths last (the caller uses only known ones)
}

// Comments stay on one line.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return out;
}

std::string section_of(std::string_view path) {
  std::size_t dot = path.find('.');
  return dot == std::string_view::npos ? std::string() : std::string(path.substr(0, dot));
}

}  // namespace

std::string yaml_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += yaml_quote(items[i]);
  }
  return out + "]";
}

void YamlOut::set(std::string path, std::string value, std::string comment) {
  for (Entry& entry : entries_) {
    if (!entry.note && entry.path == path) {
      entry.value = std::move(value);
      entry.comment = std::move(comment);
      return;
    }
  }
  entries_.push_back(Entry{std::move(path), std::move(value), std::move(comment)});
}

void YamlOut::note(std::string path, std::string comment) {
  entries_.push_back(Entry{std::move(path), {}, std::move(comment), true});
}

bool YamlOut::has(std::string_view path) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return !e.note && e.path == path; });
}

std::string YamlOut::render(const std::vector<std::string>& header) const {
  std::vector<const Entry*> sorted;
  for (const Entry& entry : entries_) sorted.push_back(&entry);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Entry* a, const Entry* b) { return rank(a->path) < rank(b->path); });
  std::string out;
  for (const std::string& line : header) out += "# " + one_line(line) + "\n";
  std::string open_section = "-";  // none yet
  bool properties_open = false;
  for (const Entry* entry : sorted) {
    std::string section = section_of(entry->path);
    if (section != open_section) {
      out += "\n";
      if (!section.empty()) out += section + ":\n";
      open_section = section;
      properties_open = false;
    }
    std::string indent = section.empty() ? "" : "  ";
    std::string key = section.empty() ? entry->path : entry->path.substr(section.size() + 1);
    if (entry->path.starts_with("kafka.properties.")) {
      if (!properties_open) {
        out += "  properties:\n";
        properties_open = true;
      }
      indent = "    ";
      key = yaml_quote(entry->path.substr(std::string_view("kafka.properties.").size()));
    }
    if (entry->note) {
      out += indent + "# " + one_line(entry->comment) + "\n";
      continue;
    }
    out += indent + key + ": " + entry->value;
    if (!entry->comment.empty()) out += "  # " + one_line(entry->comment);
    out += "\n";
  }
  return out;
}

}  // namespace ks3::server::connect

// A small writer for the converter's YAML: settings by key path, each with an optional comment,
// rendered in the order of README's configuration reference (sections kafka, s3, format, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ks3::server::connect {

// A YAML double-quoted scalar (escapes \ " and control bytes).
std::string yaml_quote(std::string_view text);
// A YAML flow sequence of quoted scalars: ["a", "b"].
std::string yaml_list(const std::vector<std::string>& items);

class YamlOut {
 public:
  // `path` is a key of the configuration reference ("s3.bucket", "key_template") or
  // "kafka.properties.<librdkafka name>"; `value` is already YAML (quoted or plain).
  // Setting a path again replaces its value and comment.
  void set(std::string path, std::string value, std::string comment = {});
  // A comment line placed with the settings of `path`'s section.
  void note(std::string path, std::string comment);
  bool has(std::string_view path) const;
  // The header lines (comments) and every setting.
  std::string render(const std::vector<std::string>& header) const;

 private:
  struct Entry {
    std::string path;
    std::string value;
    std::string comment;
    bool note = false;
  };
  std::vector<Entry> entries_;
};

}  // namespace ks3::server::connect

// libFuzzer target: JSON field paths and extraction with simdjson On-Demand
// (server/record/json_path). The first line is a dotted path, the rest a document.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/record/json_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ks3::server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view dotted = input.substr(0, newline);
  const std::string_view document =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  JsonReader reader;
  auto path = JsonPath::parse(dotted);
  if (path) {
    reader.load(document);
    (void)reader.extract(*path);
    (void)reader.exists(*path);
    (void)reader.extract(*path);  // a second read of the same document
  }
  const bool valid = reader.is_valid(document);
  std::string minified;
  const bool minify_ok = reader.minify(document, minified);
  if (valid != minify_ok) {
    std::fprintf(stderr, "json_path_fuzz: is_valid %d but minify %d\n", valid, minify_ok);
    std::abort();
  }
  if (minify_ok && !reader.is_valid(minified)) {
    std::fprintf(stderr, "json_path_fuzz: minified JSON is not valid\n");
    std::abort();
  }
  return 0;
}

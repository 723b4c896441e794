// libFuzzer target: decoding cut manifests (server/delivery/manifest) and parsing their key
// names. Manifests are read from S3, where anything may have been written under the reserved
// prefix: decoding never crashes, a refusal says why in bounded text, and what it accepts
// re-encodes to bytes that decode to the same manifest (and re-encode identically).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/delivery/manifest.hpp"
#include "server/delivery/manifest_replay.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "manifest_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ks3::server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  ManifestDecoded decoded = decode_manifest(input);
  check(decoded.manifest.has_value() != decoded.error.has_value(), "neither or both outcomes");
  if (decoded.error) {
    check(!decoded.message.empty() && decoded.message.size() < 512, "refusal message");
  } else {
    const Manifest& m = *decoded.manifest;
    check(m.first_offset < m.end_offset, "accepted an empty segment");
    const std::string encoded = encode_manifest(m);
    ManifestDecoded again = decode_manifest(encoded);
    check(again.manifest.has_value(), "a re-encoded manifest does not decode");
    check(encode_manifest(*again.manifest) == encoded, "re-encoding is not stable");
    check(again.manifest->objects.size() == m.objects.size(), "objects lost");
    const std::string key =
        manifest_key("p/", m.topic, m.partition, {m.first_offset, m.end_offset});
    const std::string folder = manifest_folder("p/", m.topic, m.partition);
    auto name = parse_manifest_file_name(std::string_view(key).substr(folder.size()));
    check(name && name->first_offset == m.first_offset && name->end_offset == m.end_offset,
          "a manifest's key does not name its cut");
  }

  // The same bytes as a key name, and the replay decision over what parses.
  if (auto name = parse_manifest_file_name(input)) {
    check(name->first_offset >= 0 && name->first_offset < name->end_offset, "bad name accepted");
    check(manifest_file_name(*name) == input, "a name does not round-trip");
    ManifestName names[] = {*name, {0, name->first_offset + (name->first_offset == 0)}};
    std::int64_t journal[] = {name->end_offset};
    auto decision = decide_replay(names, journal, name->first_offset / 2);
    for (std::size_t i = 1; i < decision.cuts.size(); ++i)
      check(decision.cuts[i - 1] < decision.cuts[i], "cuts not ascending");
    check(decision.journal_only.empty(), "a recorded end reported as journal-only");
  }
  return 0;
}

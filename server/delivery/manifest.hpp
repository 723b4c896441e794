// Cut manifests (pure: no I/O): one small JSON object in S3 per cut segment of a Kafka
// partition, so the cuts of a partition survive a reset of the group's offsets or a new group
// id (docs/DESIGN.md, "Delivery: exactly-once object set"). The pipeline writes a segment's
// manifest before any object of the segment completes; on assignment it lists the manifests
// and replays their cuts (server/delivery/manifest_replay.hpp).
//
// Layout (version 1):
//   <s3.prefix>_ks3/manifests/<topic>/<partition>/<first:20 digits>-<end:20 digits>.json
// `first` is the offset where the segment starts (the previous cut), `end` the offset of the
// first record after it (exclusive); both zero-padded so that the keys of a partition list in
// offset order. The name alone carries the cut, so replaying needs a listing and no GET. The
// body records what the segment holds:
//   {"version":1,"topic":"events","partition":3,"first_offset":100,"end_offset":250,
//    "last_offset":249,"reason":"idle_flush","records":150,"bytes":30000,
//    "objects":[{"key":"events/partition=3/events+3+0000000100.json.gz","first_offset":100,
//                "last_offset":249,"records":150}]}
// Sizes and ETags of the objects are not in it: the manifest is written before the objects
// complete (that order is what makes it safe), when they are not known yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/delivery/rotation.hpp"

namespace ks3::server {

inline constexpr int kManifestVersion = 1;
// The reserved folder under s3.prefix; a key template must not write there.
inline constexpr std::string_view kManifestFolder = "_ks3/manifests/";

struct ManifestObject {
  std::string key;
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  std::uint64_t records = 0;
};

struct Manifest {
  int version = kManifestVersion;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t first_offset = 0;  // segment start (inclusive)
  std::int64_t end_offset = 0;    // segment end (exclusive)
  CutReason reason = CutReason::none;
  std::uint64_t records = 0;  // records consumed in the segment (written or skipped)
  std::uint64_t bytes = 0;    // encoded bytes before compression
  std::vector<ManifestObject> objects;
};

// The cut a manifest key names.
struct ManifestName {
  std::int64_t first_offset = 0;
  std::int64_t end_offset = 0;
  bool operator==(const ManifestName&) const = default;
};

// "<root>_ks3/manifests/<topic>/<partition>/" (`root` is s3.prefix in folder form, or "").
std::string manifest_folder(std::string_view root, std::string_view topic, std::int32_t partition);
// The folder plus "<first>-<end>.json".
std::string manifest_key(std::string_view root, std::string_view topic, std::int32_t partition,
                         ManifestName name);
// The file name alone ("<first>-<end>.json"): also the ListObjectsV2 start-after position.
std::string manifest_file_name(ManifestName name);
// The ListObjectsV2 start-after key from which the folder lists every manifest whose segment
// starts at `offset` or later ("<folder><offset:20 digits>" sorts just before them).
std::string manifest_start_after(std::string_view folder, std::int64_t offset);
// Parses the file name part of a key (what follows the partition's folder). nullopt for anything
// else (another layout, a stray object), which the caller skips with a warning.
std::optional<ManifestName> parse_manifest_file_name(std::string_view file_name);

std::string encode_manifest(const Manifest& manifest);

enum class ManifestDecodeError { not_json, bad_field, newer_version, inconsistent };
std::string_view to_string(ManifestDecodeError error);

struct ManifestDecoded {
  std::optional<Manifest> manifest;
  std::optional<ManifestDecodeError> error;
  std::string message;  // why it was refused (never repeats the body beyond field names)
};
// Decodes a manifest body. Versions 1..kManifestVersion are read (a newer one is refused:
// newer_version, so an old sink never misreads a layout it does not know); every field is
// checked (types, offsets >= 0, first < end, objects inside the segment).
ManifestDecoded decode_manifest(std::string_view body);

}  // namespace ks3::server

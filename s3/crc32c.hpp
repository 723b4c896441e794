// CRC-32C (Castagnoli, the iSCSI polynomial) of request bodies: the checksum S3 verifies from
// `x-amz-checksum-crc32c` (PutObject, UploadPart) and keeps per part for
// CompleteMultipartUpload. ISA-L computes it with the CPU's CRC32 instruction: a few percent of
// MD5's cost per byte (docs/DESIGN.md, "Integrity checksums").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ks3::s3 {

// The standard CRC-32C of `data` (RFC 3720 B.4: 32 zero bytes -> 0x8A9136AA). To continue over
// data that arrives in pieces, pass the result of the pieces before as `crc`.
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

// The header value: base64 of the CRC's four bytes, most significant first ("123456789" ->
// "4waSgw==").
std::string crc32c_base64(std::string_view data);

}  // namespace ks3::s3

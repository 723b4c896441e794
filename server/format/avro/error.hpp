// The typed error every Avro operation returns: a kind the caller can act on (a bad record goes
// to the bad-record policy, an unreachable registry is retried) and a message that names the
// problem (schema path, field, byte offset). Nothing on the record path throws.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace ks3::avro {

enum class ErrorKind {
  bad_schema,        // the schema text is not a valid Avro schema
  incompatible,      // the reader schema cannot read data written with the writer schema
  bad_data,          // the bytes do not decode with the schema (truncated, out of range, ...)
  bad_wire_format,   // not Confluent framing: wrong magic byte, too short, bad schema-id header
  unknown_schema,    // the registry does not know the schema id (HTTP 404)
  registry,          // the registry failed or answered something unusable (maybe transient)
  registry_auth,     // the registry refused the credentials (HTTP 401/403)
  invalid_argument,  // the caller's input is wrong (unknown codec name, ...)
  compression,       // a codec library failed
};

std::string_view to_string(ErrorKind kind);

struct Error {
  // Not an aggregate (see s3/s3_error.hpp): keeps Result<std::string> unambiguous.
  Error() = default;
  Error(ErrorKind k, std::string m) : kind(k), message(std::move(m)) {}

  ErrorKind kind = ErrorKind::bad_data;
  std::string message;

  // "bad_data: <message>"
  std::string describe() const;
};

template <class T>
using Result = boost::system::result<T, Error>;

// `.value()` on a failed Result throws std::runtime_error(describe()) (ADL hook).
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

}  // namespace ks3::avro

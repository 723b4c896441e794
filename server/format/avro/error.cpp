#include "server/format/avro/error.hpp"

#include <stdexcept>

namespace ks3::avro {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_schema:
      return "bad_schema";
    case ErrorKind::incompatible:
      return "incompatible";
    case ErrorKind::bad_data:
      return "bad_data";
    case ErrorKind::bad_wire_format:
      return "bad_wire_format";
    case ErrorKind::unknown_schema:
      return "unknown_schema";
    case ErrorKind::registry:
      return "registry";
    case ErrorKind::registry_auth:
      return "registry_auth";
    case ErrorKind::invalid_argument:
      return "invalid_argument";
    case ErrorKind::compression:
      return "compression";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out(to_string(kind));
  out += ": ";
  out += message;
  return out;
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::runtime_error(error.describe());
}

}  // namespace ks3::avro

// A Confluent-compatible Schema Registry client: the REST subset a consumer needs,
//   GET /schemas/ids/{id}      (the classic 4-byte schema id)
//   GET /schemas/guids/{guid}  (the 16-byte GUID of the header-carried format)
// answering {"schema": "<the schema text>", "schemaType": "AVRO" (absent means AVRO), ...}.
// Results are cached per id/GUID for the client's life (a registered schema never changes);
// failures are not cached. HTTP or HTTPS (TLS with a CA file, s3/tls_context), basic auth
// (the password is only ever put in the Authorization header, never in a message or a log),
// one keep-alive connection reused (s3/http_connection), reconnecting once when a kept
// connection went stale.
// Not supported: schema references (a schema that imports other subjects' types), which are
// reported as an error naming the schema id; OAuth bearer tokens.
// Not thread-safe: use one client from one strand; overlapping calls are allowed (a call that
// finds the kept connection busy uses a connection of its own).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "s3/http_connection.hpp"
#include "server/format/avro/error.hpp"
#include "server/format/avro/schema.hpp"
#include "server/format/avro/wire_format.hpp"

namespace ks3::avro {

struct RegistryOptions {
  // "http://host:port" or "https://host[:port][/path prefix]". Credentials in the URL
  // ("https://user:password@host") are used when username is empty.
  std::string url;
  std::string username;  // basic auth when non-empty
  std::string password;
  std::string ca_file;  // https: PEM CA file instead of the system store
  bool verify_tls = true;
  s3::HttpTimeouts timeouts;
};

struct RegisteredSchema {
  std::shared_ptr<const std::string> text;  // as the registry returned it
  std::shared_ptr<const Schema> schema;     // parsed
};

class RegistryClient {
 public:
  // Fails (invalid_argument) on a bad URL or an unreadable CA file.
  static Result<std::unique_ptr<RegistryClient>> create(boost::asio::any_io_executor executor,
                                                        RegistryOptions options);
  ~RegistryClient();

  // The schema for `ref`, from the cache or the registry. Errors: unknown_schema (404),
  // registry_auth (401, 403), registry (transport, other statuses, a body that is not the
  // expected JSON, references), bad_schema (the text does not parse as Avro).
  boost::asio::awaitable<Result<RegisteredSchema>> get(SchemaRef ref);

  // Requests sent so far (tests check the cache with it).
  std::uint64_t requests() const { return requests_; }
  // "https://host:port" (never the credentials).
  const std::string& endpoint() const { return endpoint_; }

 private:
  RegistryClient() = default;
  boost::asio::awaitable<Result<s3::HttpResponse>> send(const std::string& target);

  boost::asio::any_io_executor executor_;
  RegistryOptions options_;
  s3::HttpTarget target_;
  std::string prefix_;
  std::string authorization_;
  std::string endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<s3::HttpConnection> connection_;
  bool busy_ = false;
  std::map<std::string, RegisteredSchema> cache_;
  std::uint64_t requests_ = 0;
};

}  // namespace ks3::avro

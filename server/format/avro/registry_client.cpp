#include "server/format/avro/registry_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

#include "s3/tls_context.hpp"
#include "server/format/avro/base64.hpp"

namespace ks3::avro {
namespace asio = boost::asio;

RegistryClient::~RegistryClient() = default;

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(asio::any_io_executor executor,
                                                               RegistryOptions options) {
  auto parsed = boost::urls::parse_uri(options.url);
  if (!parsed) {
    return Error(ErrorKind::invalid_argument,
                 "schema registry URL is not a valid URL: " + parsed.error().message());
  }
  const auto& url = *parsed;
  std::string scheme(url.scheme());
  if (scheme != "http" && scheme != "https") {
    return Error(ErrorKind::invalid_argument,
                 "schema registry URL must start with http:// or https://, not " + scheme + "://");
  }
  std::unique_ptr<RegistryClient> client(new RegistryClient());
  client->executor_ = std::move(executor);
  client->target_.https = scheme == "https";
  client->target_.host = std::string(url.host_address());
  if (url.host_type() == boost::urls::host_type::ipv6) {
    client->target_.host = "[" + client->target_.host + "]";
  }
  if (client->target_.host.empty()) {
    return Error(ErrorKind::invalid_argument, "schema registry URL has no host");
  }
  client->target_.port = url.has_port()
                             ? url.port_number()
                             : static_cast<std::uint16_t>(client->target_.https ? 443 : 80);
  client->prefix_ = std::string(url.encoded_path());
  while (!client->prefix_.empty() && client->prefix_.back() == '/') client->prefix_.pop_back();
  if (options.username.empty() && url.has_userinfo()) {
    options.username = std::string(url.user());
    options.password = std::string(url.password());
  }
  if (!options.username.empty()) {
    std::string credentials = options.username + ":" + options.password;
    client->authorization_ = "Basic ";
    append_base64(client->authorization_, credentials);
  }
  client->endpoint_ = client->target_.key() + client->prefix_;
  if (client->target_.https) {
    try {
      client->tls_ = s3::make_tls_context({options.verify_tls, options.ca_file});
    } catch (const std::exception& e) {
      return Error(ErrorKind::invalid_argument, std::string("schema registry TLS: ") + e.what());
    }
  }
  client->options_ = std::move(options);
  return client;
}

asio::awaitable<Result<s3::HttpResponse>> RegistryClient::send(const std::string& target) {
  s3::HttpRequest request;
  request.method = "GET";
  request.target = prefix_ + target;
  std::string host = target_.host;
  if (target_.port != (target_.https ? 443 : 80)) host += ":" + std::to_string(target_.port);
  request.headers = {{"Host", host},
                     {"Accept", "application/vnd.schemaregistry.v1+json, application/json"}};
  if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
  request.response_body_limit = 8 * 1024 * 1024;

  // The kept connection when it is free, else one of this call's own.
  bool own = busy_;
  std::unique_ptr<s3::HttpConnection> mine;
  std::unique_ptr<s3::HttpConnection>& conn = own ? mine : connection_;
  if (!own) busy_ = true;
  struct Release {
    bool& busy;
    bool own;
    ~Release() {
      if (!own) busy = false;
    }
  } release{busy_, own};

  boost::system::error_code last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = conn && conn->reusable();
    if (!reused) {
      conn.reset();
      auto c = co_await s3::HttpConnection::connect(executor_, target_, tls_, options_.verify_tls,
                                                    options_.timeouts);
      if (!c) {
        co_return Error(ErrorKind::registry, "schema registry " + endpoint_ +
                                                 ": cannot connect: " + c.error().message());
      }
      conn = std::move(*c);
    }
    ++requests_;
    s3::ExchangeStats stats;
    auto response = co_await conn->exchange(request, stats);
    if (response) {
      if (!conn->reusable()) conn.reset();
      co_return std::move(*response);
    }
    last = response.error();
    conn.reset();
    if (!reused) break;  // a fresh connection failed: no second try
  }
  co_return Error(ErrorKind::registry,
                  "schema registry " + endpoint_ + " GET " + target + ": " + last.message());
}

asio::awaitable<Result<RegisteredSchema>> RegistryClient::get(SchemaRef ref) {
  std::string key = ref.describe();
  if (auto it = cache_.find(key); it != cache_.end()) co_return it->second;

  std::string target = ref.kind == SchemaRef::Kind::id ? "/schemas/ids/" + std::to_string(ref.id)
                                                       : "/schemas/guids/" + ref.guid_string();
  auto response = co_await send(target);
  if (!response) co_return response.error();
  const auto& r = *response;
  std::string what = "schema registry " + endpoint_ + ": schema " + key;
  if (r.status == 404) {
    co_return Error(ErrorKind::unknown_schema, what + " not found (HTTP 404)");
  }
  if (r.status == 401 || r.status == 403) {
    co_return Error(ErrorKind::registry_auth, what + ": HTTP " + std::to_string(r.status) +
                                                  " (check the registry username and password)");
  }
  if (r.status != 200) {
    std::string body = r.body.substr(0, 200);
    co_return Error(ErrorKind::registry, what + ": HTTP " + std::to_string(r.status) +
                                             (body.empty() ? "" : ": " + body));
  }
  boost::system::error_code ec;
  auto doc = boost::json::parse(r.body, ec);
  const boost::json::value* schema_text = nullptr;
  if (!ec && doc.is_object()) schema_text = doc.get_object().if_contains("schema");
  if (!schema_text || !schema_text->is_string()) {
    co_return Error(ErrorKind::registry, what + ": the answer is not {\"schema\": \"...\"}");
  }
  const auto& obj = doc.get_object();
  if (auto* type = obj.if_contains("schemaType");
      type && !(type->is_string() && type->get_string() == "AVRO")) {
    co_return Error(ErrorKind::bad_schema,
                    what + " is a " +
                        (type->is_string() ? std::string(type->get_string()) : "non-Avro") +
                        " schema, not Avro");
  }
  if (auto* refs = obj.if_contains("references");
      refs && refs->is_array() && !refs->get_array().empty()) {
    co_return Error(ErrorKind::bad_schema,
                    what + " uses schema references, which are not supported");
  }
  auto text = std::make_shared<const std::string>(schema_text->get_string());
  auto schema = Schema::parse(*text);
  if (!schema) co_return Error(ErrorKind::bad_schema, what + ": " + schema.error().message);
  RegisteredSchema entry{text, *schema};
  cache_.emplace(key, entry);
  co_return entry;
}

}  // namespace ks3::avro

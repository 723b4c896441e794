// ks3_null_s3: a fast S3-compatible sink server for benchmarks. It accepts the operations the sink
// uses (bench/lib/null_s3_protocol.hpp), enforces S3's multipart rules, keeps object sizes and
// ETags but discards every body byte, and counts what it received. So the sink can be measured
// without a real S3 server (s3rver on Node) being the bottleneck.
//
//   ks3_null_s3 [--listen 127.0.0.1:0] [--bucket NAME]... [--latency-ms MS]
//               [--min-part-size BYTES] [--verify-md5] [--verbose]
//
// Prints "listening=HOST:PORT" on stdout once it accepts connections; GET /_ks3/stats answers its
// counters as JSON; on SIGTERM or SIGINT it prints "stats=<the same JSON>" and exits 0.
// --latency-ms delays every answer (after the body is read) to model S3's round trip time.
// --verify-md5 computes the MD5 of every body, answers BadDigest when Content-MD5 disagrees and
// uses it as the ETag (costs CPU: ~600 MB/s a core); otherwise the ETag is the Content-MD5 the
// client sent (S3's ETag of a single-part object is its MD5). Signatures are not checked.
// One thread, one io_context; no locks.
#include <openssl/evp.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/lib/null_s3_protocol.hpp"
#include "bench/lib/null_s3_store.hpp"
#include "bench/lib/tool_args.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace ks3::bench::nulls3;

constexpr std::size_t kMaxCompleteBody = 4 << 20;  // 10,000 parts of XML fit in well under this
constexpr std::size_t kChunk = 256 << 10;          // body bytes read per step

using Options = ks3::bench::NullS3Args;

struct Server {
  Options options;
  NullS3Store store;
  std::uint64_t request_counter = 0;
};

using Response = http::response<http::string_body>;

// What one request's body amounted to.
struct BodySummary {
  std::uint64_t size = 0;
  std::string text;  // kept only for CompleteMultipartUpload
  std::string md5;   // binary digest, with --verify-md5
  bool too_large = false;
};

std::string pseudo_etag(std::uint64_t counter, std::uint64_t size) {
  std::string bytes;
  for (std::uint64_t v : {counter * 0x9E3779B97F4A7C15ULL, size ^ 0xC2B2AE3D27D4EB4FULL}) {
    for (int i = 7; i >= 0; --i) bytes += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  return hex_encode(bytes);
}

Response s3_error(const Failure& failure, const std::string& resource, const std::string& id) {
  Response res{static_cast<http::status>(failure.status), 11};
  res.set(http::field::content_type, "application/xml");
  res.body() = error_xml(failure.code, failure.message, resource, id);
  return res;
}

Response xml_ok(std::string body) {
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/xml");
  res.body() = std::move(body);
  return res;
}

// The ETag of an uploaded body, or BadDigest/InvalidDigest (only checked with --verify-md5).
std::variant<std::string, Failure> body_etag(Server& server, std::string_view content_md5,
                                             const BodySummary& body) {
  auto declared = content_md5.empty() ? std::nullopt : base64_decode(content_md5);
  if (server.options.verify_md5) {
    if (!content_md5.empty() && (!declared || declared->size() != 16)) {
      return Failure{400, "InvalidDigest", "The Content-MD5 you specified was invalid."};
    }
    if (declared && *declared != body.md5) {
      return Failure{400, "BadDigest",
                     "The Content-MD5 you specified did not match what we received."};
    }
    return "\"" + hex_encode(body.md5) + "\"";
  }
  if (declared && declared->size() == 16) return "\"" + hex_encode(*declared) + "\"";
  return "\"" + pseudo_etag(server.request_counter, body.size) + "\"";
}

Response handle_upload(Server& server, const ParsedRequest& req,
                       const http::request<http::buffer_body>& head, const BodySummary& body,
                       const std::string& id) {
  const std::string resource = "/" + req.bucket + "/" + req.key;
  auto etag = body_etag(server, head[http::field::content_md5], body);
  if (auto* failure = std::get_if<Failure>(&etag)) return s3_error(*failure, resource, id);
  std::string& tag = std::get<std::string>(etag);
  if (req.op == Operation::upload_part) {
    if (auto failure = server.store.upload_part(req.upload_id, req.bucket, req.key, req.part_number,
                                                body.size, tag)) {
      return s3_error(*failure, resource, id);
    }
  } else {
    server.store.put_object(req.bucket, req.key, body.size, tag);
  }
  Response res{http::status::ok, 11};
  res.set(http::field::etag, tag);
  return res;
}

Response handle_multipart(Server& server, const ParsedRequest& req, const BodySummary& body,
                          const std::string& id) {
  const std::string resource = "/" + req.bucket + "/" + req.key;
  if (req.op == Operation::create_upload) {
    return xml_ok(
        initiate_xml(req.bucket, req.key, server.store.create_upload(req.bucket, req.key)));
  }
  if (req.op == Operation::abort_upload) {
    if (auto failure = server.store.abort(req.upload_id)) return s3_error(*failure, resource, id);
    return Response{http::status::no_content, 11};
  }
  auto parts = body.too_large ? std::nullopt : parse_complete_body(body.text);
  if (!parts) {
    return s3_error({400, "MalformedXML", "The XML you provided was not well-formed."}, resource,
                    id);
  }
  auto result = server.store.complete(req.upload_id, req.bucket, req.key, *parts);
  if (result.failure) return s3_error(*result.failure, resource, id);
  return xml_ok(complete_xml(req.bucket, req.key, result.etag));
}

Response handle_object_read(Server& server, const ParsedRequest& req, const std::string& id) {
  const std::string resource = "/" + req.bucket + "/" + req.key;
  const StoredObject* object = server.store.find(req.bucket, req.key);
  if (req.op == Operation::delete_object) {
    server.store.remove(req.bucket, req.key);  // "returns 204 even if the object did not exist"
    return Response{http::status::no_content, 11};
  }
  if (!object) {
    return s3_error({404, "NoSuchKey", "The specified key does not exist."}, resource, id);
  }
  if (req.op == Operation::get_object) {
    return s3_error({501, "NotImplemented", "ks3_null_s3 discards object bodies"}, resource, id);
  }
  Response res{http::status::ok, 11};  // HeadObject: headers only, Content-Length set later
  res.set(http::field::etag, object->etag);
  res.content_length(object->size);
  return res;
}

Response dispatch(Server& server, const ParsedRequest& req,
                  const http::request<http::buffer_body>& head, const BodySummary& body,
                  const std::string& id) {
  if (req.op == Operation::stats) {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = server.store.stats_json();
    return res;
  }
  if (req.op == Operation::unsupported) {
    return s3_error({501, "NotImplemented", req.problem}, std::string(head.target()), id);
  }
  if (req.op == Operation::create_bucket) {
    server.store.create_bucket(req.bucket);
    return Response{http::status::ok, 11};
  }
  if (auto failure = server.store.check_bucket(req.bucket)) {
    return s3_error(*failure, "/" + req.bucket, id);
  }
  switch (req.op) {
    case Operation::head_bucket:
      return Response{http::status::ok, 11};
    case Operation::list_objects_v2:
      return xml_ok(list_xml(req.bucket, req, server.store.list(req.bucket, req)));
    case Operation::put_object:
    case Operation::upload_part:
      return handle_upload(server, req, head, body, id);
    case Operation::create_upload:
    case Operation::complete_upload:
    case Operation::abort_upload:
      return handle_multipart(server, req, body, id);
    default:
      return handle_object_read(server, req, id);
  }
}

struct Md5 {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Md5() { EVP_DigestInit_ex(ctx, EVP_md5(), nullptr); }
  ~Md5() { EVP_MD_CTX_free(ctx); }
  void update(const char* data, std::size_t n) { EVP_DigestUpdate(ctx, data, n); }
  std::string finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    return std::string(reinterpret_cast<char*>(digest), length);
  }
};

// Takes in `n` body bytes at `data`, keeping only what the operation needs.
void take_body(const char* data, std::size_t n, Operation op, std::optional<Md5>& md5,
               BodySummary& body) {
  body.size += n;
  if (md5) md5->update(data, n);
  if (op == Operation::complete_upload) {
    if (body.text.size() + n > kMaxCompleteBody) {
      body.too_large = true;
    } else {
      body.text.append(data, n);
    }
  }
}

// Reads the body. With a Content-Length (what S3 clients send), the bytes go straight from the
// socket into `chunk`, past the parser: one copy out of the kernel, no parsing. A chunked body
// goes through the parser, `chunk` at a time.
asio::awaitable<bool> read_body(Server& server, tcp::socket& socket, beast::flat_buffer& buffer,
                                http::request_parser<http::buffer_body>& parser, Operation op,
                                std::vector<char>& chunk, BodySummary& body) {
  std::optional<Md5> md5;
  if (server.options.verify_md5 && (op == Operation::put_object || op == Operation::upload_part)) {
    md5.emplace();
  }
  if (auto length = parser.content_length(); length && !parser.chunked()) {
    std::uint64_t remaining = *length;
    // Body bytes that arrived with the header are already in `buffer`.
    const std::size_t early =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining));
    take_body(static_cast<const char*>(buffer.data().data()), early, op, md5, body);
    buffer.consume(early);
    remaining -= early;
    while (remaining > 0) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), remaining));
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk.data(), want),
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) co_return false;
      take_body(chunk.data(), n, op, md5, body);
      remaining -= n;
    }
  } else {
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      auto [ec, n] =
          co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec == http::error::need_buffer) ec = {};  // the chunk is full: hand it over, read on
      if (ec) co_return false;
      take_body(chunk.data(), chunk.size() - parser.get().body().size, op, md5, body);
    }
  }
  if (md5) body.md5 = md5->finish();
  co_return true;
}

void log_request(const ParsedRequest& req, std::string_view target, const Response& res,
                 const BodySummary& body) {
  std::cerr << "ks3_null_s3: " << operation_name(req.op) << " " << target << " -> "
            << res.result_int() << " (" << body.size << " body bytes)\n";
}

asio::awaitable<void> serve(Server& server, tcp::socket socket) {
  beast::flat_buffer buffer;
  std::vector<char> chunk(kChunk);
  asio::steady_timer delay(socket.get_executor());
  for (;;) {
    http::request_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // PutObject: up to 5 GiB
    auto [ec, n] = co_await http::async_read_header(socket, buffer, parser,
                                                    asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // the client closed, or sent garbage: nothing to answer
    const auto& head = parser.get();
    const ParsedRequest req = classify(head.method_string(), head.target());
    if (head[http::field::expect] == "100-continue") {
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      co_await http::async_write(socket, go_on, asio::as_tuple(asio::use_awaitable));
    }
    BodySummary body;
    if (!co_await read_body(server, socket, buffer, parser, req.op, chunk, body)) co_return;
    const std::string id = "ks3null" + std::to_string(++server.request_counter);
    ++server.store.counters().requests[std::string(operation_name(req.op))];
    server.store.counters().body_bytes += body.size;
    if (server.options.latency.count() > 0) {
      delay.expires_after(server.options.latency);
      co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    Response res = dispatch(server, req, parser.get(), body, id);
    if (res.result_int() >= 400) ++server.store.counters().errors;
    if (server.options.verbose) log_request(req, head.target(), res, body);
    res.set(http::field::server, "ks3_null_s3");
    res.set("x-amz-request-id", id);
    res.keep_alive(parser.get().keep_alive());
    if (head.method() == http::verb::head) {
      // "A HEAD request has the same options as a GET action on an object. The response is
      // identical to the GET response except that there is no response body": a HeadObject
      // keeps the object's Content-Length; errors carry no body either.
      if (req.op != Operation::head_object || res.result_int() != 200) res.content_length(0);
      res.body().clear();
    } else {
      res.prepare_payload();
    }
    auto [write_ec, written] =
        co_await http::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
    if (write_ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(Server& server, tcp::acceptor& acceptor) {
  asio::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // E.g. EMFILE (out of file descriptors): wait a little instead of spinning.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), serve(server, std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ks3::bench::parse_null_s3_args(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto* exit = std::get_if<ks3::cli::Exit>(&parsed)) return ks3::cli::finish(*exit);
  const Options& options = std::get<Options>(parsed);
  Server server{options, NullS3Store(options.buckets, options.min_part_size), 0};
  asio::io_context io(1);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(server.options.host, ec);  // checked by the parser
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(address, server.options.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    std::cerr << "ks3_null_s3: cannot listen on " << server.options.host << ":"
              << server.options.port << ": " << ec.message() << "\n";
    return 1;
  }
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::cout << "listening=" << acceptor.local_endpoint().address().to_string() << ":"
            << acceptor.local_endpoint().port() << std::endl;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    std::cout << "stats=" << server.store.stats_json() << std::endl;
    io.stop();
  });
  asio::co_spawn(io, accept_loop(server, acceptor), asio::detached);
  io.run();
  return 0;
}

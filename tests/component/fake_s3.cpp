#include "tests/component/fake_s3.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/component/fake_s3_request.hpp"

namespace ks3::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

std::string_view fault_name(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::http_error:
      return "http_error";
    case Fault::Kind::error_in_200:
      return "error_in_200";
    case Fault::Kind::reset_request:
      return "reset_request";
    case Fault::Kind::reset_response:
      return "reset_response";
    case Fault::Kind::slow_response:
      return "slow_response";
  }
  return "?";
}

}  // namespace

Fault Fault::http_error(unsigned status, std::string code) {
  Fault fault;
  fault.kind = Kind::http_error;
  fault.status = status;
  fault.code = std::move(code);
  return fault;
}
Fault Fault::error_in_200(std::string code) {
  Fault fault;
  fault.kind = Kind::error_in_200;
  fault.status = 200;
  fault.code = std::move(code);
  return fault;
}
Fault Fault::reset_request() {
  Fault fault;
  fault.kind = Kind::reset_request;
  return fault;
}
Fault Fault::reset_response() {
  Fault fault;
  fault.kind = Kind::reset_response;
  fault.apply_first = true;
  return fault;
}
Fault Fault::slow_response(std::chrono::milliseconds delay) {
  Fault fault;
  fault.kind = Kind::slow_response;
  fault.delay = delay;
  fault.apply_first = true;
  return fault;
}

struct FakeS3::State : std::enable_shared_from_this<FakeS3::State> {
  mutable std::mutex mutex;  // guards everything below except the I/O objects
  FakeS3Options options;
  FakeS3Store store;
  std::map<S3Op, std::deque<Fault>> faults;
  std::map<S3Op, std::chrono::milliseconds> latency;
  std::vector<RequestRecord> log;
  std::map<S3Op, int> in_flight;
  std::map<S3Op, int> max_in_flight;
  std::size_t connections = 0;
  std::size_t tls_failures = 0;
  std::uint64_t next_request = 1;

  // I/O: used on the serving executor only.
  asio::any_io_executor executor;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::shared_ptr<asio::ssl::context> tls;
  std::map<std::uint64_t, tcp::socket*> open_sockets;
  std::uint16_t port = 0;

  std::optional<Fault> take_fault(S3Op op) {
    std::lock_guard lock(mutex);
    auto& queue = faults[op];
    if (queue.empty()) return std::nullopt;
    Fault fault = queue.front();
    queue.pop_front();
    return fault;
  }

  std::string request_id() {
    std::lock_guard lock(mutex);
    return "FAKE" + std::to_string(next_request++);
  }

  void record(RequestRecord record) {
    std::lock_guard lock(mutex);
    log.push_back(std::move(record));
  }

  FakeResponse apply(S3Op op, const FakeRequest& request, std::string_view id) {
    std::lock_guard lock(mutex);
    return store.handle(op, request, id);
  }

  // What S3 answers to one request: after the op's latency, the checks, the store, and the
  // injected fault. Counts the request in flight until finish() in serve().
  awaitable<FakeResponse> answer(S3Op op, const FakeRequest& request, const ParsedTarget& target,
                                 const std::optional<Fault>& fault, const std::string& id);
  static void note_request(RequestRecord& record, const FakeRequest& request);

  awaitable<void> accept_loop();
  template <class Stream>
  awaitable<void> serve(Stream& stream, beast::tcp_stream& tcp, std::uint64_t connection);
  awaitable<void> session(tcp::socket socket);
};

namespace {

FakeRequest to_fake_request(const http::request<http::string_body>& message,
                            const ParsedTarget& target) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : message) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return make_fake_request(std::string(message.method_string()), headers, target, message.body());
}

template <class Stream>
awaitable<boost::system::error_code> write_response(Stream& stream, const FakeResponse& response,
                                                    bool head_request, bool keep_alive,
                                                    std::string_view request_id) {
  const auto fill = [&](auto& message) {
    message.result(response.status);
    message.version(11);
    message.set(http::field::server, "ks3-fake-s3");
    message.set("x-amz-request-id", request_id);
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(keep_alive);
  };
  if (head_request) {
    http::response<http::empty_body> message;
    fill(message);
    message.content_length(response.head ? response.head_content_length : 0);
    auto [ec, n] = co_await http::async_write(stream, message, as_result);
    co_return ec;
  }
  http::response<http::string_body> message;
  fill(message);
  message.body() = response.body;
  message.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, message, as_result);
  co_return ec;
}

std::string serialize(const FakeResponse& response, std::string_view request_id) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), 11};
  message.set("x-amz-request-id", request_id);
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body() = response.body;
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

void reset_connection(beast::tcp_stream& tcp) {
  boost::system::error_code ignored;
  // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
  tcp.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  tcp.socket().close(ignored);
}

}  // namespace

void FakeS3::State::note_request(RequestRecord& record, const FakeRequest& request) {
  record.bucket = request.bucket;
  record.key = request.key;
  record.body_size = request.body.size();
  record.checksum = !request.header("x-amz-checksum-crc32c").empty() ? "crc32c"
                    : !request.header("content-md5").empty()         ? "md5"
                                                                     : "";
  record.payload_hash = request.header("x-amz-content-sha256");
  if (request.has_query("uploadId")) record.upload_id = request.query.at("uploadId");
  if (request.has_query("partNumber")) {
    record.part_number = std::atoi(request.query.at("partNumber").c_str());
  }
}

awaitable<FakeResponse> FakeS3::State::answer(S3Op op, const FakeRequest& request,
                                              const ParsedTarget& target,
                                              const std::optional<Fault>& fault,
                                              const std::string& id) {
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(mutex);
    max_in_flight[op] = std::max(max_in_flight[op], ++in_flight[op]);
    if (auto it = latency.find(op); it != latency.end()) delay = it->second;
  }
  asio::steady_timer timer(executor);
  if (delay.count() > 0) {
    timer.expires_after(delay);
    co_await timer.async_wait(as_result);
  }
  if (auto rejected = verify_request(request, target, options.credentials, options.region, id)) {
    co_return std::move(*rejected);
  }
  if (!fault) co_return apply(op, request, id);
  FakeResponse response;
  if (fault->apply_first) response = apply(op, request, id);
  const std::string resource = "/" + request.bucket + "/" + request.key;
  if (fault->kind == Fault::Kind::http_error) {
    response = error_response(fault->status, fault->code, "injected fault", resource, id);
  } else if (fault->kind == Fault::Kind::error_in_200) {
    response = error_response(200, fault->code, "injected fault", resource, id);
  } else if (fault->kind == Fault::Kind::slow_response) {
    timer.expires_after(fault->delay);
    co_await timer.async_wait(as_result);
  }
  co_return response;
}

template <class Stream>
awaitable<void> FakeS3::State::serve(Stream& stream, beast::tcp_stream& tcp,
                                     std::uint64_t connection) {
  const auto self = shared_from_this();
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body);
    if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, as_result); ec) {
      co_return;
    }
    const ParsedTarget target = split_target(parser.get().target());
    RequestRecord record;
    record.method = std::string(parser.get().method_string());
    record.target = std::string(parser.get().target());
    record.connection = connection;
    if (std::chrono::system_clock::time_point signed_at;
        parse_amz_date(std::string(parser.get()["x-amz-date"]), signed_at)) {
      record.signed_before_arrival = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now() - signed_at);
    }
    {
      FakeRequest head_only = to_fake_request(parser.get(), target);
      record.op = classify_request(head_only);
    }
    const std::optional<Fault> fault = take_fault(record.op);
    if (fault) record.fault = std::string(fault_name(fault->kind));
    if (fault && fault->kind == Fault::Kind::reset_request) {
      // Take some of the body, then drop the connection mid-request.
      co_await http::async_read_some(stream, buffer, parser, as_result);
      record.status = 0;
      this->record(std::move(record));
      reset_connection(tcp);
      co_return;
    }
    while (!parser.is_done()) {
      if (auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, as_result); ec) {
        co_return;
      }
    }
    const http::request<http::string_body> message = parser.release();
    const FakeRequest request = to_fake_request(message, target);
    const bool head_request = request.method == "HEAD";
    note_request(record, request);
    const std::string id = request_id();
    FakeResponse response = co_await answer(record.op, request, target, fault, id);
    if (head_request && !response.head) response.body.clear();
    record.error_code = response.error_code;

    const auto finish = [&](unsigned status) {
      std::lock_guard lock(mutex);
      --in_flight[record.op];
      record.status = status;
      log.push_back(record);
    };
    if (fault && fault->kind == Fault::Kind::reset_response) {
      // Half of the answer (the status line and some headers, or some of the body), then RST.
      const std::string bytes = serialize(response, id);
      co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size() / 2), as_result);
      finish(0);
      reset_connection(tcp);
      co_return;
    }
    const bool keep_alive = message.keep_alive();
    finish(response.status);
    if (auto ec = co_await write_response(stream, response, head_request, keep_alive, id); ec) {
      co_return;
    }
    if (!keep_alive) co_return;
  }
}

awaitable<void> FakeS3::State::session(tcp::socket socket) {
  const auto self = shared_from_this();
  std::uint64_t connection = 0;
  {
    std::lock_guard lock(mutex);
    connection = ++connections;
  }
  if (!tls) {
    beast::tcp_stream stream(std::move(socket));
    open_sockets[connection] = &stream.socket();
    co_await serve(stream, stream, connection);
    open_sockets.erase(connection);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
  open_sockets[connection] = &beast::get_lowest_layer(stream).socket();
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, as_result);
  beast::get_lowest_layer(stream).expires_never();
  if (ec) {
    std::lock_guard lock(mutex);
    ++tls_failures;
  } else {
    co_await serve(stream, beast::get_lowest_layer(stream), connection);
  }
  open_sockets.erase(connection);
}

awaitable<void> FakeS3::State::accept_loop() {
  const auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(as_result);
    if (ec) co_return;  // closed by stop()
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

// Runs a FakeS3 on its own thread and io_context (the second constructor).
struct FakeS3::Runner {
  asio::io_context io;
  std::thread thread;
};

FakeS3::FakeS3(asio::any_io_executor executor, FakeS3Options options)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->executor = executor;
  start();
}

FakeS3::FakeS3(FakeS3Options options)
    : state_(std::make_shared<State>()), runner_(std::make_unique<Runner>()) {
  state_->options = std::move(options);
  state_->executor = runner_->io.get_executor();
  start();
  runner_->thread = std::thread([io = &runner_->io] { io->run(); });
}

FakeS3::~FakeS3() {
  stop();
  if (runner_) {
    runner_->io.stop();
    runner_->thread.join();
  }
  // The acceptor must go before its io_context (the runner's, or the test's).
  state_->acceptor.reset();
}

void FakeS3::start() {
  State& s = *state_;
  s.store.create_bucket(s.options.bucket);
  if (!s.options.tls_certificate_pem.empty()) {
    s.tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    s.tls->use_certificate_chain(asio::buffer(s.options.tls_certificate_pem));
    s.tls->use_private_key(asio::buffer(s.options.tls_private_key_pem), asio::ssl::context::pem);
  }
  s.acceptor = std::make_unique<tcp::acceptor>(s.executor);
  const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  s.acceptor->open(local.protocol());
  s.acceptor->set_option(tcp::acceptor::reuse_address(true));
  s.acceptor->bind(local);
  s.acceptor->listen();
  s.port = s.acceptor->local_endpoint().port();
  asio::co_spawn(s.executor, s.accept_loop(), asio::detached);
}

void FakeS3::stop() {
  const auto close_all = [state = state_] {
    boost::system::error_code ignored;
    if (state->acceptor) state->acceptor->close(ignored);
    for (auto& [id, socket] : state->open_sockets) socket->close(ignored);
  };
  if (!runner_) {
    close_all();  // the caller is on the serving thread (or the loop is not running)
    return;
  }
  if (runner_->io.stopped()) return;
  // The sockets belong to the runner's thread: close them there and wait.
  std::promise<void> done;
  asio::post(runner_->io, [&] {
    close_all();
    done.set_value();
  });
  done.get_future().wait();
}

void FakeS3::close_connections() {
  const auto close_all = [state = state_] {
    boost::system::error_code ignored;
    for (auto& [id, socket] : state->open_sockets) socket->close(ignored);
  };
  if (!runner_) {
    close_all();
    return;
  }
  std::promise<void> done;
  asio::post(runner_->io, [&] {
    close_all();
    done.set_value();
  });
  done.get_future().wait();
}

std::uint16_t FakeS3::port() const {
  return state_->port;
}

std::string FakeS3::endpoint() const {
  return (state_->tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
}

void FakeS3::inject(S3Op op, Fault fault, int times) {
  std::lock_guard lock(state_->mutex);
  for (int i = 0; i < times; ++i) state_->faults[op].push_back(fault);
}

void FakeS3::set_latency(S3Op op, std::chrono::milliseconds latency) {
  std::lock_guard lock(state_->mutex);
  state_->latency[op] = latency;
}

void FakeS3::create_bucket(const std::string& bucket) {
  std::lock_guard lock(state_->mutex);
  state_->store.create_bucket(bucket);
}

void FakeS3::put_object(const std::string& bucket, const std::string& key, std::string data) {
  std::lock_guard lock(state_->mutex);
  state_->store.put_object(bucket, key, std::move(data));
}

std::optional<StoredObject> FakeS3::object(const std::string& bucket,
                                           const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  const StoredObject* found = state_->store.object(bucket, key);
  if (!found) return std::nullopt;
  return *found;
}

std::vector<std::string> FakeS3::keys(const std::string& bucket) const {
  std::lock_guard lock(state_->mutex);
  return state_->store.keys(bucket);
}

std::size_t FakeS3::open_uploads() const {
  std::lock_guard lock(state_->mutex);
  return state_->store.open_uploads();
}

std::size_t FakeS3::completed_uploads() const {
  std::lock_guard lock(state_->mutex);
  return state_->store.completed_uploads();
}

std::size_t FakeS3::aborted_uploads() const {
  std::lock_guard lock(state_->mutex);
  return state_->store.aborted_uploads();
}

std::vector<RequestRecord> FakeS3::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}

std::size_t FakeS3::count(S3Op op) const {
  std::lock_guard lock(state_->mutex);
  std::size_t n = 0;
  for (const auto& record : state_->log) n += record.op == op ? 1 : 0;
  return n;
}

int FakeS3::max_in_flight(S3Op op) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->max_in_flight.find(op);
  return it == state_->max_in_flight.end() ? 0 : it->second;
}

std::size_t FakeS3::connections_accepted() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

std::size_t FakeS3::tls_handshake_failures() const {
  std::lock_guard lock(state_->mutex);
  return state_->tls_failures;
}

void FakeS3::clear_log() {
  std::lock_guard lock(state_->mutex);
  state_->log.clear();
  state_->max_in_flight.clear();
}

}  // namespace ks3::test

// The I/O half of the s3 CLI: runs one command on the S3 client and prints the result.
#include "server/app/s3_cli.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "s3/client.hpp"
#include "s3/sigv4.hpp"
#include "s3/uri_encode.hpp"
#include "server/config/config.hpp"

namespace ks3::server {
namespace {

namespace asio = boost::asio;
using s3::S3Error;
using s3::S3Result;

// "part numbers 1 to 10,000" (S3 multipart upload limits).
constexpr std::size_t kMaxParts = 10000;

S3Location location_of(const std::string& uri) {
  auto location = parse_s3_uri(uri);
  if (!location) throw std::invalid_argument("'" + uri + "' is not an s3://bucket/key URI");
  return *location;
}

S3Location object_location(const std::string& uri) {
  S3Location location = location_of(uri);
  if (location.key.empty()) throw std::invalid_argument("'" + uri + "' names no object key");
  return location;
}

std::string read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

S3Error usage_error(std::string operation, const S3Location& at, std::string message) {
  S3Error e;
  e.operation = std::move(operation);
  e.bucket = at.bucket;
  e.key = at.key;
  e.message = std::move(message);
  e.error = s3::make_error_code(s3::Errc::invalid_argument);
  return e;
}

class Runner {
 public:
  Runner(s3::Client& client, const S3CliCommand& command, const s3::ObjectSettings& objects,
         std::ostream& out, std::ostream& err)
      : client_(client), command_(command), objects_(objects), out_(out), err_(err) {}

  asio::awaitable<S3Result<void>> run() {
    const std::string& name = command_.name;
    if (name == "ls") co_return co_await list(location_of(command_.arguments[0]));
    if (name == "put")
      co_return co_await put(command_.arguments[0], object_location(command_.arguments[1]));
    if (name == "get")
      co_return co_await get(object_location(command_.arguments[0]), command_.arguments[1]);
    if (name == "rm") co_return co_await remove(object_location(command_.arguments[0]));
    if (name == "head") co_return co_await head(object_location(command_.arguments[0]));
    throw std::invalid_argument("unknown s3 command '" + name + "'");
  }

 private:
  asio::awaitable<S3Result<void>> list(const S3Location& at) {
    if (command_.recursive) {
      auto objects = co_await client_.list_all_objects(at.bucket, at.key);
      if (!objects) co_return objects.error();
      for (const auto& object : *objects) print_object(object);
      co_return S3Result<void>{};
    }
    s3::ListObjectsRequest request;
    request.prefix = at.key;
    request.delimiter = "/";
    for (;;) {
      auto page = co_await client_.list_objects_v2(at.bucket, request);
      if (!page) co_return page.error();
      for (const auto& prefix : page->common_prefixes) {
        out_ << std::setw(24 + 2 + 12 + 2) << std::right << "PRE  " << prefix << "\n";
      }
      for (const auto& object : page->contents) print_object(object);
      if (!page->is_truncated) co_return S3Result<void>{};
      request.continuation_token = page->next_continuation_token;
    }
  }

  void print_object(const s3::ObjectSummary& object) {
    out_ << std::left << std::setw(24) << object.last_modified << "  " << std::right
         << std::setw(12) << object.size << "  " << object.key << "\n";
  }

  asio::awaitable<S3Result<void>> put(const std::string& path, const S3Location& at) {
    const std::string data = read_input(path);
    std::size_t parts = 1;
    s3::S3Result<s3::PutObjectResult> done;
    if (data.size() <= command_.part_size) {
      done = co_await client_.put_object(at.bucket, at.key, s3::make_body(data),
                                         command_.content_type, {}, objects_);
    } else {
      parts = (data.size() + command_.part_size - 1) / command_.part_size;
      done = co_await put_multipart(data, at, parts);
    }
    if (!done) co_return done.error();
    out_ << "uploaded s3://" << at.bucket << "/" << at.key << " (" << data.size() << " bytes, "
         << parts << (parts == 1 ? " part" : " parts") << ", ETag " << done->etag << ")\n";
    co_return S3Result<void>{};
  }

  asio::awaitable<S3Result<s3::PutObjectResult>> put_multipart(const std::string& data,
                                                               const S3Location& at,
                                                               std::size_t part_count) {
    if (part_count > kMaxParts) {
      co_return usage_error("UploadPart", at, "needs more than 10000 parts: raise --part-size");
    }
    auto upload_id = co_await client_.create_multipart_upload(at.bucket, at.key,
                                                              command_.content_type, objects_);
    if (!upload_id) co_return upload_id.error();
    std::vector<s3::CompletedPart> parts(part_count);
    auto failure = co_await upload_parts(data, at, *upload_id, parts);
    if (!failure) {
      auto completed =
          co_await client_.complete_multipart_upload(at.bucket, at.key, *upload_id, parts);
      if (completed) co_return completed;
      failure = completed.error();
    }
    // Never leave an upload behind: its parts would be billed storage until a lifecycle rule.
    auto aborted = co_await client_.abort_multipart_upload(at.bucket, at.key, *upload_id);
    if (!aborted) err_ << "also failed: " << aborted.error().describe() << "\n";
    co_return *failure;
  }

  // Uploads every part with up to command_.concurrency in flight; the first failure, if any.
  asio::awaitable<std::optional<S3Error>> upload_parts(const std::string& data,
                                                       const S3Location& at,
                                                       const std::string& upload_id,
                                                       std::vector<s3::CompletedPart>& parts) {
    const auto executor = co_await asio::this_coro::executor;
    std::size_t next = 0;
    std::optional<S3Error> failure;
    int running = 0;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    auto worker = [&]() -> asio::awaitable<void> {
      while (next < parts.size() && !failure) {
        const std::size_t index = next++;
        const int number = static_cast<int>(index + 1);
        auto body = s3::make_body(data.substr(index * command_.part_size, command_.part_size));
        auto part = co_await client_.upload_part(at.bucket, at.key, upload_id, number, body);
        if (!part) {
          if (!failure) failure = part.error();
          co_return;
        }
        parts[index] = std::move(*part);
      }
    };
    const auto workers =
        std::min<std::size_t>(static_cast<std::size_t>(command_.concurrency), parts.size());
    for (std::size_t w = 0; w < workers; ++w) {
      ++running;
      asio::co_spawn(executor, worker(), [&](std::exception_ptr) {
        if (--running == 0) all_done.cancel();
      });
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return failure;
  }

  asio::awaitable<S3Result<void>> get(const S3Location& at, const std::string& path) {
    auto object = co_await client_.get_object(at.bucket, at.key);
    if (!object) co_return object.error();
    if (path == "-") {
      out_.write(object->data.data(), static_cast<std::streamsize>(object->data.size()));
      co_return S3Result<void>{};
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(object->data.data(), static_cast<std::streamsize>(object->data.size()));
    if (!file.flush()) co_return usage_error("GetObject", at, "cannot write '" + path + "'");
    out_ << "downloaded s3://" << at.bucket << "/" << at.key << " to " << path << " ("
         << object->data.size() << " bytes)\n";
    co_return S3Result<void>{};
  }

  asio::awaitable<S3Result<void>> remove(const S3Location& at) {
    auto deleted = co_await client_.delete_object(at.bucket, at.key);
    if (!deleted) co_return deleted.error();
    out_ << "deleted s3://" << at.bucket << "/" << at.key << "\n";
    co_return S3Result<void>{};
  }

  asio::awaitable<S3Result<void>> head(const S3Location& at) {
    auto info = co_await client_.head_object(at.bucket, at.key);
    if (!info) co_return info.error();
    out_ << "size: " << info->size << "\netag: " << info->etag
         << "\ncontent-type: " << info->content_type << "\nlast-modified: " << info->last_modified
         << "\n";
    co_return S3Result<void>{};
  }

  s3::Client& client_;
  const S3CliCommand& command_;
  const s3::ObjectSettings& objects_;  // put: what the object gets besides its bytes
  std::ostream& out_;
  std::ostream& err_;
};

// presign needs credentials and the endpoint, not the network (except web identity's STS).
asio::awaitable<S3Result<void>> presign(const S3CliCommand& command, const S3CliSettings& settings,
                                        s3::CredentialsProvider& provider, std::ostream& out) {
  const S3Location at = object_location(command.arguments[0]);
  auto credentials = co_await provider.get();
  if (!credentials) {
    S3Error e = usage_error("presign", at, "no credentials: " + credentials.error().message());
    e.error = credentials.error();
    co_return e;
  }
  const s3::Endpoint endpoint = s3::resolve_endpoint(settings.client);
  const s3::RequestTarget target =
      s3::resolve_target(endpoint, settings.client.addressing, at.bucket, at.key);
  s3::sigv4::PresignRequest request{
      command.method, s3::encode_path(target.raw_path), {}, target.host_header, command.expires};
  const std::string query = s3::sigv4::presign_query(request, *credentials, settings.client.region,
                                                     "s3", std::chrono::system_clock::now());
  out << (endpoint.https ? "https://" : "http://") << target.host_header << request.canonical_uri
      << "?" << query << "\n";
  co_return S3Result<void>{};
}

}  // namespace

int run_s3_command(const S3CliCommand& command, const S3CliSettings& settings, std::ostream& out,
                   std::ostream& err) {
  asio::io_context io;
  std::optional<S3Result<void>> outcome;
  std::exception_ptr failure;
  try {
    const s3::CredentialSource source =
        s3::resolve_credential_source(settings.credentials, settings.client.region,
                                      s3::process_environment(), s3::local_file_reader());
    auto provider = s3::make_credentials_provider(io.get_executor(), source, settings.client.tls,
                                                  settings.client.timeouts);
    s3::Client client(io.get_executor(), settings.client, provider);
    Runner runner(client, command, settings.objects, out, err);
    auto body = [&]() -> asio::awaitable<S3Result<void>> {
      if (command.name == "presign") co_return co_await presign(command, settings, *provider, out);
      co_return co_await runner.run();
    };
    asio::co_spawn(io, body(), [&](std::exception_ptr e, S3Result<void> result) {
      failure = e;
      outcome = std::move(result);
    });
    io.run();
  } catch (const std::exception& e) {
    err << "kafka-s3-sink s3 " << command.name << ": " << e.what() << "\n";
    return 2;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      err << "kafka-s3-sink s3 " << command.name << ": " << e.what() << "\n";
      return 2;
    }
  }
  if (outcome && !*outcome) {
    err << "kafka-s3-sink s3 " << command.name << ": " << outcome->error().describe() << "\n";
    return 1;
  }
  out.flush();
  return 0;
}

int run_s3_cli(const S3CliCommand& command) {
  S3CliSettings settings;
  if (command.config_file) {
    ConfigSources sources;
    sources.file = *command.config_file;
    sources.environment = process_environment_pairs();
    try {
      settings = s3_cli_settings_from_config(load_config(sources));
    } catch (const ConfigError& e) {
      std::cerr << "kafka-s3-sink s3 " << command.name << ": " << e.what() << "\n";
      return 2;
    }
  } else {
    settings = s3_cli_settings_from_environment(s3::process_environment(), s3::local_file_reader());
  }
  apply_s3_flags(command.settings, settings);
  return run_s3_command(command, settings, std::cout, std::cerr);
}

}  // namespace ks3::server

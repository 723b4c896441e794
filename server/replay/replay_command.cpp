// `replay` as a command: the environment's S3 settings, an io_context with the S3 client, the
// summary. The command line is kafka-s3-sink's (server/app/replay_cli.hpp).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <ostream>

#include "s3/aws_profile.hpp"
#include "s3/credentials_chain.hpp"
#include "server/replay/replay.hpp"

namespace ks3::server::replay {
namespace asio = boost::asio;

ReplayCommand replay_command_from_environment() {
  ReplayCommand command;
  const s3::AwsDefaults defaults =
      s3::aws_defaults("", s3::process_environment(), s3::local_file_reader());
  command.client.endpoint = defaults.endpoint_url;
  if (!defaults.region.empty()) command.client.region = defaults.region;
  return command;
}

int run_replay_command(const ReplayCommand& command, std::ostream& out, std::ostream& err) {
  asio::io_context io;
  std::optional<ReplayResult> result;
  std::exception_ptr failure;
  try {
    const s3::CredentialSource source =
        s3::resolve_credential_source(command.credentials, command.client.region,
                                      s3::process_environment(), s3::local_file_reader());
    auto provider = s3::make_credentials_provider(io.get_executor(), source, command.client.tls,
                                                  command.client.timeouts);
    s3::Client client(io.get_executor(), command.client, provider);
    asio::co_spawn(io, run_replay(command.replay, client),
                   [&](std::exception_ptr e, ReplayResult r) {
                     failure = e;
                     result = std::move(r);
                   });
    io.run();
  } catch (const std::exception& e) {
    err << "kafka-s3-sink replay: " << e.what() << "\n";
    return 2;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      err << "kafka-s3-sink replay: " << e.what() << "\n";
      return 1;
    }
  }
  if (!result || !result->ok) {
    err << "kafka-s3-sink replay: " << (result ? result->error : "did not finish") << "\n";
    return 1;
  }
  const ReplayResult& r = *result;
  out << (command.replay.dry_run ? "read " : "replayed ") << r.records << " records from "
      << r.objects << " objects (" << r.partitions << " source partitions, " << r.bytes
      << " bytes)";
  if (!command.replay.dry_run) {
    out << " to topic " << command.replay.target_topic << " ("
        << (r.kept_partitions ? "source partitions kept" : "partitioned by key") << ", "
        << r.target_partitions << (r.target_partitions == 1 ? " partition)" : " partitions)");
  }
  out << "; duplicates skipped: " << r.duplicates << "; keys skipped: " << r.objects_skipped
      << "\n";
  return 0;
}

}  // namespace ks3::server::replay

// kafka-s3-sink entry point (placeholder until the pipeline lands).
#include <cstdio>
#include <string_view>

#include "server/s3_cli.hpp"

int main(int argc, char** argv) {
  // `kafka-s3-sink s3 ...`: the operator's S3 CLI (server/s3_cli.hpp).
  if (argc >= 2 && std::string_view(argv[1]) == "s3")
    return ks3::server::s3_cli_main(argc - 1, argv + 1);
  std::puts("kafka-s3-sink: not yet implemented");
  return 0;
}

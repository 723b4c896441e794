// ks3_replay_tool: `kafka-s3-sink replay` until the subcommand is wired in server/app.
//   ks3_replay_tool s3://BUCKET/PREFIX --topic TARGET [options]   (see replay_usage())
#include "server/replay/replay.hpp"

int main(int argc, char** argv) {
  return ks3::server::replay::replay_main(argc, argv);
}

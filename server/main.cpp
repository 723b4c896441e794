// kafka-s3-sink entry point (placeholder until the pipeline lands).
#include <cstdio>

int main() {
  std::puts("kafka-s3-sink: not yet implemented");
  return 0;
}

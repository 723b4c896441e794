#!/usr/bin/env bash
# The sink end to end: 100k keyed records over 16 partitions of the mock Kafka cluster land in
# s3rver (behind the SigV4-verifying proxy); after download and decode every (topic, partition,
# offset) appears exactly once, the committed offsets equal the end offsets, and SIGTERM stops
# the sink with status 0.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_exactly_once.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic events:16
start_s3 lake
produce_json_records events 100000

config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-eo "rotation: {max_records: 2500, idle_flush: 1s}"
"$KS3_SINK_BIN" --config "$config" --validate >/dev/null || fail "--validate rejects the config"

start_sink sink "$config"
sink=$KS3_SINK_PID
wait_committed_at_end 120 sink-eo events
stop_sink "$sink"

expect_file_for events >"$KS3_WORK/expect.txt"
[ "$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = 100000 ] ||
  fail "the topic does not hold 100000 records"
verify_landed "$KS3_WORK/expect.txt"
committed_at_end sink-eo events || fail "committed offsets moved away from the end offsets"
verified=$(sigv4_proxy_stat verified)
((verified > 16)) || fail "only $verified requests went through the signature check"
[ "$(sigv4_proxy_stat rejected)" = 0 ] || fail "the proxy rejected requests of the sink"
grep -q '"object completed"\|object completed' "$KS3_WORK/sink.log" || fail "no rotation log line"
note "ok"

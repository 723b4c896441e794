#!/usr/bin/env bash
# Two sink instances in one consumer group share the 16 partitions (eager rebalancing, the
# mock cluster's reliable protocol); records keep arriving while the second one joins and while
# the first one leaves (SIGTERM: its partitions move to the survivor). The union of their
# objects holds every record exactly once and the committed offsets reach the end offsets.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_two_instances.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic events:16
start_s3 lake

config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-pair \
  "rotation: {max_records: 1000, idle_flush: 300ms}"
# Eager assignment (range): cooperative-sticky leaves partitions unowned for a while in the mock.
sed -i 's/^  properties:$/  properties:\n    partition.assignment.strategy: "range"/' "$config"

produce_json_records events 30000 0
start_sink sink-a "$config"
a=$KS3_SINK_PID
wait_committed_above 90 sink-pair events 0
start_sink sink-b "$config" --set http.listen=127.0.0.1:0
b=$KS3_SINK_PID
produce_json_records events 30000 30000
wait_for_log 60 sink-b 'partition assigned'
produce_json_records events 30000 60000
wait_committed_at_end 120 sink-pair events
grep -q 'object completed' "$KS3_WORK/sink-b.log" || fail "the second instance wrote nothing"

note "the first instance leaves; the second takes over its partitions"
stop_sink "$a"
produce_json_records events 10000 90000
wait_committed_at_end 120 sink-pair events
stop_sink "$b"

expect_file_for events >"$KS3_WORK/expect.txt"
[ "$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = 100000 ] ||
  fail "the topic does not hold 100000 records"
verify_landed "$KS3_WORK/expect.txt"
note "ok"

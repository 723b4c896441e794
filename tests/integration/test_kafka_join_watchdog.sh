#!/usr/bin/env bash
# The group join watchdog (kafka/join_watchdog.hpp, README "Group join watchdog") end to end: a
# sink that cannot join its group (every JoinGroup answered COORDINATOR_NOT_AVAILABLE by the mock
# cluster) warns once it has waited 3 x session.timeout.ms (18 s here), counts the stall and shows
# the wait in kafka_s3_sink_group_join_wait_seconds; once JoinGroup works again it joins, says so,
# and the gauge is back to 0. About 25 s, most of it the 18 s wait.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_kafka_join_watchdog.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

topic=events
group=sink-join-watchdog
KS3_BROKER_CONTROL=$KS3_WORK/broker.ctl
start_mock_broker --brokers 1 --topic $topic:2 --control "$KS3_BROKER_CONTROL"
start_s3 lake
config=$KS3_WORK/sink.yaml
write_sink_config "$config" $topic $group
# librdkafka's own metadata refresh (5 min), not the suites' 1 s: with a refresh every second the
# 2.0.2 leader can restart its join again and again after the errors are cleared (the very stall
# the watchdog reports; see test_pipeline_kafka_faults.sh), and the join below would time out.
sed -i '/topic.metadata.refresh.interval.ms/d' "$config"
port=$(http_port_of "$config")

metric() {  # metric NAME: the sink's value of an unlabelled metric (empty when unreachable)
  curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" |
    awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }'
}
metric_at_least() { awk -v v="$(metric "$1")" -v m="$2" 'BEGIN { exit !(v != "" && v >= m) }'; }

# Far more failed JoinGroups than the client makes in 25 s (about one every 2 s): cleared below.
broker_control request-errors 11 15 100   # JoinGroup: COORDINATOR_NOT_AVAILABLE
start_sink sink "$config"
sink=$KS3_SINK_PID
wait_for 20 "kafka_s3_sink_group_join_wait_seconds to count the wait" \
  metric_at_least kafka_s3_sink_group_join_wait_seconds 1
[ "$(metric kafka_s3_sink_group_join_stalls_total)" = 0 ] || fail "a stall counted before 18 s"

note "no assignment for 18 s (3 x session.timeout.ms 6000): a warning and a counted stall"
wait_for_log 30 sink 'kafka group not joined: no assignment from the group for longer than'
line=$(grep 'kafka group not joined: no assignment' "$KS3_WORK/sink.log" | head -1)
[[ $line == *" warn "* && $line == *"since=first_join"* && $line == *"session_timeout_ms=6000"* ]] ||
  fail "unexpected warning: $line"
waited=$(sed -n 's/.* waited_ms=\([0-9]*\).*/\1/p' <<<"$line")
((waited >= 18000 && waited < 21000)) || fail "warned after $waited ms, expected 18000-21000"
[ "$(metric kafka_s3_sink_group_join_stalls_total)" = 1 ] || fail "the stall is not counted once"
metric_at_least kafka_s3_sink_group_join_wait_seconds 18 || fail "the wait gauge is below 18 s"

note "JoinGroup works again: the sink joins, says so, and the gauge is 0"
broker_control clear-errors 11
wait_for_log 30 sink 'kafka group joined after a stall'
wait_for_log 10 sink 'kafka partitions assigned'
[ "$(metric kafka_s3_sink_group_join_wait_seconds)" = 0 ] || fail "the wait gauge is not 0 after the join"
[ "$(metric kafka_s3_sink_group_join_stalls_total)" = 1 ] || fail "the stall count changed after the join"
stop_sink "$sink"
note "ok: warned after $waited ms, joined in ${SECONDS}s"

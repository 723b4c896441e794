#!/usr/bin/env bash
# Kafka faults through the mock cluster's error injection (kafka-mock-broker --control), while a
# producer keeps writing keyed records to 16 partitions of a 3-broker cluster:
#   1. every broker down for 2 s, then up (an outage of the whole cluster, coordinator included);
#   2. one broker down for 2 s with its partitions' leadership moved to another broker (a
#      failover), then up and the leadership moved back;
#   3. a burst of failed OffsetCommits: REQUEST_TIMED_OUT and NOT_COORDINATOR (librdkafka retries
#      them itself), REBALANCE_IN_PROGRESS and OFFSET_METADATA_TOO_LARGE (they reach the sink,
#      which retries with backoff; kafka_s3_sink_commit_failures_total counts them);
#   4. a burst of failed Fetches (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION);
#   5. the sink killed (SIGKILL) and restarted while JoinGroup (2x) and SyncGroup (1x) fail with
#      COORDINATOR_NOT_AVAILABLE; kafka_s3_sink_group_join_wait_seconds counts the wait and is 0
#      again once it joined; then Heartbeats fail. The restarted sink keeps librdkafka's default
#      topic.metadata.refresh.interval.ms (5 min) rather than this suite's 1 s: librdkafka 2.0.2's
#      group leader restarts its join whenever a metadata refresh answers while it waits for the
#      assignor's metadata, and with a refresh every second that kept it out of the group for
#      30 s and more (1 restart of 15; issue 8, README "Group join watchdog").
# The sink stays up (same PID) through 1-4 and recovers on its own each time. Afterwards every
# record appears exactly once in S3 and the committed offsets equal the end offsets: a commit of
# data that was not durable would show as records missing after the kill in 5.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_kafka_faults.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

topic=events
group=sink-kfaults
KS3_BROKER_CONTROL=$KS3_WORK/broker.ctl
start_mock_broker --brokers 3 --topic $topic:16 --control "$KS3_BROKER_CONTROL"
start_s3 lake

config=$KS3_WORK/sink.yaml
# Small segments and a short idle flush: many cuts, so many commits while the faults last.
write_sink_config "$config" $topic $group "rotation: {max_records: 150, idle_flush: 300ms}"
listen=$(sed -n 's/^  listen: "\(.*\)"$/\1/p' "$config")
[ -n "$listen" ] || fail "no http.listen in $config"

# The producer: batches of 200 keyed records (ids 0, 1, ...) until $KS3_WORK/stop-producer exists.
# kcat gives up when every broker is down: the batch is then sent again (part of it may already
# be in the topic; the exactly-once check goes by offsets, so such copies are just more records).
# $KS3_WORK/produced holds the number of records of acknowledged batches so far.
producer_loop() {
  local id=0 file=$KS3_WORK/producer-batch.txt
  while [ ! -e "$KS3_WORK/stop-producer" ]; do
    gen_json_records 200 $id >"$file"
    until kcat -P -b "$KS3_BOOTSTRAP" -t $topic -K$'\t' -l -X message.timeout.ms=30000 "$file"; do
      echo "kcat failed at id $id; sending the batch again" >&2
      sleep 0.2
    done
    id=$((id + 200))
    echo $id >"$KS3_WORK/produced.tmp" && mv "$KS3_WORK/produced.tmp" "$KS3_WORK/produced"
    sleep 0.1
  done
}
producer_loop 2>>"$KS3_WORK/producer.log" &
producer=$!
_ks3_pids+=("$producer")

metric() {  # metric NAME: the sink's value of an unlabelled metric (0 when absent)
  curl -sf --max-time 5 -o "$KS3_WORK/metrics.txt" "http://$listen/metrics" || return 1
  awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$KS3_WORK/metrics.txt"
}
metric_above() { (($(metric "$1") > $2)); }
metric_positive() { awk -v v="$(metric "$1")" 'BEGIN { exit !(v > 0) }'; }
sink_alive() { kill -0 "$sink" 2>/dev/null || fail "the sink (pid $sink) exited during $1"; }
# progress WHAT: records flow again: the group commits past what it had committed before.
progress() {
  wait_committed_above 30 $group $topic "$(committed_total $group $topic)"
  note "$1: recovered at ${SECONDS}s, $(committed_total $group $topic) committed"
}

start_sink sink "$config"
sink=$KS3_SINK_PID
wait_committed_above 30 $group $topic 0
note "the sink is consuming at ${SECONDS}s"

note "1. every broker down for 2 s"
broker_control broker-down -1
sleep 2   # holds the outage open
broker_control broker-up -1
progress "whole-cluster outage"
sink_alive "the whole-cluster outage"

note "2. broker 2 down for 2 s, its partitions' leadership moved to broker 3 and back"
# The partitions broker 2 leads, from kcat -L (the last answer in leaders.log, printed on failure).
# Asked again for up to 10 s: once in 10 runs, right after the outage of step 1, the answer
# listed none (that answer was not kept).
broker2_leads() {
  kcat -L -b "$KS3_BOOTSTRAP" -t $topic >"$KS3_WORK/leaders.log" 2>&1 || return 1
  moved=$(awk '$1 == "partition" && $4 == "2," { print $2 + 0 }' "$KS3_WORK/leaders.log")
  [ -n "$moved" ]
}
wait_for 10 "broker 2 leading a partition of $topic (kcat -L)" broker2_leads
broker_control broker-down 2
for p in $moved; do broker_control leader $topic "$p" 3; done
sleep 2   # holds broker 2 down
broker_control broker-up 2
for p in $moved; do broker_control leader $topic "$p" 2; done
progress "failover of partitions $(echo $moved)"
sink_alive "the failover"

note "3. OffsetCommit fails: 4 x REQUEST_TIMED_OUT, 4 x NOT_COORDINATOR, 4 x REBALANCE_IN_PROGRESS, 4 x OFFSET_METADATA_TOO_LARGE"
# librdkafka retries the first two itself (after finding the coordinator again); the others
# reach the sink, which retries with backoff and counts each failed attempt.
failures_before=$(metric kafka_s3_sink_commit_failures_total)
broker_control request-errors 8 7 4
broker_control request-errors 8 16 4
broker_control request-errors 8 27 4
broker_control request-errors 8 12 4   # OFFSET_METADATA_TOO_LARGE
wait_for 20 "kafka_s3_sink_commit_failures_total to rise above $failures_before" \
  metric_above kafka_s3_sink_commit_failures_total "$failures_before"
progress "failed commits ($(metric kafka_s3_sink_commit_failures_total) failed attempts counted)"
sink_alive "the failed commits"
grep -q 'offset commit failed; retrying with backoff' "$KS3_WORK/sink.log" ||
  fail "no 'offset commit failed' warning in the sink's log"

note "4. Fetch fails: 10 x NOT_LEADER_OR_FOLLOWER, then 10 x UNKNOWN_TOPIC_OR_PARTITION"
broker_control request-errors 1 6 10
broker_control request-errors 1 3 10
progress "failed fetches"
sink_alive "the failed fetches"

note "5. SIGKILL, then a restart while JoinGroup and SyncGroup fail; then Heartbeats fail"
kill_sink "$sink"
restart_config=$KS3_WORK/sink-restarted.yaml
grep -v 'topic.metadata.refresh.interval.ms' "$config" >"$restart_config"
broker_control request-errors 11 15 2   # JoinGroup: COORDINATOR_NOT_AVAILABLE
broker_control request-errors 14 15 1   # SyncGroup: COORDINATOR_NOT_AVAILABLE
start_sink sink-restarted "$restart_config"
sink=$KS3_SINK_PID
# The join takes seconds here (the mock waits for the killed member): the watchdog's gauge shows
# the wait while it lasts.
wait_for 20 "kafka_s3_sink_group_join_wait_seconds above 0 while the restarted sink joins" \
  metric_positive kafka_s3_sink_group_join_wait_seconds
# 45 s, not 30: this step takes 15-20 s (two failed JoinGroups, the mock waiting 5 s for
# the killed member, one more round after the failed SyncGroup).
before=$(committed_total $group $topic)
wait_committed_above 45 $group $topic "$before"
note "restart with failed JoinGroup/SyncGroup: recovered at ${SECONDS}s, $(committed_total $group $topic) committed"
[ "$(metric kafka_s3_sink_group_join_wait_seconds)" = 0 ] ||
  fail "kafka_s3_sink_group_join_wait_seconds is not 0 after the join"
broker_control request-errors 12 16 3   # Heartbeat: NOT_COORDINATOR
progress "failed heartbeats"
sink_alive "the failed heartbeats"

touch "$KS3_WORK/stop-producer"
wait "$producer" || fail "the producer failed (see producer.log)"
produced=$(cat "$KS3_WORK/produced")
note "producer stopped at ${SECONDS}s after $produced records"
wait_committed_at_end 30 $group $topic
stop_sink "$sink"

expect_file_for $topic >"$KS3_WORK/expect.txt"
in_topic=$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")
((in_topic >= produced)) || fail "the topic holds $in_topic records, fewer than the $produced produced"
verify_landed "$KS3_WORK/expect.txt"
committed_at_end $group $topic || fail "committed offsets moved away from the end offsets"
note "ok: $in_topic records exactly once after the faults, in ${SECONDS}s"

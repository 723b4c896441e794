#!/usr/bin/env bash
# bad_records.dead_letter_topic with the binary, the mock Kafka cluster and s3rver:
#  - a dead-letter topic that does not exist stops the sink at start-up: exit 2 within seconds
#    (not at the first dead letter's message.timeout.ms, 5 minutes), one line naming the key
#    and the topic, nothing consumed (the mock creates any topic a metadata request names, so
#    "no such topic" is its injected topic error);
#  - a dead letter the broker refuses for good (every Produce answered
#    TOPIC_AUTHORIZATION_FAILED, injected through the mock's control FIFO): one error line
#    naming the record's topic/partition/offset and the broker's reason, /healthz never answers
#    200 after it, exit 1, and the group's committed offset stays at the bad record (the segment
#    before it is committed).
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_dead_letter_topic.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

KS3_BROKER_CONTROL=$KS3_WORK/broker.fifo
start_mock_broker --brokers 1 --topic events:1 --control "$KS3_BROKER_CONTROL"
start_s3 lake

config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-dlq \
  "rotation: {max_records: 2, idle_flush: 300ms}" \
  "bad_records: {policy: dead_letter, dead_letter_topic: events.dlq}"
port=$(http_port_of "$config")

note "a dead-letter topic that does not exist: exit 2 at start-up"
broker_control topic-error events.dlq 3
start_sink sink-missing "$config"
exit_status_within 20 "$KS3_SINK_PID"
[ "$rc" = 2 ] || fail "a missing dead-letter topic gave exit status $rc, not 2"
grep -q "cannot start.*bad_records.dead_letter_topic: Kafka topic 'events.dlq' does not exist" \
  "$KS3_WORK/sink-missing.log" || fail "the start-up error does not name the key and the topic"
grep -q 'kafka-s3-sink started' "$KS3_WORK/sink-missing.log" && fail "the sink started consuming"
broker_control topic-error events.dlq 0

note "a refused dead letter: one line, /healthz not 200, exit 1, nothing committed past it"
printf 'k0\t{"id":0}\nk1\t{"id":1}\nk2\t{not json\nk3\t{"id":3}\n' >"$KS3_WORK/records.txt"
produce_file events "$KS3_WORK/records.txt"
# From now on every Produce is refused for good (29: TOPIC_AUTHORIZATION_FAILED, not retried).
broker_control request-errors 0 29 100
start_sink sink "$config"
pid=$KS3_SINK_PID
healthy_after_failure=0
until _gone "$pid"; do
  if grep -q 'dead letter delivery failed' "$KS3_WORK/sink.log"; then
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
    [ "$code" = 200 ] && healthy_after_failure=1
  fi
  ((SECONDS < 60)) || fail "the sink did not stop after the refused dead letter"
  sleep 0.05
done
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "a refused dead letter gave exit status $rc, not 1"
((healthy_after_failure == 0)) || fail "/healthz answered 200 after the dead letter failed"
[ "$(grep -c 'dead letter delivery failed' "$KS3_WORK/sink.log")" = 1 ] ||
  fail "not exactly one 'dead letter delivery failed' line"
grep 'dead letter delivery failed' "$KS3_WORK/sink.log" |
  grep 'events.dlq' | grep 'events/0/2' | grep -q -i 'authoriz' ||
  fail "the failure line does not name the dead-letter topic, the record and the reason"
committed=$(group_offsets sink-dlq events | awk -F'\t' '$2 == 0 { print $3 }')
[ "$committed" = 2 ] || fail "committed offset $committed, expected 2 (before the bad record)"
note "ok"

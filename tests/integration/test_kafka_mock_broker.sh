#!/usr/bin/env bash
# kafka-mock-broker with third-party clients (kcat): it serves the real Kafka protocol on
# loopback, keeps keyed records per partition, runs consumer groups with offset commits that
# tests/tools/kafka_group_offsets reads back, takes error-injection commands on its control FIFO,
# and exits 0 on SIGTERM. Also checks the lib/kafka.sh helpers the other integration tests use.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_kafka_mock_broker.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"

KS3_BROKER_CONTROL=$KS3_WORK/broker.ctl
start_mock_broker --brokers 3 --topic events:8 --control "$KS3_BROKER_CONTROL"

note "the bootstrap servers are three brokers on 127.0.0.1"
IFS=, read -ra brokers <<<"$KS3_BOOTSTRAP"
((${#brokers[@]} == 3)) || fail "expected 3 brokers, got '$KS3_BOOTSTRAP'"
for b in "${brokers[@]}"; do [[ $b == 127.0.0.1:* ]] || fail "broker $b is not on loopback"; done

note "100k keyed JSON records: end offsets add up, every id once, a key stays on one partition"
produce_json_records events 100000
total=$(end_offsets events | awk '{ s += $2 } END { print s }')
[ "$total" = 100000 ] || fail "end offsets add up to $total, expected 100000"
((KS3_PARTITIONS_USED = $(end_offsets events | awk '$2 > 0' | wc -l)))
((KS3_PARTITIONS_USED == 8)) || fail "keys reached only $KS3_PARTITIONS_USED of 8 partitions"
consume_all events >"$KS3_WORK/consumed.tsv"
[ "$(wc -l <"$KS3_WORK/consumed.tsv")" = 100000 ] || fail "consumed $(wc -l <"$KS3_WORK/consumed.tsv") records"
[ "$(cut -f3 "$KS3_WORK/consumed.tsv" | sort -u | wc -l)" = 100000 ] || fail "keys are not unique"
grep -q $'\tdoc-4242\t{"id":4242,' "$KS3_WORK/consumed.tsv" || fail "record doc-4242 is missing or altered"
produce_file events <(printf 'doc-4242\t{"id":4242,"again":true}\n')
partitions=$(consume_all events | awk -F'\t' '$3 == "doc-4242" { print $1 }' | sort -u | wc -l)
[ "$partitions" = 1 ] || fail "key doc-4242 landed on $partitions partitions"

note "a consumer group's commits are read back; committed_at_end tells behind from done"
group_offsets kcat-group events | awk -F'\t' '$3 != -1 { exit 1 }' || fail "unexpected commits"
committed_at_end kcat-group events && fail "committed_at_end holds with no commits"
timeout 60 kcat -b "$KS3_BOOTSTRAP" -G kcat-group -o beginning -e -q \
  -X session.timeout.ms=6000 -X fetch.wait.max.ms=50 events >/dev/null ||
  fail "kcat group consumer failed"
wait_committed_at_end 10 kcat-group events

note "error injection through the control FIFO"
broker_control rtt 1 5
broker_control broker-down 2
broker_control broker-up 2
broker_control topic late:2
broker_control request-errors 8 27 1   # one OffsetCommit (API 8) fails with REBALANCE_IN_PROGRESS
broker_control clear-errors 8
echo "no-such-command" >"$KS3_BROKER_CONTROL"
wait_for_log 10 kafka-broker "^error: unknown or malformed command 'no-such-command'"
produce_json_records late 10
[ "$(end_offsets late | awk '{ s += $2 } END { print s }')" = 10 ] || fail "topic created by command"

note "SIGTERM stops it with exit status 0"
kill -TERM "$KS3_BROKER_PID"
rc=0
wait "$KS3_BROKER_PID" || rc=$?
[ "$rc" = 0 ] || fail "kafka-mock-broker exited with $rc on SIGTERM"
kcat -L -b "$KS3_BOOTSTRAP" -m 2 >/dev/null 2>&1 && fail "the broker still answers after SIGTERM"
note "ok"

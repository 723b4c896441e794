#!/usr/bin/env bash
# S3 at start-up (s3.startup_check): a missing bucket (404), wrong credentials (403, from the
# SigV4-verifying proxy) and an unreachable endpoint each stop the sink before it consumes
# anything, with one line that names the cause and exit status 3, not a retry loop; the secret
# never appears. With s3.startup_check: false the sink runs (and /readyz reports the bucket).
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_sink_s3_startup.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic "events:1"
start_s3 lake

# config NAME ENDPOINT BUCKET: a sink configuration in $KS3_WORK/NAME.yaml (credentials from
# the environment: start_s3 exports the pair the proxy knows).
config() {
  KS3_S3_ENDPOINT=$2 KS3_S3_BUCKET=$3 write_sink_config "$KS3_WORK/$1.yaml" events "g-$1"
}

# expect_refused NAME WORDS: the sink exits 3 within 60 s, and its log has one "cannot start"
# line that contains WORDS and not the secret.
expect_refused() {
  local name=$1 words=$2 rc=0 deadline=$((SECONDS + 60))
  start_sink "$name" "$KS3_WORK/$name.yaml"
  while kill -0 "$KS3_SINK_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "$name: the sink still runs after 60 s (a retry loop?)"
    sleep 0.1
  done
  wait "$KS3_SINK_PID" || rc=$?
  [ "$rc" = 3 ] || fail "$name: exit status $rc, expected 3 ($(tail -5 "$KS3_WORK/$name.log"))"
  [ "$(grep -c 'cannot start' "$KS3_WORK/$name.log")" = 1 ] ||
    fail "$name: expected one 'cannot start' line: $(cat "$KS3_WORK/$name.log")"
  grep 'cannot start' "$KS3_WORK/$name.log" | grep -qF -- "$words" ||
    fail "$name: the line does not say '$words': $(grep 'cannot start' "$KS3_WORK/$name.log")"
  ! grep -qF 'wrong-secret-never-printed' "$KS3_WORK/$name.log" || fail "$name: the secret was logged"
  grep -q '"partition assigned"\|partitions assigned' "$KS3_WORK/$name.log" &&
    fail "$name: the sink consumed before its bucket was checked"
  note "$name: exit 3: $(grep 'cannot start' "$KS3_WORK/$name.log" | cut -c1-200)"
}

config missing "$KS3_S3_ENDPOINT" no-such-bucket
expect_refused missing "'no-such-bucket' does not exist"

config denied "$KS3_S3_ENDPOINT" lake
AWS_SECRET_ACCESS_KEY=wrong-secret-never-printed expect_refused denied "refused access to bucket 'lake'"

config unreachable "http://127.0.0.1:$(free_port)" lake
KAFKA_S3_SINK_S3__OPERATION_DEADLINE=5s expect_refused unreachable "Nothing listens at the endpoint"

# Checked off: the sink starts and consumes; /readyz names the bucket problem.
config unchecked "$KS3_S3_ENDPOINT" no-such-bucket
KAFKA_S3_SINK_S3__STARTUP_CHECK=false start_sink unchecked "$KS3_WORK/unchecked.yaml"
wait_for_log 60 unchecked 'kafka-s3-sink started'
port=$(sed -n 's/^  listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$KS3_WORK/unchecked.yaml")
wait_for 30 "/readyz to report the missing bucket" \
  sh -c "curl -s 'http://127.0.0.1:$port/readyz' | grep -q 'no-such-bucket'"
stop_sink "$KS3_SINK_PID"
note "ok"

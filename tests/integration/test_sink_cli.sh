#!/usr/bin/env bash
# The binary's contract with its operator:
#  1. `--validate` exits 2 naming the bad key for an invalid setting (unknown key, a key template
#     without the exactly-once variables, or without {{topic}} for two topics), and prints the
#     effective config with secrets as *** and an example object key under s3.prefix's folder.
#  2. A second SIGTERM exits at once (status 1) while a graceful stop is blocked on S3, and
#     nothing that is not durable in S3 was committed.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_sink_cli.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

# --- 1. --validate -------------------------------------------------------------------------
base_config() {
  cat <<'YAML'
kafka:
  bootstrap_servers: "127.0.0.1:1"
  group_id: g
  topics: [events]
s3:
  endpoint: "http://127.0.0.1:1"
  bucket: lake
  region: us-east-1
  access_key_id: AKIDVALIDATETEST
  secret_access_key: "do-not-print-this-secret-42"
YAML
}

# expect_invalid NAME WORD: --validate on $KS3_WORK/NAME.yaml exits 2 and stderr names WORD.
expect_invalid() {
  local name=$1 word=$2 rc=0
  "$KS3_SINK_BIN" --config "$KS3_WORK/$name.yaml" --validate >"$KS3_WORK/$name.out" \
    2>"$KS3_WORK/$name.err" || rc=$?
  [ "$rc" = 2 ] || fail "$name: --validate exited $rc, expected 2 ($(cat "$KS3_WORK/$name.err"))"
  grep -qF -- "$word" "$KS3_WORK/$name.err" ||
    fail "$name: the error does not name '$word': $(cat "$KS3_WORK/$name.err")"
  ! grep -qF 'do-not-print-this-secret-42' "$KS3_WORK/$name.out" "$KS3_WORK/$name.err" ||
    fail "$name: the secret appears in the output"
}

{ base_config; echo 'rotaton: {max_records: 10}'; } >"$KS3_WORK/unknown.yaml"
expect_invalid unknown rotaton
{ base_config; echo 'key_template: "{{topic}}/{{partition}}"'; } >"$KS3_WORK/template.yaml"
expect_invalid template key_template
# Two topics and a key without {{topic}}: one topic's objects would replace the other's.
{ base_config | sed 's/topics: \[events\]/topics: [events, orders]/'
  echo 'key_template: "partition={{partition}}/{{start_offset}}"'; } >"$KS3_WORK/topics.yaml"
expect_invalid topics key_template

base_config >"$KS3_WORK/good.yaml"
"$KS3_SINK_BIN" --config "$KS3_WORK/good.yaml" --validate >"$KS3_WORK/good.out" 2>&1 ||
  fail "a valid config failed --validate: $(cat "$KS3_WORK/good.out")"
grep -q '\*\*\*' "$KS3_WORK/good.out" || fail "--validate does not show the redacted secret as ***"
! grep -qF 'do-not-print-this-secret-42' "$KS3_WORK/good.out" || fail "--validate printed the secret"
# s3.prefix is a folder: "raw" puts objects under raw/; --validate shows an example key.
{ base_config; echo '  prefix: raw'; } >"$KS3_WORK/prefix.yaml"
"$KS3_SINK_BIN" --config "$KS3_WORK/prefix.yaml" --validate >"$KS3_WORK/prefix.out" 2>&1 ||
  fail "a prefix config failed --validate: $(cat "$KS3_WORK/prefix.out")"
grep -qF '# example object key' "$KS3_WORK/prefix.out" &&
  grep -qF 's3://lake/raw/events/partition=0/events+0+00000000000000000000.jsonl.gz' \
    "$KS3_WORK/prefix.out" || fail "--validate shows no example key under raw/: $(cat "$KS3_WORK/prefix.out")"
note "--validate: exit 2 naming the key, secrets redacted, example key under the prefix folder"

# --- 2. A second signal exits at once --------------------------------------------------------
start_mock_broker --brokers 1 --topic events:2
start_s3 lake
config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-signals "rotation: {idle_flush: 200ms}"
port=$(awk -F: '/listen:/ { gsub(/"/, "", $3); print $3 }' "$config")

produce_json_records events 1000 0
# Uploads keep retrying while S3 is down (instead of failing the sink), so the graceful stop blocks.
start_sink sink "$config" --set s3.max_attempts=100 --set s3.operation_deadline=300s
pid=$KS3_SINK_PID
wait_committed_at_end 90 sink-signals events
committed_before=$(committed_total sink-signals events)

stop_pid "$KS3_SIGV4_PROXY_PID"   # S3 unreachable from here on
produce_json_records events 1000 1000
consumed() {
  curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^kafka_s3_sink_records_consumed_total/ { s += $NF } END { exit !(s >= 2000) }'
}
wait_for 60 "the sink to consume the records produced while S3 is down" consumed

kill -TERM "$pid"
wait_for_log 10 sink "signal received"
kill -0 "$pid" 2>/dev/null || fail "the graceful stop finished although S3 is unreachable"
kill -TERM "$pid"
exited() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 5 "the sink to exit at once on the second signal" exited
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "second signal: exit status $rc, expected 1"
grep -q 'second signal: exiting now' "$KS3_WORK/sink.log" || fail "no 'second signal' log line"
committed_after=$(committed_total sink-signals events)
[ "$committed_after" = "$committed_before" ] ||
  fail "committed $committed_after records, but only $committed_before were durable in S3"
note "second signal: exit 1 at once; committed offsets unchanged ($committed_after)"
note "ok"

# Kafka helpers for the integration scripts (source after common.sh; bash only).
# Needs: the build dir in $KS3_BUILD (kafka/kafka-mock-broker, tests/tools/kafka_group_offsets),
# and kcat on PATH.
#
#   KS3_BUILD=$1
#   source tests/integration/lib/common.sh
#   source tests/integration/lib/kafka.sh
#   start_mock_broker --brokers 3 --topic events:16        # sets KS3_BOOTSTRAP
#   produce_json_records events 100000                       # keyed JSON, ~1 s per 100k
#   wait_committed_at_end 60 my-group events                 # committed == end offsets

: "${KS3_BUILD:?set KS3_BUILD to the build directory before sourcing kafka.sh}"
KS3_MOCK_BROKER=$KS3_BUILD/kafka/kafka-mock-broker
KS3_GROUP_OFFSETS=$KS3_BUILD/tests/kafka_group_offsets
command -v kcat >/dev/null || fail "kcat is not installed (scripts/bootstrap installs it)"

# start_mock_broker [kafka-mock-broker args...]: starts the mock cluster on 127.0.0.1 (stopped at
# exit), waits until it prints its bootstrap servers and exports them as KS3_BOOTSTRAP. Its PID
# is left in KS3_BROKER_PID. Pass --control PATH to get a FIFO for error injection
# (see kafka/tools/mock_broker.cpp; replies land in $KS3_WORK/kafka-broker.log).
start_mock_broker() {
  [ -x "$KS3_MOCK_BROKER" ] || fail "$KS3_MOCK_BROKER not built"
  start_bg kafka-broker "$KS3_MOCK_BROKER" "$@"
  KS3_BROKER_PID=$last_pid
  wait_for_log 10 kafka-broker '^bootstrap.servers='
  KS3_BOOTSTRAP=$(sed -n 's/^bootstrap.servers=//p' "$KS3_WORK/kafka-broker.log" | head -1)
  export KS3_BOOTSTRAP
  note "mock Kafka cluster at $KS3_BOOTSTRAP (pid $KS3_BROKER_PID)"
}

# broker_control COMMAND...: sends one command to the broker's control FIFO ($KS3_BROKER_CONTROL,
# which must be the path given to --control) and waits for its reply line.
broker_control() {
  : "${KS3_BROKER_CONTROL:?start_mock_broker --control \$KS3_BROKER_CONTROL first}"
  local before
  before=$(_broker_replies)
  echo "$*" >"$KS3_BROKER_CONTROL"
  wait_for 10 "broker reply to '$*'" _broker_replies_above "$before"
  grep -e '^ok: ' -e '^error: ' "$KS3_WORK/kafka-broker.log" | tail -1 | grep -q '^ok: ' ||
    fail "broker command '$*' failed"
}
_broker_replies() { grep -c -e '^ok: ' -e '^error: ' "$KS3_WORK/kafka-broker.log" || true; }
_broker_replies_above() { (($(_broker_replies) > $1)); }

# gen_json_records COUNT [FIRST_ID] [PAYLOAD_BYTES]: prints COUNT lines "key<TAB>json" with keys
# doc-<id> (ids FIRST_ID..) and a JSON value carrying the id and a padding field of about
# PAYLOAD_BYTES (default 100).
gen_json_records() {
  local count=$1 first=${2:-0} pad=${3:-100}
  awk -v n="$count" -v first="$first" -v pad="$pad" 'BEGIN {
    filler = sprintf("%*s", pad, ""); gsub(/ /, "x", filler)
    for (i = first; i < first + n; i++)
      printf "doc-%d\t{\"id\":%d,\"name\":\"document %d\",\"pad\":\"%s\"}\n", i, i, i, filler
  }'
}

# produce_file TOPIC FILE: produces every line of FILE ("key<TAB>value") as one keyed record.
# The default partitioner spreads keys over the partitions (the same key, the same partition).
produce_file() {
  local topic=$1 file=$2
  kcat -P -b "$KS3_BOOTSTRAP" -t "$topic" -K$'\t' -l "$file" ||
    fail "kcat could not produce $file to $topic"
}

# produce_json_records TOPIC COUNT [FIRST_ID] [PAYLOAD_BYTES]: generates and produces keyed JSON.
produce_json_records() {
  local topic=$1 count=$2 first=${3:-0} pad=${4:-100}
  local file=$KS3_WORK/records-$topic-$first-$count.txt
  gen_json_records "$count" "$first" "$pad" >"$file"
  produce_file "$topic" "$file"
}

# consume_all TOPIC: prints every record of TOPIC now present as "partition<TAB>offset<TAB>key<TAB>value".
consume_all() {
  kcat -C -b "$KS3_BOOTSTRAP" -t "$1" -e -q -f '%p\t%o\t%k\t%s\n'
}

# group_offsets GROUP TOPIC...: prints "topic partition committed end metadata" lines (tabs).
group_offsets() {
  local group=$1; shift
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  "$KS3_GROUP_OFFSETS" --bootstrap "$KS3_BOOTSTRAP" --group "$group" "${args[@]}"
}

# end_offsets TOPIC: prints "partition end" lines.
end_offsets() {
  group_offsets ks3-end-offsets-probe "$1" | awk -F'\t' '{print $2, $4}'
}

# committed_at_end GROUP TOPIC...: succeeds when every partition's committed offset equals its
# end offset (partitions with no records count as done): kafka_group_offsets --until at-end,
# checked once.
committed_at_end() {
  local group=$1; shift
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  "$KS3_GROUP_OFFSETS" --bootstrap "$KS3_BOOTSTRAP" --group "$group" "${args[@]}" \
    --until at-end --timeout-s 0 >/dev/null
}

# explain_lagging_partitions GROUP TOPIC...: for each partition whose committed offset is behind
# its end offset, prints every line of the logs in $KS3_WORK that names it (the failure output
# keeps only the last lines of each log, which rarely hold the partition's story).
explain_lagging_partitions() {
  local group=$1; shift
  local topic partition
  group_offsets "$group" "$@" 2>/dev/null | awk -F'\t' '$4 > 0 && $3 != $4 { print $1, $2 }' |
    while read -r topic partition; do
      echo "===== log lines naming $topic[$partition] (behind its end offset)" >&2
      grep -H -E "(topic=\"?$topic\"? partition=$partition( |\$))|($topic\[$partition\])|(/partition=$partition/)" \
        "$KS3_WORK"/*.log 2>/dev/null | grep -v 'object completed' | tail -60 >&2 || true
    done
}

# wait_committed_at_end SECONDS GROUP TOPIC...: waits until committed_at_end holds; on timeout
# prints the offsets table and fails. One kafka_group_offsets process polls (--until): a new
# client every 0.2 s from here cost ctest minutes of CPU that the background builds need.
wait_committed_at_end() {
  local secs=$1 group=$2; shift 2
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  if ! "$KS3_GROUP_OFFSETS" --bootstrap "$KS3_BOOTSTRAP" --group "$group" "${args[@]}" \
      --until at-end --timeout-s "$secs" >/dev/null 2>"$KS3_WORK/wait-committed.err"; then
    group_offsets "$group" "$@" >&2 || cat "$KS3_WORK/wait-committed.err" >&2
    explain_lagging_partitions "$group" "$@"
    fail "group $group did not commit up to the end offsets of $* within ${secs}s"
  fi
}

# kafka-s3-sink helpers for the integration scripts (source after common.sh, kafka.sh, s3.sh).
#
#   write_sink_config FILE TOPIC GROUP [extra YAML lines...]   # mock broker + S3 from start_s3
#   start_sink NAME FILE [args...]                             # sets KS3_SINK_PID
#   stop_sink PID                                              # SIGTERM; fails unless exit 0
#   exit_status_within SECONDS PID                             # waits for an exit; status in $rc
#   expect_file_for TOPIC > FILE                               # "topic partition 0 end" lines
#   verify_landed EXPECT_FILE [PREFIX]                         # exactly-once check (storage dir)
#   download_objects PREFIX DIR                                # objects -> DIR/<key>, DIR.ls
#   http_port_of FILE; consumed PORT                           # records a sink took from Kafka

: "${KS3_BUILD:?set KS3_BUILD to the build directory before sourcing sink.sh}"
KS3_SINK_BIN=$KS3_BUILD/server/kafka-s3-sink
[ -x "$KS3_SINK_BIN" ] || fail "$KS3_SINK_BIN not built"

# write_sink_config FILE TOPIC GROUP [EXTRA_YAML_LINE...]: a configuration for the mock broker
# ($KS3_BOOTSTRAP) and the S3 server behind the verifying proxy (start_s3), with the timings the
# mock cluster needs (docs/DESIGN.md: session.timeout.ms >= 6000, low fetch.wait.max.ms). Extra lines
# are appended as they are (top-level YAML, e.g. "rotation: {idle_flush: 200ms}").
write_sink_config() {
  local file=$1 topic=$2 group=$3; shift 3
  local http_port; http_port=$(free_port)
  cat >"$file" <<YAML
kafka:
  bootstrap_servers: "$KS3_BOOTSTRAP"
  group_id: "$group"
  topics: ["$topic"]
  properties:
    session.timeout.ms: "${KS3_SESSION_TIMEOUT_MS:-6000}"
    heartbeat.interval.ms: "500"
    fetch.wait.max.ms: "20"
    topic.metadata.refresh.interval.ms: "1000"
s3:
  endpoint: "$KS3_S3_ENDPOINT"
  bucket: "$KS3_S3_BUCKET"
  region: us-east-1
  part_size: 5MiB
shutdown_deadline: 20s
http:
  listen: "127.0.0.1:$http_port"
YAML
  local line
  for line in "$@"; do echo "$line" >>"$file"; done
}

# http_port_of CONFIG: the /metrics port of a configuration from write_sink_config.
http_port_of() { sed -n 's/^  listen: "127.0.0.1:\([0-9]*\)"$/\1/p' "$1"; }
# consumed PORT: records this sink process received from Kafka (its /metrics).
consumed() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^kafka_s3_sink_records_consumed_total\{/ { s += $2 } END { print s + 0 }'
}
_consumed_at_least() { (($(consumed "$1") >= $2)); }

# start_sink NAME CONFIG [ARGS...]: runs kafka-s3-sink in the background (log in
# $KS3_WORK/NAME.log); KS3_SINK_PID is its PID.
start_sink() {
  local name=$1 config=$2; shift 2
  start_bg "$name" "$KS3_SINK_BIN" --config "$config" "$@"
  KS3_SINK_PID=$last_pid
}

# check_sink_malloc_restart NAME PID: the sink started as NAME (start_sink), process PID,
# restarted itself once under its glibc malloc tunables (kafka/malloc_tuning.hpp: one arena,
# its thread cache, transparent huge pages), keeping its PID and name. Sanitized builds (CI's main build)
# skip the restart: their allocator is not glibc's. The unit tests of unit_malloc, built without
# a sanitizer in every tree, check the same restart of their own program.
check_sink_malloc_restart() {
  grep -q '^KS3_SANITIZE:STRING=\(ON\|address.*\|thread\)$' "$KS3_BUILD/CMakeCache.txt" && return 0
  # /proc/PID/environ is the environment the process image started with (glibc's tunables
  # parser splits that copy of GLIBC_TUNABLES at its colons, so only its start is compared).
  local environment
  environment=$(tr '\0' '\n' <"/proc/$2/environ")
  grep -q '^GLIBC_TUNABLES=glibc.malloc.hugetlb=1$' <<<"$environment" ||
    fail "sink $2 did not start under GLIBC_TUNABLES=glibc.malloc.hugetlb=1:..." \
      "(the restart in main did not happen)"
  [ "$(cat "/proc/$2/comm")" = kafka-s3-sink ] ||
    fail "after its restart sink $2 is named '$(cat "/proc/$2/comm")', not kafka-s3-sink"
  grep -q 'malloc tuned=true detail="GLIBC_TUNABLES: .*, transparent huge pages"' \
    "$KS3_WORK/$1.log" || fail "the sink's log has no line saying its malloc tunables apply"
}

# stop_sink PID: SIGTERM, then waits (bounded) and fails unless the sink exited with status 0.
stop_sink() {
  local pid=$1 rc=0
  kill -TERM "$pid" 2>/dev/null || fail "sink $pid is not running"
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "sink $pid did not stop within 60 s of SIGTERM"
  wait "$pid" || rc=$?
  [ "$rc" = 0 ] || fail "sink $pid exited with status $rc after SIGTERM"
}

# exit_status_within SECONDS PID: waits (bounded) for a sink we started to exit by itself and
# leaves its exit status in $rc (not in a subshell: only this shell can reap its children).
_gone() { ! kill -0 "$1" 2>/dev/null; }
exit_status_within() {
  rc=0
  wait_for "$1" "sink $2 to exit by itself" _gone "$2"
  wait "$2" || rc=$?
}

# kill_sink PID: SIGKILL (a crash) and reap it.
kill_sink() {
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# expect_file_for TOPIC: prints "TOPIC partition 0 end" for every partition (its whole log).
expect_file_for() {
  end_offsets "$1" | awk -v t="$1" '{ print t, $1, 0, $2 }'
}

# committed_total GROUP TOPIC: the sum of the group's committed offsets (0 for none).
committed_total() {
  group_offsets "$1" "$2" | awk -F'\t' '$3 > 0 { s += $3 } END { print s + 0 }'
}

# wait_committed_above SECONDS GROUP TOPIC N: waits until the committed offsets add up to > N.
wait_committed_above() {
  local secs=$1 group=$2 topic=$3 n=$4
  "$KS3_GROUP_OFFSETS" --bootstrap "$KS3_BOOTSTRAP" --group "$group" --topic "$topic" \
    --until "above:$n" --timeout-s "$secs" >/dev/null 2>&1 ||
    fail "timed out after ${secs}s waiting for: group $group committing past $n records of $topic"
}

# verify_landed EXPECT_FILE [PREFIX]: reads every object under PREFIX from s3rver's data
# directory (not its listings, which skip some keys with a literal percent escape in a folder
# name) and checks that each expected (topic, partition, offset) landed exactly once.
verify_landed() {
  "$KS3_PYTHON" "$KS3_ROOT/tests/tools/verify_landed.py" --storage-dir "$KS3_S3RVER_DIR" \
    --bucket "$KS3_S3_BUCKET" --prefix "${2:-}" --expect-file "$1" ||
    fail "the objects in s3://$KS3_S3_BUCKET/${2:-} are not exactly once"
}

# download_objects PREFIX DIR: every object under PREFIX through the sink's s3 CLI, each to
# DIR/<key>; the listing ("<last modified>  <size>  <key>") is left in DIR.ls. Keys with spaces
# are not supported.
download_objects() {
  local prefix=$1 dir=$2 key
  mkdir -p "$dir"
  "$KS3_SINK_BIN" s3 ls --recursive "s3://$KS3_S3_BUCKET/$prefix" >"$dir.ls" ||
    fail "s3 ls s3://$KS3_S3_BUCKET/$prefix failed"
  while read -r key; do
    mkdir -p "$dir/$(dirname "$key")"
    "$KS3_SINK_BIN" s3 get "s3://$KS3_S3_BUCKET/$key" "$dir/$key" >/dev/null ||
      fail "s3 get $key failed"
  done < <(awk '{ print $NF }' "$dir.ls")
}

#!/usr/bin/env bash
# The observability endpoints over real HTTP (curl): `promtool check metrics` passes on the live
# /metrics output; /healthz, /readyz, HEAD, 404, 405 and malformed requests answer as documented.
# Server: tests/tools/metrics_demo_server (every kafka_s3_sink_* family populated, label values
# that need escaping, process metrics).
KS3_BUILD=${1:?usage: $0 BUILD_DIR}
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/prometheus.sh"

start_bg metrics-server "$KS3_BUILD/tests/metrics_demo_server" --listen 127.0.0.1:0 \
  --not-ready "kafka group not joined"
server_pid=$last_pid
wait_for_log 10 metrics-server '^listening on '
target=$(sed -n 's/^listening on //p' "$KS3_WORK/metrics-server.log" | head -1)
base="http://$target"

check_metrics_endpoint "$target"
metrics="$KS3_WORK/metrics.txt"
# Escaping survived the round trip through promtool: quote, backslash and newline in a topic name.
grep -qF 'topic="events \"quoted\" \\ back\nslash é"' "$metrics" ||
  fail "escaped label value not found in /metrics"
for name in process_cpu_seconds_total process_resident_memory_bytes process_open_fds \
  process_start_time_seconds kafka_s3_sink_bytes_written_total kafka_s3_sink_consumer_lag_records \
  kafka_s3_sink_s3_request_duration_seconds_bucket; do
  grep -q "^$name" "$metrics" || fail "$name missing from /metrics"
done
grep -q '^kafka_s3_sink_s3_request_duration_seconds_bucket{operation="UploadPart",le="+Inf"} 3$' \
  "$metrics" || fail "histogram +Inf bucket wrong"

# Status codes.
expect_status() {
  local want=$1 got; shift
  got=$(http_status "$@")
  [ "$got" = "$want" ] || fail "expected $want, got $got for: $*"
}
expect_status 200 "$base/healthz"
expect_status 503 "$base/readyz"
[ "$(curl -s "$base/readyz")" = "not ready: kafka group not joined" ] || fail "readyz reason"
kill -USR1 "$server_pid"   # the demo server toggles readiness
wait_for 5 "readyz to turn 200" status_is 200 "$base/readyz"
expect_status 404 "$base/nope"
expect_status 405 "$base/metrics" -X POST -d x
curl -s -D - -o /dev/null -X DELETE "$base/readyz" | grep -qi '^allow: GET, HEAD' ||
  fail "405 without Allow header"
head_out=$(curl -sS -I "$base/metrics")
grep -q '^HTTP/1.1 200' <<<"$head_out" || fail "HEAD /metrics: $head_out"
grep -qi '^content-length: [1-9]' <<<"$head_out" || fail "HEAD without Content-Length"

# Malformed request lines get a 400 and the server keeps serving.
port=${target##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'BLAH\x01 /\r\n\r\n' >&3
reply=$(timeout 5 head -c 12 <&3 || true)
exec 3<&-
[ "$reply" = "HTTP/1.1 400" ] || fail "garbage request got '$reply', want HTTP/1.1 400"
expect_status 200 "$base/metrics"
kill -0 "$server_pid" || fail "the server died"
note "ok"

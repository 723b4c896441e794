#!/usr/bin/env bash
# Observability of the real sink during a pipeline run (mock Kafka cluster + s3rver behind the
# SigV4-verifying proxy):
# - `promtool check metrics` passes on the sink's live /metrics;
# - a real Prometheus server scrapes it; through Prometheus's HTTP API the bytes-written rate is
#   non-zero while records flow, and there is a lag series for each partition;
# - /readyz answers 503 naming S3 while S3 is unreachable (the proxy stopped) and 200 after it
#   is back on the same port; Prometheus sees kafka_s3_sink_ready go 0 and back to 1.
KS3_BUILD=${1:?usage: $0 BUILD_DIR}
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"
source "$(dirname "$0")/lib/prometheus.sh"

topic=metrics.events
partitions=4
start_mock_broker --brokers 1 --topic "$topic:$partitions"
start_s3 lake
proxy_port=${KS3_S3_ENDPOINT##*:}

config=$KS3_WORK/sink.yaml
# Small objects and quick idle flushes so that bytes land continuously; a HeadBucket check every
# second with few, short retries so that an unreachable S3 shows in /readyz soon.
write_sink_config "$config" "$topic" sink-metrics \
  "rotation: {max_records: 500, idle_flush: 300ms}"
sed -i 's/^s3:$/s3:\n  health_check_interval: 1s\n  max_attempts: 2\n  connect_timeout: 1s\n  retry_max_delay: 200ms/' "$config"
listen=$(sed -n 's/^  listen: "\(.*\)"$/\1/p' "$config")
[ -n "$listen" ] || fail "no http.listen in $config"
"$KS3_SINK_BIN" --config "$config" --validate >/dev/null || fail "--validate rejects the config"
start_sink sink "$config"
sink=$KS3_SINK_PID
base="http://$listen"

wait_for 30 "the sink's /healthz" curl -sf "$base/healthz"
check_sink_malloc_restart sink "$sink"
wait_for 60 "/readyz to answer 200 (group joined, bucket reachable)" curl -sf "$base/readyz"
start_prometheus "$listen"
wait_target_up 30

# Records flow while Prometheus scrapes every second.
for batch in $(seq 0 9); do
  produce_json_records "$topic" 1000 $((batch * 1000)) 300
  sleep 0.5
done
wait_prom_value 30 "sum(rate(kafka_s3_sink_bytes_written_total{topic=\"$topic\"}[10s])) > 0"
note "bytes written rate: $(prom_query "sum(rate(kafka_s3_sink_bytes_written_total[10s]))" |
  jq -r '.[0].value[1] // "none"') B/s"
wait_for 30 "a lag series for each of the $partitions partitions" \
  series_count_is "$partitions" "kafka_s3_sink_consumer_lag_records{topic=\"$topic\"}"
[ "$(prom_series_count "kafka_s3_sink_committed_lag_records{topic=\"$topic\"}")" = "$partitions" ] ||
  fail "expected a committed lag series per partition"

wait_committed_at_end 60 sink-metrics "$topic"
check_metrics_endpoint "$listen"
for name in kafka_s3_sink_records_consumed_total kafka_s3_sink_objects_completed_total \
  kafka_s3_sink_s3_requests_total kafka_s3_sink_s3_request_duration_seconds_bucket \
  kafka_s3_sink_last_commit_timestamp_seconds process_cpu_seconds_total; do
  grep -q "^$name" "$KS3_WORK/metrics.txt" || fail "$name missing from the sink's /metrics"
done

# S3 unreachable: stop the verifying proxy (the sink's endpoint); nothing is left to upload.
stop_pid "$KS3_SIGV4_PROXY_PID"
wait_for 60 "/readyz to answer 503 while S3 is down" status_is 503 "$base/readyz"
reason=$(curl -s "$base/readyz")
grep -q 's3 unreachable' <<<"$reason" || fail "/readyz 503 without the S3 reason: $reason"
note "while S3 is down: $reason"
[ "$(http_status "$base/healthz")" = 200 ] || fail "/healthz must stay 200 while S3 is down"
wait_prom_value 30 'kafka_s3_sink_ready == 0'

# S3 is back on the same port.
start_bg sigv4-proxy-again "$KS3_PYTHON" "$KS3_ROOT/tests/tools/sigv4_proxy.py" \
  --upstream "$KS3_S3RVER_URL" --port "$proxy_port"
wait_for 60 "/readyz to answer 200 after S3 is back" status_is 200 "$base/readyz"
wait_prom_value 30 'kafka_s3_sink_ready == 1'

stop_sink "$sink"
note "ok"

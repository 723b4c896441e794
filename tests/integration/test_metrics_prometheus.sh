#!/usr/bin/env bash
# A real Prometheus server (Debian's package) scrapes the observability endpoint on loopback and
# answers queries through its HTTP API: a non-zero bytes-written rate and a lag series per
# partition. Server: tests/tools/metrics_demo_server.
KS3_BUILD=${1:?usage: $0 BUILD_DIR}
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/prometheus.sh"

start_bg metrics-server "$KS3_BUILD/tests/metrics_demo_server" --listen 127.0.0.1:0
wait_for_log 10 metrics-server '^listening on '
target=$(sed -n 's/^listening on //p' "$KS3_WORK/metrics-server.log" | head -1)

start_prometheus "$target"
wait_target_up 30
wait_prom_value 30 'sum(rate(kafka_s3_sink_bytes_written_total[5s])) > 0'
lag_series=$(prom_series_count 'kafka_s3_sink_consumer_lag_records{topic="edfi.dms.document"}')
[ "$lag_series" = 3 ] || fail "expected a lag series for each of 3 partitions, got $lag_series"
note "bytes written rate: $(prom_query 'sum(rate(kafka_s3_sink_bytes_written_total[5s]))' |
  jq -r '.[0].value[1]') B/s; $lag_series lag series"

# Prometheus helpers for the integration scripts (source after common.sh; bash only).
# Needs Debian's prometheus package (prometheus, promtool), curl and jq.
#
#   source tests/integration/lib/common.sh
#   source tests/integration/lib/prometheus.sh
#   check_metrics_endpoint 127.0.0.1:9400            # promtool check metrics on a live /metrics
#   start_prometheus 127.0.0.1:9400                  # scrapes it every second; sets KS3_PROM_URL
#   wait_prom_value 30 'sum(rate(kafka_s3_sink_bytes_written_total[5s])) > 0'
#   prom_query 'kafka_s3_sink_consumer_lag_records'  # prints the JSON result array

for _tool in prometheus promtool curl jq; do
  command -v "$_tool" >/dev/null || fail "$_tool is not installed (scripts/bootstrap installs it)"
done

# http_status URL [curl args...]: prints the HTTP status code of a request (000: no answer).
http_status() {
  local url=$1; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

# status_is CODE URL [curl args...]: succeeds when a request to URL answers CODE (for wait_for:
# `wait_for 30 "..." status_is 200 "$url"`, which re-runs the request on every try).
status_is() {
  local want=$1; shift
  [ "$(http_status "$@")" = "$want" ]
}

# series_count_is N EXPR: succeeds when the Prometheus query returns N series (for wait_for).
series_count_is() { [ "$(prom_series_count "$2")" = "$1" ]; }

# check_metrics_endpoint HOST:PORT: fetches /metrics, checks its Content-Type and runs
# `promtool check metrics` on it (which fails on format errors and on lint problems such as a
# counter without _total or a metric without help). Leaves the text in $KS3_WORK/metrics.txt.
check_metrics_endpoint() {
  local target=$1 headers="$KS3_WORK/metrics.headers"
  curl -sS --max-time 10 -D "$headers" -o "$KS3_WORK/metrics.txt" "http://$target/metrics" ||
    fail "GET http://$target/metrics failed"
  grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$headers" ||
    fail "/metrics has the wrong Content-Type: $(grep -i '^content-type' "$headers")"
  [ -s "$KS3_WORK/metrics.txt" ] || fail "/metrics returned an empty body"
  local out
  out=$(promtool check metrics <"$KS3_WORK/metrics.txt" 2>&1) ||
    fail "promtool check metrics rejected http://$target/metrics: $out"
  note "promtool check metrics: ok ($(grep -vc '^#' "$KS3_WORK/metrics.txt") samples)"
}

# start_prometheus TARGET...: runs a Prometheus server on a free 127.0.0.1 port that scrapes
# each HOST:PORT target every second (job "kafka-s3-sink"), storage in $KS3_WORK. Waits until it
# is ready; exports KS3_PROM_URL and leaves its PID in KS3_PROM_PID.
start_prometheus() {
  local port config="$KS3_WORK/prometheus.yml" targets=""
  port=$(free_port)
  for t in "$@"; do targets+="'$t',"; done
  cat >"$config" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kafka-s3-sink
    static_configs:
      - targets: [${targets%,}]
EOF
  promtool check config "$config" >/dev/null || fail "generated prometheus.yml is invalid"
  start_bg prometheus prometheus --config.file="$config" \
    --storage.tsdb.path="$KS3_WORK/prometheus-data" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn
  KS3_PROM_PID=$last_pid
  KS3_PROM_URL="http://127.0.0.1:$port"
  export KS3_PROM_URL
  wait_for 60 "prometheus ready at $KS3_PROM_URL" curl -sf --max-time 2 "$KS3_PROM_URL/-/ready"
  note "prometheus at $KS3_PROM_URL scraping $* (pid $KS3_PROM_PID)"
}

# prom_query EXPR: runs an instant query through the HTTP API; prints data.result (JSON array).
prom_query() {
  local body
  body=$(curl -sS --max-time 5 --get --data-urlencode "query=$1" "$KS3_PROM_URL/api/v1/query") ||
    fail "query failed: $1"
  [ "$(jq -r .status <<<"$body")" = success ] || fail "query '$1' failed: $body"
  jq -c .data.result <<<"$body"
}

# prom_series_count EXPR: prints how many series the query returns.
prom_series_count() { prom_query "$1" | jq length; }

# wait_prom_value SECONDS EXPR: waits until the query returns at least one series (so a
# comparison such as "rate(x[5s]) > 0" holds for some series).
wait_prom_value() {
  local secs=$1 expr=$2
  wait_for "$secs" "Prometheus query to return a series: $expr" _prom_has_result "$expr"
}
_prom_has_result() { (($(prom_series_count "$1") > 0)); }

# wait_target_up SECONDS: waits until every scrape target is up (health "up" in /api/v1/targets).
wait_target_up() {
  wait_for "$1" "every Prometheus scrape target to be up" _prom_targets_up
}
_prom_targets_up() {
  curl -sf --max-time 2 "$KS3_PROM_URL/api/v1/targets" |
    jq -e '.data.activeTargets | length > 0 and all(.health == "up")' >/dev/null
}

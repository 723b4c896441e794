# Helpers for bench/run and tests/integration/test_bench_*.sh (source after
# tests/integration/lib/common.sh and kafka.sh; bash only). Needs $KS3_BUILD.
#
#   start_null_s3 [ks3_null_s3 args...]     # sets KS3_NULL_S3 (host:port) and KS3_NULL_S3_PID
#   preload_topic TOPIC SHAPE VALUE_SIZE PER_PARTITION PARTITIONS   # data + one sentinel each
#   bench_sink_run NAME TOPIC PER_PARTITION CUTS FORMAT COMPRESSION KEY_TEMPLATE
#   bench_kcat_run NAME TOPIC
#   bench_shell_run NAME TOPIC
#   bench_stream_run NAME TOPIC PARTITIONS SHAPE VALUE_SIZE MB_PER_S SECONDS FORMAT COMPRESSION
#   bench_idle_run NAME TOPIC PARTITIONS SECONDS
# The runs leave their measurements in KS3_BENCH_ROW (tab-separated, KS3_BENCH_COLUMNS after
# records and bytes). They are not meant for $(...): a process started in a subshell would
# escape the cleanup at exit.

: "${KS3_BUILD:?set KS3_BUILD to the build directory before sourcing bench.sh}"
KS3_SINK=$KS3_BUILD/server/kafka-s3-sink
KS3_LOAD_GEN=$KS3_BUILD/bench/ks3_load_gen
KS3_NULL_S3_BIN=$KS3_BUILD/bench/ks3_null_s3
KS3_WAIT_COMMITTED=$KS3_BUILD/bench/ks3_wait_committed
KS3_BENCH_PAYLOAD_SIGNING=${KS3_BENCH_PAYLOAD_SIGNING:-unsigned}
KS3_BENCH_SEED=${KS3_BENCH_SEED:-1}

# The columns of KS3_BENCH_ROW (tab-separated).
# latency_p50_s/p99_s: record-to-durable latency (stream runs only, 0 elsewhere), see
# sink_latency_quantiles.
# pressure_cuts: objects the sink cut because its memory budget was full (sink runs).
# loop_cpu_s: the part of cpu_s spent on the sink's event loop, i.e. its main thread (io.run()
# in sink_app.cpp; sink runs, 0 elsewhere): near seconds, the loop thread is the bottleneck.
KS3_BENCH_COLUMNS="seconds cpu_s rss_kb broker_cpu_s s3_cpu_s objects stored_bytes s3_requests latency_p50_s latency_p99_s pressure_cuts loop_cpu_s"

# start_null_s3 [args...]: starts ks3_null_s3 on a free loopback port (stopped at exit); its log
# is $KS3_WORK/${KS3_NULL_S3_NAME:-null-s3}.log.
start_null_s3() {
  local name=${KS3_NULL_S3_NAME:-null-s3}
  [ -x "$KS3_NULL_S3_BIN" ] || fail "$KS3_NULL_S3_BIN not built"
  start_bg "$name" "$KS3_NULL_S3_BIN" --listen 127.0.0.1:0 "$@"
  KS3_NULL_S3_PID=$last_pid
  wait_for_log 10 "$name" '^listening='
  KS3_NULL_S3=$(sed -n 's/^listening=//p' "$KS3_WORK/$name.log" | head -1)
  note "null S3 at http://$KS3_NULL_S3 (pid $KS3_NULL_S3_PID) $*"
}

# null_s3_stat FIELD: one number from the null S3's counters (GET /_ks3/stats).
null_s3_stat() {
  curl -sf "http://$KS3_NULL_S3/_ks3/stats" |
    "$KS3_PYTHON" -c 'import json,sys; d=json.load(sys.stdin); f=sys.argv[1]; print(sum(d["requests"].values()) if f=="requests" else d[f])' "$1"
}

# proc_cpu PID [TID]: user + system CPU seconds the process has used so far (/proc/PID/stat),
# or only its thread TID (/proc/PID/task/TID/stat, the same layout).
proc_cpu() {
  local ticks stat=/proc/$1/stat
  [ -z "${2:-}" ] || stat=/proc/$1/task/$2/stat
  ticks=$(getconf CLK_TCK)
  # Fields 14 and 15 (utime, stime) after the ")" that ends the command name.
  sed 's/.*) //' "$stat" | awk -v hz="$ticks" '{ printf "%.2f", ($12 + $13) / hz }'
}

# proc_hwm_kb PID: peak resident set size (VmHWM) in KiB.
proc_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# now_s: Unix time with milliseconds.
now_s() { date +%s.%3N; }

# preload_topic TOPIC SHAPE VALUE_SIZE PER_PARTITION PARTITIONS: produces PER_PARTITION records to
# every partition (round-robin, so exactly), then one sentinel record per partition. Prints the
# data's record count and bytes (sentinels excluded) in KS3_PRELOAD_RECORDS, KS3_PRELOAD_BYTES.
# Fails if the broker dropped anything.
preload_topic() {
  local topic=$1 shape=$2 size=$3 per=$4 parts=$5
  local records=$((per * parts)) line
  # KS3_PRELOAD_KEYS: the number of distinct keys (default: a key is updated 4 times on average).
  line=$("$KS3_LOAD_GEN" --bootstrap "$KS3_BOOTSTRAP" --topic "$topic" --records "$records" \
    --shape "$shape" --value-size "$size" --keys "${KS3_PRELOAD_KEYS:-$((records / 4 + 1))}" \
    --seed "$KS3_BENCH_SEED" --partitioner round-robin) ||
    fail "ks3_load_gen could not preload $topic"
  note "preloaded $topic: $line"
  "$KS3_LOAD_GEN" --bootstrap "$KS3_BOOTSTRAP" --topic "$topic" --records "$parts" \
    --first-index "$records" --shape "$shape" --value-size "$size" --seed "$KS3_BENCH_SEED" \
    --partitioner round-robin >/dev/null || fail "ks3_load_gen could not write the sentinels"
  KS3_PRELOAD_RECORDS=$(echo "$line" | sed -n 's/.*records=\([0-9]*\).*/\1/p')
  KS3_PRELOAD_BYTES=$(echo "$line" | sed -n 's/.* bytes=\([0-9]*\).*/\1/p')
}

# bench_sink_config TOPIC GROUP PREFIX PORT MAX_RECORDS FORMAT COMPRESSION KEY_TEMPLATE: the YAML.
# Extra YAML lines for the kafka, rotation and s3 sections, and extra librdkafka properties
# (indented "name: value" lines) come from KS3_BENCH_KAFKA, KS3_BENCH_ROTATION, KS3_BENCH_S3 and
# KS3_BENCH_KAFKA_PROPERTIES. FORMAT parquet: the value columns by KS3_BENCH_PARQUET_VALUE (infer,
# the default, or json).
bench_sink_config() {
  local topic=$1 group=$2 prefix=$3 port=$4 max_records=$5 format=$6 compression=$7 template=$8
  cat <<EOF
kafka:
  bootstrap_servers: "$KS3_BOOTSTRAP"
  group_id: "$group"
  topics: ["$topic"]
${KS3_BENCH_KAFKA:-}
  properties:
    fetch.wait.max.ms: "100"
    session.timeout.ms: "6000"
${KS3_BENCH_KAFKA_PROPERTIES:-}
s3:
  endpoint: "http://$KS3_NULL_S3"
  region: us-east-1
  bucket: bench
  access_key_id: bench
  secret_access_key: bench-secret-key
  prefix: "$prefix"
  payload_signing: $KS3_BENCH_PAYLOAD_SIGNING
${KS3_BENCH_S3:-}
format:
  type: $format
$([ "$format" != parquet ] || printf 'parquet:\n  value: %s' "${KS3_BENCH_PARQUET_VALUE:-infer}")
compression:
  type: $compression
key_template: "$template"
rotation:
  max_records: $max_records
${KS3_BENCH_ROTATION:-}
http:
  listen: "127.0.0.1:$port"
log:
  format: json
EOF
}

# _first_log_time NAME PATTERN: Unix time (ms) of the first JSON log line of NAME matching PATTERN.
_first_log_time() {
  local ts
  ts=$(grep -m1 -- "$2" "$KS3_WORK/$1.log" | sed -n 's/.*"ts":"\([^"]*\)".*/\1/p')
  [ -n "$ts" ] || fail "no '$2' line with a timestamp in $1.log"
  date -d "$ts" +%s.%3N
}

# bench_sink_run NAME TOPIC PER_PARTITION CUTS FORMAT COMPRESSION KEY_TEMPLATE: runs the sink over
# the preloaded topic with a fresh group and leaves its measurements in KS3_BENCH_ROW. Time: from the first partition assignment (the group join, ~3 s on the mock, is
# not the sink's speed) until every data record is committed. max_records = PER_PARTITION / CUTS,
# so the last data object of each partition is cut by its sentinel record, not by a timer.
bench_sink_run() {
  local name=$1 topic=$2 per=$3 cuts=$4 format=$5 compression=$6 template=$7
  local port group cfg pid cpu0 cpu1 lcpu0 lcpu1 bcpu0 bcpu1 scpu0 scpu1 objects0 bytes0 req0 done_line
  port=$(free_port)
  group="bench-$name"
  cfg=$KS3_WORK/$name.yaml
  bench_sink_config "$topic" "$group" "$name/" "$port" $((per / cuts)) "$format" "$compression" \
    "$template" >"$cfg"
  objects0=$(null_s3_stat objects_written)
  bytes0=$(null_s3_stat bytes_written)
  req0=$(null_s3_stat requests)
  start_bg "$name" "$KS3_SINK" --config "$cfg"
  pid=$last_pid
  [ -z "${KS3_BENCH_SAMPLE:-}" ] || _sample_sink_metrics "$pid" "$port" >"$KS3_WORK/$name.samples" &
  # The CPU counters as they were just before the first assignment (data flows at once after
  # it): sample, then look at the log; the last sample taken before the line appeared counts.
  local deadline=$((SECONDS + 60)) c l b s
  until c=$(proc_cpu "$pid") && l=$(proc_cpu "$pid" "$pid") && b=$(proc_cpu "$KS3_BROKER_PID") &&
    s=$(proc_cpu "$KS3_NULL_S3_PID") && grep -q '"partition assigned"' "$KS3_WORK/$name.log"; do
    kill -0 "$pid" 2>/dev/null || fail "$name: the sink exited (see $name.log)"
    ((SECONDS < deadline)) || fail "$name: no partition assigned within 60 s"
    cpu0=$c lcpu0=$l bcpu0=$b scpu0=$s
    sleep 0.02
  done
  [ -n "${cpu0:-}" ] || fail "$name: the sink owned partitions before it could be measured"
  done_line=$("$KS3_WAIT_COMMITTED" --bootstrap "$KS3_BOOTSTRAP" --group "$group" --topic "$topic" \
    --slack 1 --timeout-s "${KS3_BENCH_TIMEOUT:-300}") ||
    fail "$name: the sink did not commit every record (see $name.log)"
  cpu1=$(proc_cpu "$pid")
  lcpu1=$(proc_cpu "$pid" "$pid")
  bcpu1=$(proc_cpu "$KS3_BROKER_PID")
  scpu1=$(proc_cpu "$KS3_NULL_S3_PID")
  local hwm objects bytes requests
  hwm=$(proc_hwm_kb "$pid")
  objects=$(($(null_s3_stat objects_written) - objects0))
  bytes=$(($(null_s3_stat bytes_written) - bytes0))
  requests=$(($(null_s3_stat requests) - req0))
  # Independent check: the group has committed each partition up to its sentinel at least (the
  # sentinel itself too when an idle flush closed its object, as with objects keyed by {{key}}).
  group_offsets "$group" "$topic" | awk -F'\t' '$3 < $4 - 1 { bad++ } END { exit bad > 0 }' ||
    fail "$name: committed offsets are not at the end (kafka_group_offsets disagrees)"
  kill -0 "$pid" 2>/dev/null || fail "$name: the sink exited early"
  local pressure_cuts
  pressure_cuts=$(sink_metric_where "$port" kafka_s3_sink_objects_completed_total 'reason="memory_pressure"')
  stop_pid "$pid"
  if grep -q '"level":"error"' "$KS3_WORK/$name.log"; then fail "$name: the sink logged errors"; fi
  local t_first t_done
  t_first=$(_first_log_time "$name" '"partition assigned"')
  t_done=$(echo "$done_line" | sed -n 's/^done_at=\([0-9.]*\).*/\1/p')
  KS3_BENCH_ROW=$(awk -v a="$t_first" -v b="$t_done" -v c0="$cpu0" -v c1="$cpu1" -v h="$hwm" \
    -v b0="$bcpu0" -v b1="$bcpu1" -v s0="$scpu0" -v s1="$scpu1" -v o="$objects" -v sb="$bytes" \
    -v r="$requests" -v pc="$pressure_cuts" -v l0="$lcpu0" -v l1="$lcpu1" 'BEGIN { printf "%.3f\t%.2f\t%.0f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t0\t0\t%.0f\t%.2f", b - a, c1 - c0, h, b1 - b0, s1 - s0, o, sb, r, pc, l1 - l0 }')
}

# bench_kcat_run NAME TOPIC: kcat reads the whole topic to /dev/null: the Kafka read ceiling of
# this machine, measured on the same data. Leaves its row in KS3_BENCH_ROW. Its time includes
# kcat's start and connection (tens of ms). fetch.wait.max.ms is low because an empty fetch on
# the mock waits all of it, and kcat needs one to see the end of each partition.
bench_kcat_run() {
  local name=$1 topic=$2 timefile=$KS3_WORK/$1.time bcpu0 bcpu1
  bcpu0=$(proc_cpu "$KS3_BROKER_PID")
  /usr/bin/time -f '%e %U %S %M' -o "$timefile" \
    kcat -C -b "$KS3_BOOTSTRAP" -t "$topic" -o beginning -e -q -X fetch.wait.max.ms=10 \
    -f '%k\t%s\n' >/dev/null ||
    fail "$name: kcat failed"
  bcpu1=$(proc_cpu "$KS3_BROKER_PID")
  KS3_BENCH_ROW=$(awk -v b0="$bcpu0" -v b1="$bcpu1" '{ printf "%.3f\t%.2f\t%.0f\t%.2f\t0.00\t0\t0\t0\t0\t0\t0\t0.00", $1, $2 + $3, $4, b1 - b0 }' "$timefile")
}

# bench_shell_run NAME TOPIC: the pipeline a user would script instead of running a sink, on the
# same topic and the same null S3: kcat reads the whole topic (values, one per line), gzip -1
# compresses, the AWS CLI (Debian's awscli, /usr/bin/aws) streams it into one object (multipart).
# No offsets are committed and nothing is split per partition: an upper bound for what a script
# does. CPU and peak RSS cover the three processes together. Leaves its row in KS3_BENCH_ROW.
bench_shell_run() {
  local name=$1 topic=$2 timefile=$KS3_WORK/$1.time bcpu0 bcpu1 scpu0 scpu1 objects0 bytes0 req0
  [ -x /usr/bin/aws ] || fail "$name needs Debian's awscli: scripts/bootstrap --bench installs it"
  objects0=$(null_s3_stat objects_written)
  bytes0=$(null_s3_stat bytes_written)
  req0=$(null_s3_stat requests)
  bcpu0=$(proc_cpu "$KS3_BROKER_PID")
  scpu0=$(proc_cpu "$KS3_NULL_S3_PID")
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    /usr/bin/time -f '%e %U %S %M' -o "$timefile" bash -c 'set -o pipefail
      kcat -C -b "$1" -t "$2" -o beginning -e -q -X fetch.wait.max.ms=10 -f "%s\n" | gzip -1 |
        /usr/bin/aws --endpoint-url "http://$3" s3 cp - "s3://bench/$4.jsonl.gz" --only-show-errors' \
    _ "$KS3_BOOTSTRAP" "$topic" "$KS3_NULL_S3" "$name" >"$KS3_WORK/$name.log" 2>&1 ||
    fail "$name: the kcat | gzip | aws pipeline failed: $(tail -5 "$KS3_WORK/$name.log")"
  bcpu1=$(proc_cpu "$KS3_BROKER_PID")
  scpu1=$(proc_cpu "$KS3_NULL_S3_PID")
  local objects bytes requests
  objects=$(($(null_s3_stat objects_written) - objects0))
  bytes=$(($(null_s3_stat bytes_written) - bytes0))
  requests=$(($(null_s3_stat requests) - req0))
  ((objects == 1)) || fail "$name: expected one object, the null S3 counted $objects"
  KS3_BENCH_ROW=$(awk -v b0="$bcpu0" -v b1="$bcpu1" -v s0="$scpu0" -v s1="$scpu1" -v o="$objects" \
    -v sb="$bytes" -v r="$requests" '{ printf "%.3f\t%.2f\t%.0f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t0\t0\t0\t0.00", $1, $2 + $3, $4, b1 - b0, s1 - s0, o, sb, r }' "$timefile")
}

# sink_metric PORT NAME: the sum of a metric's series on the sink's /metrics (0 when absent).
sink_metric() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }'
}

# sink_metric_where PORT NAME LABEL: the sum of the series of NAME whose labels contain LABEL
# (e.g. 'reason="memory_pressure"'), 0 when there is none.
# _sample_sink_metrics PID PORT: while PID lives, every 50 ms one line: the time, the sink's CPU
# seconds, then the gauges and counters named in KS3_BENCH_SAMPLE (a regex of metric names, e.g.
# 'paused_partitions|memory_budget_used_bytes'). For looking inside a run (KS3_KEEP_WORK=1
# keeps the .samples files); not part of the report.
_sample_sink_metrics() {
  local pid=$1 port=$2
  while kill -0 "$pid" 2>/dev/null; do
    printf '%s %s ' "$(date +%s.%3N)" "$(proc_cpu "$pid" 2>/dev/null || echo -)"
    curl -s --max-time 0.5 "http://127.0.0.1:$port/metrics" |
      awk -v re="^kafka_s3_sink_(${KS3_BENCH_SAMPLE})" '$1 ~ re { sub(/^kafka_s3_sink_/, "", $1); printf "%s=%s ", $1, $2 }'
    echo
    sleep 0.05
  done
}

sink_metric_where() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" -v l="$3" 'index($1, n "{") == 1 && index($1, l) > 0 { s += $2 } END { printf "%.0f", s }'
}

# bench_idle_run NAME TOPIC PARTITIONS SECONDS: the cost of partitions that carry nothing. The
# sink is started on an empty topic; once it owns all PARTITIONS (its assigned_partitions
# gauge), its CPU and memory are measured over SECONDS. Leaves the row in KS3_BENCH_ROW (seconds
# is the window; rss_kb the peak RSS at its end).
bench_idle_run() {
  local name=$1 topic=$2 parts=$3 window=$4 port group cfg pid cpu0 cpu1 lcpu0 lcpu1 deadline assigned=0
  port=$(free_port)
  group="bench-$name"
  cfg=$KS3_WORK/$name.yaml
  bench_sink_config "$topic" "$group" "$name/" "$port" 1000 jsonl gzip \
    '{{topic}}/partition={{partition}}/{{start_offset}}' >"$cfg"
  start_bg "$name" "$KS3_SINK" --config "$cfg"
  pid=$last_pid
  deadline=$((SECONDS + 120))
  until ((assigned == parts)); do
    kill -0 "$pid" 2>/dev/null || fail "$name: the sink exited (see $name.log)"
    ((SECONDS < deadline)) || fail "$name: $assigned of $parts partitions assigned after 120 s"
    sleep 0.2  # polling a gauge: there is no event to wait on from here
    assigned=$(sink_metric "$port" kafka_s3_sink_assigned_partitions 2>/dev/null || echo 0)
  done
  cpu0=$(proc_cpu "$pid")
  lcpu0=$(proc_cpu "$pid" "$pid")
  sleep "$window"  # the measurement window itself
  cpu1=$(proc_cpu "$pid")
  lcpu1=$(proc_cpu "$pid" "$pid")
  local hwm
  hwm=$(proc_hwm_kb "$pid")
  stop_pid "$pid"
  if grep -q '"level":"error"' "$KS3_WORK/$name.log"; then fail "$name: the sink logged errors"; fi
  KS3_PRELOAD_RECORDS=0 KS3_PRELOAD_BYTES=0
  KS3_BENCH_ROW=$(awk -v w="$window" -v c0="$cpu0" -v c1="$cpu1" -v h="$hwm" -v l0="$lcpu0" \
    -v l1="$lcpu1" 'BEGIN { printf "%.3f\t%.2f\t%.0f\t0.00\t0.00\t0\t0\t0\t0\t0\t0\t%.2f", w, c1 - c0, h, l1 - l0 }')
}

# sink_latency_quantiles PORT: "p50<TAB>p99" of kafka_s3_sink_end_to_end_latency_seconds (per
# durable object, Kafka timestamp of its oldest record -> durable: an upper bound for each record
# in it), interpolated within histogram buckets as Prometheus' histogram_quantile does.
sink_latency_quantiles() {
  curl -sf "http://127.0.0.1:$1/metrics" | "$KS3_PYTHON" -c '
import re, sys
buckets = {}
for line in sys.stdin:
    m = re.match(r"kafka_s3_sink_end_to_end_latency_seconds_bucket\{(.*)\} (\S+)", line)
    if m:
        le = re.search(r"le=\"([^\"]+)\"", m.group(1)).group(1)
        bound = float("inf") if le == "+Inf" else float(le)
        buckets[bound] = buckets.get(bound, 0) + float(m.group(2))
bounds = sorted(buckets)
total = buckets[bounds[-1]] if bounds else 0
def quantile(q):
    if total == 0:
        return 0.0
    rank, lower, below = q * total, 0.0, 0.0
    for b in bounds:
        if buckets[b] >= rank:
            if b == float("inf"):
                return lower
            return lower + (b - lower) * (rank - below) / max(buckets[b] - below, 1e-9)
        lower, below = b, buckets[b]
    return lower
print(f"{quantile(0.5):.3f}\t{quantile(0.99):.3f}")'
}

# bench_stream_run NAME TOPIC PARTITIONS SHAPE VALUE_SIZE MB_PER_S SECONDS FORMAT COMPRESSION:
# produce while consuming. The sink starts first on an empty topic; once it owns the partitions,
# ks3_load_gen produces MB_PER_S for SECONDS (kafka-mock-broker keeps ~5 MiB a partition, so a
# sink that falls behind by more than that loses records to retention: that is checked). Objects
# rotate at 64 MiB (uncompressed) with 5 MiB parts, so big objects go out as multipart uploads;
# the tail of each partition closes by a 1 s idle flush. Time: first record produced -> every
# record committed. Leaves the row in KS3_BENCH_ROW, the data in KS3_PRELOAD_RECORDS/_BYTES.
bench_stream_run() {
  local name=$1 topic=$2 parts=$3 shape=$4 size=$5 rate_mb=$6 seconds=$7 format=$8 compression=$9
  local port group cfg pid cpu0 cpu1 lcpu0 lcpu1 bcpu0 bcpu1 scpu0 scpu1 objects0 bytes0 req0 line t0
  local records=$((rate_mb * 1000000 * seconds / (size + 36)))
  port=$(free_port)
  group="bench-$name"
  cfg=$KS3_WORK/$name.yaml
  KS3_BENCH_ROTATION="  max_bytes: 64MiB
  idle_flush: 1s" KS3_BENCH_S3="  part_size: 5MiB" \
    bench_sink_config "$topic" "$group" "$name/" "$port" 0 "$format" "$compression" \
    '{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}' >"$cfg"
  objects0=$(null_s3_stat objects_written)
  bytes0=$(null_s3_stat bytes_written)
  req0=$(null_s3_stat requests)
  start_bg "$name" "$KS3_SINK" --config "$cfg"
  pid=$last_pid
  wait_for_log 60 "$name" '"partition assigned"'
  cpu0=$(proc_cpu "$pid")
  lcpu0=$(proc_cpu "$pid" "$pid")
  bcpu0=$(proc_cpu "$KS3_BROKER_PID")
  scpu0=$(proc_cpu "$KS3_NULL_S3_PID")
  t0=$(now_s)
  line=$("$KS3_LOAD_GEN" --bootstrap "$KS3_BOOTSTRAP" --topic "$topic" --records "$records" \
    --shape "$shape" --value-size "$size" --keys $((records / 4 + 1)) --seed "$KS3_BENCH_SEED" \
    --partitioner round-robin --rate $((records / seconds)) --allow-drop) ||
    fail "$name: ks3_load_gen failed"
  note "produced: $line"
  KS3_PRELOAD_RECORDS=$(echo "$line" | sed -n 's/.*records=\([0-9]*\).*/\1/p')
  KS3_PRELOAD_BYTES=$(echo "$line" | sed -n 's/.* bytes=\([0-9]*\).*/\1/p')
  local done_line
  done_line=$("$KS3_WAIT_COMMITTED" --bootstrap "$KS3_BOOTSTRAP" --group "$group" --topic "$topic" \
    --timeout-s "${KS3_BENCH_TIMEOUT:-300}") ||
    fail "$name: the sink did not commit every record (see $name.log)"
  cpu1=$(proc_cpu "$pid")
  lcpu1=$(proc_cpu "$pid" "$pid")
  bcpu1=$(proc_cpu "$KS3_BROKER_PID")
  scpu1=$(proc_cpu "$KS3_NULL_S3_PID")
  local hwm objects bytes requests written
  hwm=$(proc_hwm_kb "$pid")
  objects=$(($(null_s3_stat objects_written) - objects0))
  bytes=$(($(null_s3_stat bytes_written) - bytes0))
  requests=$(($(null_s3_stat requests) - req0))
  written=$(sink_metric "$port" kafka_s3_sink_records_written_total)
  local latency pressure_cuts
  latency=$(sink_latency_quantiles "$port") || fail "$name: could not read the latency histogram"
  pressure_cuts=$(sink_metric_where "$port" kafka_s3_sink_objects_completed_total 'reason="memory_pressure"')
  ((written == KS3_PRELOAD_RECORDS)) ||
    fail "$name: the sink wrote $written of $KS3_PRELOAD_RECORDS records: it fell behind by more than the mock broker keeps (~5 MiB a partition); lower the rate"
  stop_pid "$pid"
  if grep -q '"level":"error"' "$KS3_WORK/$name.log"; then fail "$name: the sink logged errors"; fi
  local t_done
  t_done=$(echo "$done_line" | sed -n 's/^done_at=\([0-9.]*\).*/\1/p')
  KS3_BENCH_ROW=$(awk -v a="$t0" -v b="$t_done" -v c0="$cpu0" -v c1="$cpu1" -v h="$hwm" \
    -v b0="$bcpu0" -v b1="$bcpu1" -v s0="$scpu0" -v s1="$scpu1" -v o="$objects" -v sb="$bytes" \
    -v r="$requests" -v l="$latency" -v pc="$pressure_cuts" -v l0="$lcpu0" -v l1="$lcpu1" \
    'BEGIN { printf "%.3f\t%.2f\t%.0f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t%s\t%.0f\t%.2f", b - a, c1 - c0, h, b1 - b0, s1 - s0, o, sb, r, l, pc, l1 - l0 }')
}

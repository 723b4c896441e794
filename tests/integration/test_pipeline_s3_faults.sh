#!/usr/bin/env bash
# Exactly once under S3 faults: the log pipeline writes through a proxy that faults 10% of the
# S3 requests (tests/tools/sigv4_proxy.py: 503 SlowDown before forwarding, 500 after applying,
# a connection reset mid-response, a stall longer than the sink's read timeout, and
# CompleteMultipartUpload answered 200 with an <Error> body). Four partitions, keys partitioned
# by a value field (one big region whose objects are multipart uploads, 25 small ones sent as
# PutObject), records produced while the sink runs, then a graceful stop while the last segments
# are open (their multipart uploads created). Afterwards: every record exactly once,
# the committed offsets at the end offsets, S3 retries counted on /metrics, and no multipart
# upload of the sink left open (the proxy follows Create/Complete/Abort), not even one created
# by a CreateMultipartUpload whose answer a fault lost.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_s3_faults.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

topic=events
group=sink-s3-faults
partitions=4
start_mock_broker --brokers 1 --topic $topic:$partitions

# s3rver behind the verifying proxy, with every fault kind. Complete requests are few (one per
# multipart object), so they are faulted at 30%; they draw from their own seeded sequence, and
# with seed 17 the 5th and 8th Complete of the run are answered 200 with an <Error> body. A
# stall lasts 3 s; the sink's read timeout is 2 s (with 1 s, plain 5 MiB parts time out too when
# the machine is busy).
KS3_SIGV4_PROXY_ARGS=(--fault-rate 0.1 --fault-seed 17
  --fault-kinds before,after,reset,stall,complete_error --complete-fault-rate 0.3 --stall-seconds 3)
start_s3 lake

# gen_partition P FIRST COUNT: keyed JSON records for partition P, ~1.2 KB each once encoded;
# 475 of every 500 are in region eu-west-1, the others spread over 25 small regions.
gen_partition() {
  awk -v p="$1" -v first="$2" -v n="$3" 'BEGIN {
    pad = sprintf("%1100s", ""); gsub(/ /, "x", pad)
    for (i = first; i < first + n; i++) {
      r = i % 500
      region = r < 475 ? "eu-west-1" : sprintf("small-%02d", r - 475)
      printf "p%d-%d\t{\"id\":%d,\"region\":\"%s\",\"pad\":\"%s\"}\n", p, i, i, region, pad
    }
  }'
}
# produce P FIRST COUNT: to partition P, gzip-compressed on the wire so the mock broker (which
# keeps only ~5 MiB a partition) holds the ~17 MiB a partition gets.
produce() {
  gen_partition "$@" >"$KS3_WORK/records.txt"
  kcat -P -b "$KS3_BOOTSTRAP" -t $topic -p "$1" -z gzip -K$'\t' -l "$KS3_WORK/records.txt" ||
    fail "kcat could not produce to partition $1"
}

# 5000 records a segment: the eu-west-1 object (~5.6 MiB) goes up as two parts of a multipart
# upload, the small regions' objects as PutObject. 2 full segments a partition, then a tail of
# 4700 records (eu-west-1 over 5 MiB: its upload is created) that only the graceful stop cuts.
config=$KS3_WORK/sink.yaml
write_sink_config "$config" $topic $group \
  'key_template: "{{topic}}/region={{value.region}}/{{topic}}+{{partition}}+{{start_offset}}"' \
  'compression: {type: none}' \
  'rotation: {max_records: 5000, idle_flush: 60s}'
metrics_url="http://$(sed -n 's/^  listen: "\(.*\)"$/\1/p' "$config")/metrics"
per_partition=14700
total=$((partitions * per_partition))

for p in $(seq 0 $((partitions - 1))); do produce "$p" 0 5000; done
# s3.max_connections 16 (the default before 2026-12-02): at 64, one CI run of three crashed
# s3rver itself (an unhandled ENOENT reading a part file of a multipart upload, in node's
# ReadStream) near the graceful stop's aborts, and the sink then rightly exited 1. That is
# s3rver's race, not the sink's; not yet reproduced or narrowed down.
start_sink sink "$config" --set s3.read_timeout=2s --set s3.retry_base_delay=5ms \
  --set s3.retry_max_delay=50ms --set s3.max_connections=16
sink=$KS3_SINK_PID
wait_committed_above 60 $group $topic 0
for p in $(seq 0 $((partitions - 1))); do produce "$p" 5000 $((per_partition - 5000)); done

metric_sum() {  # metric_sum NAME: the sum of the series of NAME on /metrics
  curl -sf "$metrics_url" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}
consumed_all() { (($(metric_sum kafka_s3_sink_records_consumed_total) == total)); }
wait_for 60 "the sink consuming all $total records" consumed_all
retries=$(metric_sum kafka_s3_sink_s3_retries_total)
((retries > 0)) || fail "kafka_s3_sink_s3_retries_total is 0 on /metrics under S3 faults"
curl -sf "$metrics_url" | grep '^kafka_s3_sink_s3_retries_total' >&2 || true

stop_sink "$sink"
committed_at_end $group $topic || { group_offsets $group $topic >&2; fail "after the graceful stop the committed offsets are not at the end offsets"; }

stats=$(sigv4_proxy_stats)
note "proxy: $stats"
stat() { echo "$stats" | "$KS3_PYTHON" -c "import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1], {}, v))" "$1"; }
[ "$(stat open_uploads)" = 0 ] ||
  fail "multipart uploads left open after the graceful stop: $(stat open_upload_keys)"
(($(stat uploads_completed) >= 3 * partitions)) ||
  fail "only $(stat uploads_completed) multipart uploads completed: the test lost its multipart objects"
for kind in before after reset stall complete_error; do
  (($(stat "faults_by_kind['$kind']") > 0)) || fail "no '$kind' fault was injected"
done
# An upload created by a CreateMultipartUpload whose answer a fault lost is found through
# ListMultipartUploads and aborted once its object completes.
[ "$(stat orphaned_uploads)" = 0 ] ||
  fail "$(stat orphaned_uploads) uploads created by lost answers are still open"
strays=$(grep -c 'aborted a stray multipart upload' "$KS3_WORK"/sink*.log || true)
note "S3 retries counted: $retries; faults injected: $(stat faults) of $(stat verified) requests;" \
  "stray uploads (created by lost answers) aborted: $strays"

expect_file_for $topic >"$KS3_WORK/expect.txt"
[ "$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = "$total" ] ||
  fail "the topic does not hold $total records"
verify_landed "$KS3_WORK/expect.txt"
note "ok"

#!/usr/bin/env bash
# bench smoke test: the scenario runner works end to end in seconds (bench/run --quick: one small
# Ed-Fi dataset over 4 partitions, kcat and the sink with jsonl+gzip against ks3_null_s3, and the
# same sink again as a --baseline so the side-by-side comparison is exercised), and
# ks3_null_s3 speaks enough S3 for the sink's own S3 CLI (multipart put, head, ls, rm).
KS3_BUILD=$(cd "${1:?usage: test_bench_smoke.sh BUILD_DIR}" && pwd)
source "$(dirname "$0")/lib/common.sh"
source "$KS3_ROOT/tests/integration/lib/kafka.sh"
source "$KS3_ROOT/bench/lib/bench.sh"

# 1. ks3_null_s3 against the sink's S3 client (kafka-s3-sink s3 ...).
start_null_s3 --bucket lake
export AWS_ENDPOINT_URL=http://$KS3_NULL_S3 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key
head -c $((12 * 1024 * 1024)) /dev/urandom >"$KS3_WORK/big.bin"
"$KS3_SINK" s3 put "$KS3_WORK/big.bin" "s3://lake/dir/big one+1.bin" --part-size 5 ||
  fail "multipart put to ks3_null_s3 failed"
"$KS3_SINK" s3 head "s3://lake/dir/big one+1.bin" | grep -q 12582912 ||
  fail "head does not report the 12 MiB size"
"$KS3_SINK" s3 ls s3://lake/dir/ | grep -q "big one+1.bin" || fail "ls does not list the object"
"$KS3_SINK" s3 put - s3://nobucket/k </dev/null 2>"$KS3_WORK/nobucket.err" &&
  fail "a put to a bucket that does not exist succeeded"
grep -q NoSuchBucket "$KS3_WORK/nobucket.err" || fail "no NoSuchBucket error: $(cat "$KS3_WORK/nobucket.err")"
"$KS3_SINK" s3 rm "s3://lake/dir/big one+1.bin" || fail "rm failed"
stats=$(curl -sf "http://$KS3_NULL_S3/_ks3/stats")
echo "$stats" | grep -q '"UploadPart":3' || fail "expected 3 UploadPart requests: $stats"
echo "$stats" | grep -q '"uploads_completed":1' || fail "expected one completed upload: $stats"
echo "$stats" | grep -q '"objects":0' || fail "rm did not remove the object: $stats"
stop_pid "$KS3_NULL_S3_PID"
unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# 2. The runner, end to end, into a results directory of our own. Cut manifests off: the runner
# counts every object ks3_null_s3 stores (bench/lib/bench.sh), and a manifest per cut would
# double the 16 data objects this checks.
export KAFKA_S3_SINK_DELIVERY__MANIFESTS=false
out=$KS3_WORK/results
"$KS3_ROOT/bench/run" --quick --build "$KS3_BUILD" --baseline "$KS3_BUILD" --out "$out" \
  >"$KS3_WORK/run.out" 2>&1 ||
  fail "bench/run --quick failed: $(tail -30 "$KS3_WORK/run.out")"
[ -f "$out/report.md" ] || fail "no report.md"
# One kcat row and one sink row, each with a positive duration; the sink landed every record.
awk -F'\t' 'NR > 1 && $6 > 0 { n[$3]++ } END { exit !(n["kcat"] == 1 && n["jsonl-gzip"] == 1) }' \
  "$out/runs.tsv" || fail "runs.tsv lacks a kcat and a jsonl-gzip measurement: $(cat "$out/runs.tsv")"
awk -F'\t' 'NR > 1 && $3 == "jsonl-gzip@base" && $6 > 0 { n++ } END { exit n != 1 }' \
  "$out/runs.tsv" || fail "runs.tsv lacks the jsonl-gzip@base measurement: $(cat "$out/runs.tsv")"
# The sink's row: objects landed (4 partitions x 4 cuts) and gzip made them smaller than the input.
awk -F'\t' '($3 == "jsonl-gzip" || $3 == "jsonl-gzip@base") && ($11 != 16 || $12 <= 0 || $12 >= $5) { bad = 1 } END { exit bad }' \
  "$out/runs.tsv" || fail "unexpected sink measurement: $(cat "$out/runs.tsv")"
grep -q '| 1k | jsonl-gzip |' "$out/report.md" || fail "report.md has no jsonl-gzip row"
# The same binary on both sides: the comparison row exists and its throughput ratio is a finite,
# positive number. Only loosely near 1: --quick runs one sub-second measurement a side, and on a
# shared 2-core machine one side can take 5x the other (seen in CI: 5.32); the row is what is
# tested, not the speed.
awk -F'|' '$2 ~ /1k/ && $3 ~ /^ jsonl-gzip $/ && $5 + 0 > 0.05 && $5 + 0 < 20 { ok = 1 } END { exit !ok }' \
  <(sed -n '/## vs baseline/,$p' "$out/report.md") ||
  fail "report.md has no sensible vs-baseline row: $(sed -n '/## vs baseline/,$p' "$out/report.md")"
# The issue's targets are checked in the report: the 1 KiB throughput row has a verdict.
sed -n '/## Targets/,/^## vs baseline/p' "$out/report.md" |
  grep -Eq '^\| 1k \| jsonl-gzip \| throughput \| >= 250 MB/s \| [0-9.,]+ MB/s \| (met|missed by [0-9]+%) \|$' ||
  fail "report.md's Targets section has no verdict on the 1 KiB throughput: $(sed -n '/## Targets/,$p' "$out/report.md")"
note "bench smoke ok: $(grep -m1 '| 1k | jsonl-gzip |' "$out/report.md")"

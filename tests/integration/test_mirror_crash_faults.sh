#!/usr/bin/env bash
# mode: mirror converges after a crash and under S3 faults: generated Ed-Fi DMS traffic without
# tombstones (deletes are "__deleted" rows only) is produced in four chunks; the mirror sink
# runs against S3 behind a proxy that fails 10% of the requests (half before, half after
# applying them: tests/tools/sigv4_proxy.py --fault-rate), is killed with SIGKILL once it made
# progress on the second chunk, and restarted. At the end the bucket holds exactly the live
# documents with their last edfidoc, and the committed offsets equal the end offsets.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_mirror_crash_faults.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

topic=edfi.dms.document
group=edfi-mirror-crash
start_mock_broker --brokers 1 --topic $topic:4
KS3_S3_FAULT_RATE=0.1 start_s3 lake

"$KS3_PYTHON" "$KS3_ROOT/tests/tools/edfi_traffic.py" generate --documents 3000 --seed 2 \
  --records "$KS3_WORK/records.txt" --expected "$KS3_WORK/expected.json" >&2
total=$(wc -l <"$KS3_WORK/records.txt")
split -n l/4 -d "$KS3_WORK/records.txt" "$KS3_WORK/chunk."
produce_chunk() { kcat -P -b "$KS3_BOOTSTRAP" -t $topic -K$'\t' -Z -l "$KS3_WORK/chunk.0$1" ||
  fail "kcat could not produce chunk $1"; }

write_sink_config "$KS3_WORK/mirror.yaml" $topic $group \
  'mode: mirror' \
  'mirror: {key_template: "{{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}.json", body: document, compression: gzip}'
fast_retries=(--set s3.retry_base_delay=5ms --set s3.retry_max_delay=50ms)
produce_chunk 0
start_sink sink-1 "$KS3_WORK/mirror.yaml" "${fast_retries[@]}"
first=$KS3_SINK_PID
wait_committed_above 90 $group $topic 0
produce_chunk 1
wait_committed_above 90 $group $topic "$(wc -l <"$KS3_WORK/chunk.00")"
kill_sink "$first"
killed_at=$(committed_total $group $topic)
note "killed the sink at $killed_at committed of $((total / 2)) produced"

start_sink sink-2 "$KS3_WORK/mirror.yaml" "${fast_retries[@]}"
second=$KS3_SINK_PID
produce_chunk 2
produce_chunk 3
wait_committed_at_end 180 $group $topic
stop_sink "$second"
[ "$(committed_total $group $topic)" = "$total" ] || fail "committed offsets do not add up to $total"

faults=$(sigv4_proxy_stat faults)
note "S3 faults injected by the proxy: $faults"
((faults > 50)) || fail "only $faults S3 faults were injected: too few to test anything"
"$KS3_PYTHON" "$KS3_ROOT/tests/tools/edfi_traffic.py" check-mirror --endpoint "$KS3_S3RVER_URL" \
  --bucket lake --expected "$KS3_WORK/expected.json" ||
  fail "after the crash and the faults the mirror does not hold the live documents"
note "ok"

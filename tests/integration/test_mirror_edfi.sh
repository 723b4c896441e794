#!/usr/bin/env bash
# The Ed-Fi document lake (issue 10, parts 1-3): both layouts from one topic, as two sinks in two
# consumer groups. Generated DMS traffic (tests/tools/edfi_traffic.py: 3000 documents of
# Student, School, StudentSchoolAssociation and two descriptors, updates and deletes
# interleaved, a tombstone after every delete) goes to edfi.dms.document; then
#   - the event-log recipe (key template {{value.projectname}}/{{value.resourcename}}/...) holds
#     one resource type per object and every record with a value exactly once;
#   - mode: mirror holds exactly the documents alive at the end of the stream, each with its last
#     edfidoc, and none of the deleted ones;
#   - DuckDB (@duckdb/node-api) counts rows and current documents per resource type over the
#     event log, and documents per resource type over the mirror, equal to the generator's.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_mirror_edfi.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"
[ -d "$KS3_ROOT/scripts/npm/node_modules/@duckdb/node-api" ] ||
  fail "@duckdb/node-api is not installed: run scripts/bootstrap"

topic=edfi.dms.document
start_mock_broker --brokers 1 --topic $topic:4
start_s3 lake

"$KS3_PYTHON" "$KS3_ROOT/tests/tools/edfi_traffic.py" generate --documents 3000 --seed 1 \
  --tombstones --records "$KS3_WORK/records.txt" --expected "$KS3_WORK/expected.json" >&2
# -Z: an empty value is produced as a null value (a tombstone).
kcat -P -b "$KS3_BOOTSTRAP" -t $topic -K$'\t' -Z -l "$KS3_WORK/records.txt" ||
  fail "kcat could not produce the traffic"

# The two recipes of README "Landing Ed-Fi DMS documents".
write_sink_config "$KS3_WORK/log.yaml" $topic edfi-lake-log \
  'key_template: "{{value.projectname}}/{{value.resourcename}}/{{topic}}+{{partition}}+{{start_offset}}"' \
  'tombstones: ignore' \
  'rotation: {max_records: 1000, idle_flush: 1s}'
write_sink_config "$KS3_WORK/mirror.yaml" $topic edfi-lake-mirror \
  'mode: mirror' \
  'mirror: {key_template: "{{value.projectname}}/{{value.resourcename}}/{{value.documentuuid}}.json", body: document}'
start_sink sink-log "$KS3_WORK/log.yaml" --set s3.prefix=events
log_pid=$KS3_SINK_PID
start_sink sink-mirror "$KS3_WORK/mirror.yaml" --set s3.prefix=documents
mirror_pid=$KS3_SINK_PID
wait_committed_at_end 120 edfi-lake-log $topic
wait_committed_at_end 120 edfi-lake-mirror $topic
stop_sink "$log_pid"
stop_sink "$mirror_pid"
grep -q 'mode=mirror' "$KS3_WORK/sink-mirror.log" || fail "the mirror sink did not start in mirror mode"

note "mirror: exactly the live documents, each with its last edfidoc"
"$KS3_PYTHON" "$KS3_ROOT/tests/tools/edfi_traffic.py" check-mirror --endpoint "$KS3_S3RVER_URL" \
  --bucket lake --prefix documents/ --expected "$KS3_WORK/expected.json" \
  --download "$KS3_WORK/mirror" || fail "the mirror does not hold the live documents"

note "event log: one resource type per object, every record exactly once"
consume_all $topic >"$KS3_WORK/topic.tsv"
"$KS3_PYTHON" "$KS3_ROOT/tests/tools/edfi_traffic.py" check-log --endpoint "$KS3_S3RVER_URL" \
  --bucket lake --prefix events/ --topic-dump "$KS3_WORK/topic.tsv" \
  --download "$KS3_WORK/log" || fail "the event log is not one resource type per object, exactly once"

note "DuckDB counts per resource type"
node "$KS3_ROOT/tests/tools/edfi_duckdb.mjs" --log "$KS3_WORK/log" --mirror "$KS3_WORK/mirror" \
  --expected "$KS3_WORK/expected.json" || fail "DuckDB's counts differ from the generator's"
puts=$(grep -o 'puts=[0-9]*' "$KS3_WORK/sink-mirror.log" | tail -1)
deletes=$(grep -o 'deletes=[0-9]*' "$KS3_WORK/sink-mirror.log" | tail -1)
note "mirror requests: $puts $deletes"
note "ok"

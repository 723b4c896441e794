#!/usr/bin/env bash
# format.type parquet end to end: mock broker -> sink -> s3rver (behind the SigV4 proxy) -> the
# objects downloaded with the sink's s3 CLI -> DuckDB (tests/tools/duckdb_sql.mjs).
#   A: an Ed-Fi DMS style run: Debezium ExtractNewRecordState documents of edfi.dms.document
#      (deletes as "__deleted": "true", tombstones), parquet.value infer, zstd, small row groups:
#      typed columns, every record exactly once, GROUP BY resourcename gives the produced counts.
#   B: parquet.value json with snappy pages and a bad record dead-lettered: the JSON column reads
#      with json_extract, the pages are SNAPPY, the dead letter is JSON lines naming the record.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_parquet_sink.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"
[ -d "$KS3_ROOT/scripts/npm/node_modules/@duckdb/node-api" ] ||
  fail "@duckdb/node-api is not installed: run scripts/bootstrap"
duck() { node "$KS3_ROOT/tests/tools/duckdb_sql.mjs" "$@"; }

start_mock_broker --brokers 1 --topic edfi.dms.document:2 --topic events:1
start_s3 lake

# --- A: Ed-Fi DMS documents, inferred columns -------------------------------------------------
"$KS3_PYTHON" - "$KS3_WORK/edfi.in" "$KS3_WORK/edfi.expected" <<'PY'
import json, sys, uuid
resources = [("Student", False, 120), ("School", False, 30),
             ("StudentSchoolAssociation", False, 90), ("GradeLevelDescriptor", True, 60)]
counts, lines, n = {}, [], 0
for name, descriptor, count in resources:
    for i in range(count):
        n += 1
        u = str(uuid.UUID(int=n))
        deleted = name == "Student" and i % 12 == 0
        doc = {"id": n, "documentpartitionkey": n % 16, "documentuuid": u,
               "resourcename": name, "resourceversion": "5.2.0", "isdescriptor": descriptor,
               "projectname": "Ed-Fi",
               "edfidoc": json.dumps({"id": u, "studentUniqueId": str(1000 + i)} if name == "Student"
                                     else {"id": u, "nameOfInstitution": "School %d" % i}),
               "createdat": 1700000000000000 + n, "lastmodifiedat": 1700000000000000 + 2 * n,
               "lastmodifiedtraceid": None if i % 5 == 0 else "trace-%d" % n,
               "__deleted": "true" if deleted else "false"}
        lines.append('{"documentuuid":"%s"}\t%s' % (u, json.dumps(doc)))
        counts[name] = counts.get(name, 0) + 1
        if deleted:  # Debezium's delete: the "__deleted" record, then a tombstone
            lines.append('{"documentuuid":"%s"}\t' % u)
            counts[None] = counts.get(None, 0) + 1
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
with open(sys.argv[2], "w") as f:
    for name in sorted(counts, key=lambda k: (k is None, k or "")):
        f.write(json.dumps({"resourcename": name, "n": str(counts[name])}, separators=(",", ":")) + "\n")
PY
kcat -P -Z -b "$KS3_BOOTSTRAP" -t edfi.dms.document -K$'\t' -l "$KS3_WORK/edfi.in" ||
  fail "kcat could not produce the documents"
total=$(wc -l <"$KS3_WORK/edfi.in")

config=$KS3_WORK/sink-a.yaml
write_sink_config "$config" edfi.dms.document parquet-a \
  "format: {type: parquet, fields: [topic, partition, offset, timestamp, key, value]}" \
  "parquet: {value: infer, row_group_bytes: 64KiB}" \
  "compression: {type: zstd}" "rotation: {max_records: 100, idle_flush: 1s}"
start_sink sink-a "$config"
wait_committed_at_end 60 parquet-a edfi.dms.document
stop_sink "$KS3_SINK_PID"
download_objects "" "$KS3_WORK/a"
grep -q '\.parquet$' "$KS3_WORK/a.ls" || fail "A: no .parquet object: $(cat "$KS3_WORK/a.ls")"
# Besides the data: the sink's cut manifests under _ks3/ (docs/DESIGN.md).
if grep -v ' _ks3/manifests/' "$KS3_WORK/a.ls" | grep -qv '\.parquet$'; then
  fail "A: objects other than .parquet: $(cat "$KS3_WORK/a.ls")"
fi
files="'$KS3_WORK/a/**/*.parquet'"

note "A: every record exactly once"
[ "$(duck "SELECT count(*) AS n, count(DISTINCT (partition, \"offset\")) AS d FROM read_parquet($files)")" = \
  "{\"n\":\"$total\",\"d\":\"$total\"}" ] || fail "A: not $total distinct records"

note "A: typed columns"
got=$(duck "SELECT typeof(\"timestamp\") AS ts, typeof(value.id) AS id,
    typeof(value.isdescriptor) AS isdescriptor, typeof(value.resourcename) AS resourcename,
    typeof(value.createdat) AS createdat, typeof(value.lastmodifiedtraceid) AS traceid
  FROM read_parquet($files) WHERE value IS NOT NULL LIMIT 1")
[ "$got" = '{"ts":"TIMESTAMP WITH TIME ZONE","id":"BIGINT","isdescriptor":"BOOLEAN","resourcename":"VARCHAR","createdat":"BIGINT","traceid":"VARCHAR"}' ] ||
  fail "A: unexpected column types: $got"

note "A: GROUP BY resourcename"
duck "SELECT value.resourcename AS resourcename, count(*) AS n FROM read_parquet($files)
  GROUP BY resourcename ORDER BY resourcename NULLS LAST" >"$KS3_WORK/a.counts"
diff "$KS3_WORK/edfi.expected" "$KS3_WORK/a.counts" >&2 || fail "A: counts per resourcename differ"
[ "$(duck "SELECT count(*) AS n FROM read_parquet($files) WHERE value.__deleted = 'true'")" = '{"n":"10"}' ] ||
  fail "A: not 10 deleted documents"
[ "$(duck "SELECT json_extract_string(value.edfidoc, '\$.studentUniqueId') AS s FROM read_parquet($files)
  WHERE value.id = 3")" = '{"s":"1002"}' ] || fail "A: edfidoc is not the document's JSON text"

# --- B: a JSON value column, snappy pages, a dead letter --------------------------------------
"$KS3_PYTHON" - "$KS3_WORK/events.in" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(30):
        f.write("e-%d\t%s\n" % (i, '{"kind":"click","n":%d}' % i if i != 17 else "{not json"))
PY
produce_file events "$KS3_WORK/events.in"
config=$KS3_WORK/sink-b.yaml
write_sink_config "$config" events parquet-b \
  "format: {type: parquet, fields: [offset, key, value]}" "parquet: {value: json}" \
  "compression: {type: snappy}" "bad_records: {policy: dead_letter}" \
  "rotation: {max_records: 1000, idle_flush: 1s}"
export KAFKA_S3_SINK_S3__PREFIX=b/
start_sink sink-b "$config"
wait_committed_at_end 60 parquet-b events
stop_sink "$KS3_SINK_PID"
unset KAFKA_S3_SINK_S3__PREFIX
download_objects "b/" "$KS3_WORK/b"
grep -q 'b/_dlq/events/partition=0/events+0+00000000000000000017\.jsonl$' "$KS3_WORK/b.ls" ||
  fail "B: no dead letter at offset 17: $(cat "$KS3_WORK/b.ls")"
grep -q '"error":"record events/0/17: the value is not valid JSON' \
  "$KS3_WORK/b/b/_dlq/events/partition=0/events+0+00000000000000000017.jsonl" || fail "B: dead letter without its reason"
files="'$KS3_WORK/b/b/events/**/*.parquet'"
[ "$(duck "SELECT count(*) AS n, sum(json_extract(value, '\$.n')::INT) AS s, min(typeof(value)) AS t
  FROM read_parquet($files)")" = '{"n":"29","s":"418","t":"JSON"}' ] ||
  fail "B: unexpected rows: $(duck "SELECT * FROM read_parquet($files)")"
[ "$(duck "SELECT DISTINCT compression FROM parquet_metadata($files)")" = '{"compression":"SNAPPY"}' ] ||
  fail "B: pages are not snappy"
note "ok"

#!/usr/bin/env bash
# format.input avro end to end: Confluent-framed Avro values (datums written by Debian's
# python3-avro, an independent implementation) -> mock broker -> sink, with schemas from
# tests/tools/fake_schema_registry.py (our own small registry: none is packaged for Debian or
# npm) behind basic auth -> s3rver -> the objects downloaded with the sink's s3 CLI.
#   A: JSON lines (gzip): the documented mapping (timestamp-micros as ISO-8601, unions as plain
#      values, nested records as objects); a record with an unknown schema id and one whose bytes
#      do not decode land under the dead-letter prefix with their reason; the registry password
#      appears in no log line; the schema is fetched once.
#   B: Parquet (parquet.value infer: columns from the Avro writer schema, zstd) read by DuckDB:
#      typed columns (timestamp-micros as TIMESTAMP WITH TIME ZONE), GROUP BY resourcename.
#   C: Avro object container files (format.type avro; zstd and snappy blocks) from records of two
#      interleaved writer schemas (runs of 7) in one partition: a schema change cuts the
#      partition (reason schema_change in the log and the metric), so every object holds one
#      run of one schema (the registry's text), the records of offsets [start, start + n) in
#      order; python3-avro reads every datum back equal to what was produced, none lost or twice;
#      the two runs (two codecs, two groups) cut at the same offsets.
#   D: a reader schema (format.avro.reader_schema = v2; v2 adds a field with a default and
#      promotes int to long) over v1 and v2 records interleaved record by record: ONE Avro object
#      (no schema_change cut) whose schema is v2 and whose datums python3-avro reads back with the
#      default in the v1 records, and ONE Parquet file with v2's columns, read by DuckDB.
#   E: Avro keys (format.key_input avro) in JSON lines: each key is the JSON of its datum and
#      {{key.sensor}} in the key template routes by a field of it; a key that does not decode goes
#      to the dead-letter prefix naming the record and the key.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_avro_sink.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"
"$KS3_PYTHON" -c 'import avro' || fail "python3-avro is missing: run scripts/bootstrap"
[ -d "$KS3_ROOT/scripts/npm/node_modules/@duckdb/node-api" ] ||
  fail "@duckdb/node-api is not installed: run scripts/bootstrap"
duck() { node "$KS3_ROOT/tests/tools/duckdb_sql.mjs" "$@"; }

start_mock_broker --brokers 1 --topic docs:1 --topic evolving:1 --topic reader:1
start_s3 lake

# Records "key\x1fvalue" separated by \x1e (kcat -K/-D); datums containing either byte are
# skipped (and not counted), so the framing stays unambiguous.
"$KS3_PYTHON" - "$KS3_WORK" <<'PY'
import datetime, io, json, struct, sys
import avro.io, avro.schema
work = sys.argv[1]
schema_text = json.dumps({"type": "record", "name": "Document", "namespace": "edfi.dms", "fields": [
    {"name": "id", "type": "long"},
    {"name": "resourcename", "type": "string"},
    {"name": "isdescriptor", "type": "boolean"},
    {"name": "createdat", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "lastmodifiedtraceid", "type": ["null", "string"], "default": None},
    {"name": "doc", "type": {"type": "record", "name": "Doc", "fields": [
        {"name": "name", "type": "string"}, {"name": "score", "type": "double"}]}}]})
schema = avro.schema.parse(schema_text)
writer = avro.io.DatumWriter(schema)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def for_avro(d):  # python3-avro takes timestamp-micros as a datetime
    return dict(d, createdat=EPOCH + datetime.timedelta(microseconds=d["createdat"]))
def datum(d):
    out = io.BytesIO()
    writer.write(for_avro(d), avro.io.BinaryEncoder(out))
    return out.getvalue()
records, counts, first, mapped = [], {}, None, []
names = ["Student", "School", "GradeLevelDescriptor"]
for i in range(90):
    name = names[i % 3]
    d = {"id": 1000 + i, "resourcename": name, "isdescriptor": name.endswith("Descriptor"),
         "createdat": 1700000000123456 + i, "lastmodifiedtraceid": None if i % 4 == 0 else "t%d" % i,
         "doc": {"name": "n%d" % i, "score": i / 4}}
    value = b"\x00" + struct.pack(">I", 1) + datum(d)
    key = b"k%d" % i
    if b"\x1e" in value or b"\x1f" in value:
        continue
    if first is None:
        first = d
    # The documented JSON mapping: timestamp-micros as ISO-8601 UTC, a union as its value.
    iso = datetime.datetime.fromtimestamp(d["createdat"] / 1e6, datetime.timezone.utc)
    mapped.append({"key": key.decode(), "value": dict(
        d, createdat=iso.strftime("%Y-%m-%dT%H:%M:%S.") + "%06dZ" % (d["createdat"] % 1000000))})
    records.append(key + b"\x1f" + value)
    counts[name] = counts.get(name, 0) + 1
good = len(records)
# An id the registry does not know, and bytes that do not decode with schema 1.
records.insert(10, b"unknown\x1f" + b"\x00" + struct.pack(">I", 99) + datum(first))
records.insert(20, b"garbage\x1f" + b"\x00" + struct.pack(">I", 1) + b"\x02")
open(work + "/avro.in", "wb").write(b"\x1e".join(records) + b"\x1e")
with open(work + "/expected", "w") as f:
    f.write("%d\n" % good)
    for name in sorted(counts):
        f.write(json.dumps({"resourcename": name, "n": str(counts[name])}, separators=(",", ":")) + "\n")
json.dump(mapped, open(work + "/mapped.json", "w"))
# C: schema 2 adds a field; records of schemas 1 and 2 interleave.
schema2_text = json.dumps({"type": "record", "name": "Document", "namespace": "edfi.dms", "fields":
    json.loads(schema_text)["fields"] + [{"name": "extra", "type": "string", "default": ""}]})
schema2 = avro.schema.parse(schema2_text)
json.dump({"ids": {"1": schema_text, "2": schema2_text}}, open(work + "/schemas.json", "w"))
writer2 = avro.io.DatumWriter(schema2)
def datum2(d):
    out = io.BytesIO()
    writer2.write(for_avro(d), avro.io.BinaryEncoder(out))
    return out.getvalue()
evolving, produced = [], []
for i in range(60):
    d = {"id": i, "resourcename": "Student", "isdescriptor": False, "createdat": 1700000000000000 + i,
         "lastmodifiedtraceid": None, "doc": {"name": "n%d" % i, "score": 0.5}}
    if (i // 7) % 2:
        d["extra"] = "x%d" % i
        value = b"\x00" + struct.pack(">I", 2) + datum2(d)
    else:
        value = b"\x00" + struct.pack(">I", 1) + datum(d)
    if b"\x1e" in value or b"\x1f" in value:
        continue
    evolving.append(b"e%d\x1f" % i + value)
    produced.append(d)
open(work + "/evolving.in", "wb").write(b"\x1e".join(evolving) + b"\x1e")
json.dump({"records": produced, "schemas": {"1": schema_text, "2": schema2_text}},
          open(work + "/evolving.json", "w"))
PY
kcat -P -b "$KS3_BOOTSTRAP" -t docs -D '\x1e' -K '\x1f' -l "$KS3_WORK/avro.in" ||
  fail "kcat could not produce the Avro records"
good=$(head -1 "$KS3_WORK/expected")
kcat -P -b "$KS3_BOOTSTRAP" -t evolving -D '\x1e' -K '\x1f' -l "$KS3_WORK/evolving.in" ||
  fail "kcat could not produce the evolving records"

# D/E: a reader schema (v2) over records of v1 (id 3) and v2 (id 4, adds "unit" with a default,
# int "count" promoted to long) interleaved record by record, with Avro keys (id 5); the last
# record's key does not decode.
"$KS3_PYTHON" - "$KS3_WORK" <<'PY'
import io, json, struct, sys
import avro.io, avro.schema
work = sys.argv[1]
v1 = {"type": "record", "name": "Reading", "namespace": "lab", "fields": [
    {"name": "id", "type": "long"}, {"name": "sensor", "type": "string"},
    {"name": "count", "type": "int"}]}
v2 = dict(v1, fields=v1["fields"][:2] + [{"name": "count", "type": "long"},
                                         {"name": "unit", "type": "string", "default": "none"}])
key_schema = {"type": "record", "name": "ReadingKey", "namespace": "lab", "fields": [
    {"name": "sensor", "type": "string"}, {"name": "id", "type": "long"}]}
def encode(schema, d):
    out = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(json.dumps(schema))).write(d, avro.io.BinaryEncoder(out))
    return out.getvalue()
schemas = json.load(open(work + "/schemas.json"))
schemas["ids"].update({"3": json.dumps(v1), "4": json.dumps(v2), "5": json.dumps(key_schema)})
json.dump(schemas, open(work + "/schemas.json", "w"))
open(work + "/reader.avsc", "w").write(json.dumps(v2, indent=1))
records, resolved, keys = [], [], []
for i in list(range(40)) + [100]:  # 100: the bad key, last
    d = {"id": i, "sensor": "s%d" % (i % 3), "count": i}
    if i % 2:
        d.update(count=5000000000 + i, unit="u%d" % i)
        value = b"\x00" + struct.pack(">I", 4) + encode(v2, d)
    else:
        value = b"\x00" + struct.pack(">I", 3) + encode(v1, d)
    k = {"sensor": d["sensor"], "id": i}
    key = b"\x00" + struct.pack(">I", 5) + (encode(key_schema, k) if i < 100 else b"\x02")
    if any(c in value + key for c in b"\x1e\x1f"):
        continue  # kcat's separators (as above)
    records.append(key + b"\x1f" + value)
    resolved.append(dict({"unit": "none"}, **d))
    keys.append(k)
open(work + "/reader.in", "wb").write(b"\x1e".join(records) + b"\x1e")
json.dump({"v2": v2, "records": resolved, "keys": keys[:-1]}, open(work + "/reader.json", "w"))
open(work + "/reader.badkey", "w").write("%d\n" % (len(records) - 1))
with open(work + "/reader.rows", "w") as f:  # as duckdb_sql.mjs prints them
    for d in resolved:
        f.write(json.dumps({"id": str(d["id"]), "count": str(d["count"]), "unit": d["unit"]},
                           separators=(",", ":")) + "\n")
PY
kcat -P -b "$KS3_BOOTSTRAP" -t reader -D '\x1e' -K '\x1f' -l "$KS3_WORK/reader.in" ||
  fail "kcat could not produce the reader-schema records"

port=$(free_port)
start_bg registry "$KS3_PYTHON" "$KS3_ROOT/tests/tools/fake_schema_registry.py" --port "$port" \
  --schemas "$KS3_WORK/schemas.json" --user sink --password 'reg1stry-s3cret'
wait_for_log 10 registry listening
registry="schema_registry: {url: \"http://127.0.0.1:$port\", username: sink, password: reg1stry-s3cret}"

# --- A: JSON lines ---------------------------------------------------------------------------
config=$KS3_WORK/sink-a.yaml
write_sink_config "$config" docs avro-a "format: {input: avro, fields: [offset, key, value]}" \
  "$registry" "bad_records: {policy: dead_letter}" "rotation: {max_records: 1000, idle_flush: 1s}"
"$KS3_SINK_BIN" --config "$config" --validate >"$KS3_WORK/validate.out" ||
  fail "--validate rejects the config"
grep -q 'password: "\*\*\*"\|password: \*\*\*' "$KS3_WORK/validate.out" ||
  fail "--validate does not hide the registry password: $(grep -A4 schema_registry "$KS3_WORK/validate.out")"
export KAFKA_S3_SINK_S3__PREFIX=a/
start_sink sink-a "$config"
wait_committed_at_end 60 avro-a docs
stop_sink "$KS3_SINK_PID"
unset KAFKA_S3_SINK_S3__PREFIX
download_objects a/ "$KS3_WORK/a"
zcat "$KS3_WORK"/a/a/docs/partition=0/*.jsonl.gz >"$KS3_WORK/a.jsonl" || fail "A: no JSON lines object"
[ "$(wc -l <"$KS3_WORK/a.jsonl")" = "$good" ] || fail "A: not $good JSON lines"
"$KS3_PYTHON" - "$KS3_WORK/a.jsonl" "$KS3_WORK/mapped.json" <<'PY' || fail "A: the JSON mapping differs"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
expected = json.load(open(sys.argv[2]))
assert len(rows) == len(expected), (len(rows), len(expected))
for row, want in zip(rows, expected):
    assert {"key": row["key"], "value": row["value"]} == want, (row, want)
assert any(r["value"]["lastmodifiedtraceid"] is None for r in rows)
PY
dl=$(ls "$KS3_WORK"/a/a/_dlq/docs/partition=0/*.jsonl.gz 2>/dev/null) || fail "A: no dead letters"
zcat $dl >"$KS3_WORK/dlq.jsonl"
[ "$(wc -l <"$KS3_WORK/dlq.jsonl")" = 2 ] || fail "A: not 2 dead letters: $(cat "$KS3_WORK/dlq.jsonl")"
grep -q '"error":"record docs/0/10: schema id 99 cannot be used: unknown_schema' "$KS3_WORK/dlq.jsonl" ||
  fail "A: the unknown schema id is not dead-lettered with its reason: $(cat "$KS3_WORK/dlq.jsonl")"
grep -q '"error":"record docs/0/20: the value does not decode with id 1' "$KS3_WORK/dlq.jsonl" ||
  fail "A: the undecodable value is not dead-lettered with its reason: $(cat "$KS3_WORK/dlq.jsonl")"
if grep -q 'reg1stry-s3cret' "$KS3_WORK"/sink-a.log "$KS3_WORK/validate.out"; then
  fail "A: the registry password appears in a log"
fi
[ "$(grep -c '/schemas/ids/1' "$KS3_WORK/registry.log")" = 1 ] ||
  fail "A: schema 1 was not fetched exactly once: $(cat "$KS3_WORK/registry.log")"

# --- B and C: three sinks side by side (three groups, three prefixes; after A, whose check
# counts the registry's fetches) ----------------------------------------------------------------
write_sink_config "$KS3_WORK/sink-b.yaml" docs avro-b \
  "format: {input: avro, type: parquet, fields: [partition, offset, value]}" "$registry" \
  "parquet: {value: infer}" "compression: {type: zstd}" "bad_records: {policy: skip}" \
  "rotation: {max_records: 25, idle_flush: 1s}"
for codec in zstd snappy; do
  write_sink_config "$KS3_WORK/sink-c-$codec.yaml" evolving "avro-c-$codec" \
    "format: {input: avro, type: avro}" "$registry" "compression: {type: $codec}" \
    "tombstones: ignore" "rotation: {max_records: 1000, idle_flush: 1s}"
done
declare -A sink_pids
for part in b c-zstd c-snappy; do
  export KAFKA_S3_SINK_S3__PREFIX=$part/
  start_sink "sink-$part" "$KS3_WORK/sink-$part.yaml"
  sink_pids[$part]=$KS3_SINK_PID
done
unset KAFKA_S3_SINK_S3__PREFIX
wait_committed_at_end 60 avro-b docs
for codec in zstd snappy; do
  wait_committed_at_end 60 "avro-c-$codec" evolving
  curl -sf "http://127.0.0.1:$(http_port_of "$KS3_WORK/sink-c-$codec.yaml")/metrics" \
    >"$KS3_WORK/c-$codec.metrics" || fail "C: no /metrics"
done
for part in b c-zstd c-snappy; do
  stop_sink "${sink_pids[$part]}"
  download_objects "$part/" "$KS3_WORK/$part"
done

# B: Parquet with inferred columns.
files="'$KS3_WORK/b/b/docs/**/*.parquet'"
[ "$(duck "SELECT count(*) AS n FROM read_parquet($files)")" = "{\"n\":\"$good\"}" ] ||
  fail "B: not $good rows"
got=$(duck "SELECT typeof(value.id) AS id, typeof(value.isdescriptor) AS d,
  typeof(value.doc.score) AS score, typeof(value.createdat) AS created,
  typeof(value.lastmodifiedtraceid) AS trace FROM read_parquet($files) LIMIT 1")
[ "$got" = '{"id":"BIGINT","d":"BOOLEAN","score":"DOUBLE","created":"TIMESTAMP WITH TIME ZONE","trace":"VARCHAR"}' ] ||
  fail "B: column types: $got"
[ "$(duck "SELECT epoch_us(value.createdat) - value.id AS base FROM read_parquet($files)
  GROUP BY base")" = '{"base":"1700000000122456"}' ] || fail "B: timestamps differ"
duck "SELECT value.resourcename AS resourcename, count(*) AS n FROM read_parquet($files)
  GROUP BY resourcename ORDER BY resourcename" >"$KS3_WORK/b.counts"
tail -n +2 "$KS3_WORK/expected" | diff - "$KS3_WORK/b.counts" >&2 || fail "B: counts differ"
grep -q 'bad record skipped' "$KS3_WORK/sink-b.log" || fail "B: the bad records were not skipped with a log line"

# C: Avro object container files, one writer schema each.
for codec in zstd snappy; do
  grep -q '\.avro$' "$KS3_WORK/c-$codec.ls" || fail "C: no .avro object: $(cat "$KS3_WORK/c-$codec.ls")"
  "$KS3_PYTHON" - "$KS3_WORK/c-$codec" "$KS3_WORK/evolving.json" "$codec" \
    "$KS3_WORK/sink-c-$codec.log" "$KS3_WORK/c-$codec.metrics" <<'PY' ||
import datetime, glob, json, os, re, sys
import avro.datafile, avro.io
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
root, expected, codec, log, metrics = sys.argv[1:6]
expected = json.load(open(expected))
want_codec = {"zstd": "zstandard", "snappy": "snappy"}[codec]
produced = expected["records"]  # offset i holds produced[i]
# The runs of one schema in offset order: where the objects must start.
runs = [i for i, d in enumerate(produced) if i == 0 or ("extra" in d) != ("extra" in produced[i - 1])]
texts = set(expected["schemas"].values())
starts, covered = [], 0
for path in sorted(glob.glob(root + "/**/*.avro", recursive=True)):
    start = int(re.search(r"\+(\d+)\.avro$", path).group(1))
    starts.append(start)
    assert start == covered, ("objects do not follow each other", path, covered)
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        schema = reader.get_meta("avro.schema").decode()
        assert schema in texts, (path, schema)
        assert reader.get_meta("avro.codec").decode() == want_codec, reader.get_meta("avro.codec")
        extra = json.loads(schema)["fields"][-1]["name"] == "extra"
        for d in reader:
            # One writer schema per object: the datums have exactly the schema's fields.
            assert ("extra" in d) == extra, (path, d)
            delta = d["createdat"] - EPOCH
            d["createdat"] = (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
            assert covered < len(produced) and d == produced[covered], (path, covered, d)
            covered += 1
assert covered == len(produced), ("records missing", covered, len(produced))
assert starts == runs, ("objects do not start where the schema changes", starts, runs)
cuts = len(re.findall(r"object completed.*reason=schema_change", open(log).read()))
assert cuts == len(runs) - 1, ("schema_change objects in the log", cuts, len(runs))
metric = re.search(r'^kafka_s3_sink_objects_completed_total\{[^}]*reason="schema_change"[^}]*\} (\S+)$',
                   open(metrics).read(), re.M)
assert metric and float(metric.group(1)) == len(runs) - 1, ("schema_change metric", metric and metric.group(0))
print("C %s: %d objects, %d records" % (codec, len(starts), covered))
PY
    fail "C ($codec): the Avro objects differ"
  find "$KS3_WORK/c-$codec" -name '*.avro' -printf '%f\n' | sort >"$KS3_WORK/c-$codec.keys"
done
diff "$KS3_WORK/c-zstd.keys" "$KS3_WORK/c-snappy.keys" >&2 || fail "C: the two runs cut differently"

# --- D and E: three sinks side by side on the reader topic (three groups, three prefixes) ------
# D1: a reader schema with Avro output; D2: with Parquet; E: Avro keys in JSON lines.
write_sink_config "$KS3_WORK/sink-d1.yaml" reader avro-d1 \
  "format: {input: avro, type: avro, avro: {reader_schema: $KS3_WORK/reader.avsc}}" "$registry" \
  "compression: {type: zstd}" "tombstones: ignore" "rotation: {max_records: 1000, idle_flush: 1s}"
write_sink_config "$KS3_WORK/sink-d2.yaml" reader avro-d2 \
  "format: {input: avro, type: parquet, fields: [offset, value], avro: {reader_schema: $KS3_WORK/reader.avsc}}" \
  "$registry" "parquet: {value: infer}" "rotation: {max_records: 1000, idle_flush: 1s}"
write_sink_config "$KS3_WORK/sink-e.yaml" reader avro-e \
  "format: {input: avro, key_input: avro, key_encoding: json, fields: [offset, key, value]}" \
  "$registry" "bad_records: {policy: dead_letter}" "rotation: {max_records: 1000, idle_flush: 1s}" \
  'key_template: "{{topic}}/sensor={{key.sensor}}/{{topic}}+{{partition}}+{{start_offset}}"'
for part in d1 d2 e; do
  export KAFKA_S3_SINK_S3__PREFIX=$part/
  start_sink "sink-$part" "$KS3_WORK/sink-$part.yaml"
  sink_pids[$part]=$KS3_SINK_PID
done
unset KAFKA_S3_SINK_S3__PREFIX
for part in d1 d2 e; do wait_committed_at_end 60 "avro-$part" reader; done
for part in d1 d2 e; do
  stop_sink "${sink_pids[$part]}"
  download_objects "$part/" "$KS3_WORK/$part"
done

# D1: v1 and v2 records in ONE Avro object in the reader schema.
! grep -q 'reason=schema_change' "$KS3_WORK/sink-d1.log" || fail "D: a schema_change cut"
"$KS3_PYTHON" - "$KS3_WORK/d1" "$KS3_WORK/reader.json" <<'PY' || fail "D: the Avro object differs"
import glob, json, sys
import avro.datafile, avro.io
expected = json.load(open(sys.argv[2]))
paths = sorted(glob.glob(sys.argv[1] + "/**/*.avro", recursive=True))
assert len(paths) == 1, ("not one object", paths)
with open(paths[0], "rb") as f:
    reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    assert json.loads(reader.get_meta("avro.schema")) == expected["v2"], reader.get_meta("avro.schema")
    rows = list(reader)
assert rows == expected["records"], (rows[:3], expected["records"][:3])
print("D avro: %d records in the reader schema" % len(rows))
PY
# D2: ONE Parquet file with the reader schema's columns; v1 rows carry the default.
[ "$(find "$KS3_WORK/d2" -name '*.parquet' | wc -l)" = 1 ] ||
  fail "D: not one Parquet object: $(cat "$KS3_WORK/d2.ls")"
files="'$KS3_WORK/d2/d2/reader/**/*.parquet'"
[ "$(duck "SELECT typeof(value.count) AS c, typeof(value.unit) AS u FROM read_parquet($files) LIMIT 1")" = \
  '{"c":"BIGINT","u":"VARCHAR"}' ] || fail "D: the Parquet columns are not the reader schema's"
duck "SELECT value.id AS id, value.count AS count, value.unit AS unit FROM read_parquet($files)
  ORDER BY id" | diff "$KS3_WORK/reader.rows" - >&2 || fail "D: the Parquet rows differ"

# E: each key is the JSON of its datum, routed by {{key.sensor}}; the bad key is dead-lettered.
"$KS3_PYTHON" - "$KS3_WORK/e/e/reader" "$KS3_WORK/reader.json" <<'PY' || fail "E: the keys differ"
import glob, gzip, json, os, sys
keys = json.load(open(sys.argv[2]))["keys"]
rows = []
for path in glob.glob(sys.argv[1] + "/sensor=*/*.jsonl.gz"):
    folder = os.path.basename(os.path.dirname(path))
    for line in gzip.open(path, "rt"):
        row = json.loads(line)
        # {{key.sensor}} routed each record by a field of its decoded key.
        assert folder == "sensor=" + row["key"]["sensor"], (path, row)
        rows.append(row)
rows.sort(key=lambda r: r["offset"])
assert [r["key"] for r in rows] == keys, ([r["key"] for r in rows][:3], keys[:3])
PY
zcat "$KS3_WORK"/e/e/_dlq/reader/partition=0/*.jsonl.gz >"$KS3_WORK/e.dlq" || fail "E: no dead letter"
[ "$(wc -l <"$KS3_WORK/e.dlq")" = 1 ] &&
  grep -q "\"error\":\"record reader/0/$(cat "$KS3_WORK/reader.badkey"): the key does not decode with id 5" "$KS3_WORK/e.dlq" ||
  fail "E: the bad key is not dead-lettered with its reason: $(cat "$KS3_WORK/e.dlq")"
note "ok"

#!/usr/bin/env bash
# Avro against an independent implementation (Debian's python3-avro, and avro-bin's avrocat):
#   1. python3-avro writes datums (tests/data/avro/generate.py); our decoder + JSON mapping must
#      give the JSON the script derives from what python3-avro reads back (reader schemas too);
#   2. our container writer writes object container files, one per codec (null, deflate,
#      snappy, zstandard), several blocks each; python3-avro's DataFileReader must read back
#      exactly the datums we put in, and avrocat (Avro C) must read the null, deflate and
#      snappy ones (Debian's Avro C has no zstandard);
#   3. our Schema Registry client against a small fake registry of our own
#      (tests/tools/fake_schema_registry.py; no real registry is packaged for Debian or npm):
#      schema by id and by GUID, the cache, 404 for an unknown id, basic auth, HTTPS with a CA file.
source "$(dirname "$0")/lib/common.sh"
build=${1:?usage: test_avro_python.sh BUILD_DIR}
tool="$build/tests/avro_tool"
[ -x "$tool" ] || fail "$tool is missing: build the avro_tool target"
"$KS3_PYTHON" -c 'import avro, snappy, zstandard' ||
  fail "python3-avro with python3-snappy and python3-zstandard is needed (scripts/bootstrap)"

fx="$KS3_WORK/fx"
"$KS3_PYTHON" "$KS3_ROOT/tests/data/avro/generate.py" "$fx" >/dev/null

# Compares two JSON-lines files value by value (numbers by value: 10 == 10.0).
same_json() {
  "$KS3_PYTHON" - "$1" "$2" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
theirs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if ours != theirs:
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            print("line %d differs:\n ours:   %s\n python: %s" % (i, a, b))
    print("%d vs %d lines" % (len(ours), len(theirs)))
    sys.exit(1)
PY
}

note "1. decoding python3-avro datums"
for case in primitives complex logical evolve; do
  reader=()
  [ -f "$fx/$case.reader.avsc" ] && reader=("$fx/$case.reader.avsc")
  "$tool" decode "$fx/$case.avsc" "${reader[@]}" <"$fx/$case.datums.hex" >"$KS3_WORK/$case.ours.jsonl"
  grep -q '^ERROR' "$KS3_WORK/$case.ours.jsonl" && { cat "$KS3_WORK/$case.ours.jsonl"; fail "$case: decode errors"; }
  same_json "$KS3_WORK/$case.ours.jsonl" "$fx/$case.expected.jsonl" || fail "$case: our JSON differs from python3-avro's values"
  echo "decode $case: $(wc -l <"$fx/$case.expected.jsonl") datums match"
done

note "2. our container files read by python3-avro and avrocat"
for case in complex logical primitives; do
  for codec in null deflate snappy zstandard; do
    out="$KS3_WORK/$case.$codec.avro"
    "$tool" write-container "$fx/$case.avsc" "$fx/$case.datums.hex" "$codec" "topics/t/$case" "$out" 64 >/dev/null ||
      fail "write-container $case $codec"
    "$KS3_PYTHON" - "$out" "$fx/$case.avsc" "$fx/$case.datums.hex" "$codec" <<'PY' || fail "python3-avro cannot read $out"
import io, json, sys, warnings
import avro.datafile, avro.errors, avro.io, avro.schema
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)
path, schema_path, hex_path, codec = sys.argv[1:]
schema = avro.schema.parse(open(schema_path).read())
expected = [avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(bytes.fromhex(l))))
            for l in open(hex_path) if l.strip()]
with avro.datafile.DataFileReader(open(path, "rb"), avro.io.DatumReader()) as r:
    assert r.codec == codec, (r.codec, codec)
    got = list(r)
    meta_schema = r.get_meta("avro.schema").decode()
assert avro.schema.parse(meta_schema) == schema, "avro.schema metadata differs"
def same(a, b):  # NaN != NaN: compare NaN by identity of kind
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b
assert len(got) == len(expected), (len(got), len(expected))
assert all(same(a, b) for a, b in zip(got, expected)), "records differ"
PY
    echo "container $case/$codec: python3-avro reads $(wc -l <"$fx/$case.datums.hex") records"
  done
  # avrocat prints JSON through jansson, which cannot print the NaN in "primitives".
  [ "$case" = primitives ] && continue
  for codec in null deflate snappy; do
    n=$(avrocat "$KS3_WORK/$case.$codec.avro" | wc -l) || fail "avrocat cannot read $case.$codec.avro"
    [ "$n" = "$(wc -l <"$fx/$case.datums.hex")" ] || fail "avrocat read $n records from $case.$codec.avro"
  done
done
cmp -s <("$tool" write-container "$fx/complex.avsc" "$fx/complex.datums.hex" zstandard k "$KS3_WORK/a1.avro" && cat "$KS3_WORK/a1.avro") \
       <("$tool" write-container "$fx/complex.avsc" "$fx/complex.datums.hex" zstandard k "$KS3_WORK/a2.avro" && cat "$KS3_WORK/a2.avro") ||
  fail "two writes of the same input differ"

note "3. schema registry client against the fake registry"
"$KS3_PYTHON" - "$fx" >"$KS3_WORK/schemas.json" <<'PY'
import json, sys
fx = sys.argv[1]
print(json.dumps({"ids": {"1": open(fx + "/complex.avsc").read(), "2": open(fx + "/logical.avsc").read(),
                          "3": "{not avro"},
                  "guids": {"00112233-4455-6677-8899-aabbccddeeff": open(fx + "/primitives.avsc").read()}}))
PY
port=$(free_port)
start_bg registry "$KS3_PYTHON" "$KS3_ROOT/tests/tools/fake_schema_registry.py" --port "$port" \
  --schemas "$KS3_WORK/schemas.json" --user sink --password 's3cr:et'
wait_for_log 10 registry listening
export KS3_REGISTRY_USER=sink KS3_REGISTRY_PASSWORD='s3cr:et'
"$tool" fetch "http://127.0.0.1:$port" 1 2 1 99 3 00112233-4455-6677-8899-aabbccddeeff >"$KS3_WORK/fetch.out"
cat "$KS3_WORK/fetch.out"
grep -q '^1 ok ' "$KS3_WORK/fetch.out" || fail "id 1 not fetched"
grep -q '^2 ok ' "$KS3_WORK/fetch.out" || fail "id 2 not fetched"
grep -q '^99 ERROR unknown_schema: .*id 99 not found (HTTP 404)' "$KS3_WORK/fetch.out" || fail "unknown id not a 404 unknown_schema"
grep -q '^3 ERROR bad_schema: ' "$KS3_WORK/fetch.out" || fail "a bad schema text is not bad_schema"
grep -q '^00112233-4455-6677-8899-aabbccddeeff ok ' "$KS3_WORK/fetch.out" || fail "GUID not fetched"
grep -q '^requests 5$' "$KS3_WORK/fetch.out" || fail "the second fetch of id 1 was not served from the cache"
grep -q 'GET /schemas/guids/00112233-4455-6677-8899-aabbccddeeff' "$KS3_WORK/registry.log" || fail "GUID path not used"
grep -q 's3cr' "$KS3_WORK/fetch.out" && fail "the password appears in the output"
KS3_REGISTRY_PASSWORD=wrong "$tool" fetch "http://127.0.0.1:$port" 1 >"$KS3_WORK/fetch_bad.out"
grep -q '^1 ERROR registry_auth: .*HTTP 401' "$KS3_WORK/fetch_bad.out" || { cat "$KS3_WORK/fetch_bad.out"; fail "a wrong password is not registry_auth"; }
stop_pid "$last_pid"

note "3b. HTTPS with a CA file"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$KS3_WORK/key.pem" -out "$KS3_WORK/ca.pem" 2>/dev/null ||
  fail "openssl could not make a test certificate"
tport=$(free_port)
start_bg registry_tls "$KS3_PYTHON" "$KS3_ROOT/tests/tools/fake_schema_registry.py" --port "$tport" \
  --schemas "$KS3_WORK/schemas.json" --cert "$KS3_WORK/ca.pem" --key "$KS3_WORK/key.pem"
wait_for_log 10 registry_tls listening
unset KS3_REGISTRY_USER KS3_REGISTRY_PASSWORD
"$tool" fetch "https://127.0.0.1:$tport" "$KS3_WORK/ca.pem" 2 >"$KS3_WORK/fetch_tls.out"
grep -q '^2 ok ' "$KS3_WORK/fetch_tls.out" || { cat "$KS3_WORK/fetch_tls.out"; fail "HTTPS fetch with the CA file failed"; }
# Without the CA file the system store does not trust the test certificate.
"$tool" fetch "https://127.0.0.1:$tport" 2 >"$KS3_WORK/fetch_untrusted.out"
grep -q '^2 ERROR registry: ' "$KS3_WORK/fetch_untrusted.out" || { cat "$KS3_WORK/fetch_untrusted.out"; fail "an untrusted certificate was accepted"; }
echo "registry: ids, GUID, cache, 404, basic auth, HTTPS with a CA file: ok"
echo "test_avro_python: ok"

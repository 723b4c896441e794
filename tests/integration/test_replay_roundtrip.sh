#!/usr/bin/env bash
# Replay round trip: topic -> sink -> bucket -> replay -> new topic; the two topics compare equal
# record by record with kcat (partition, offset, timestamp, key, value, headers; null keys and
# tombstones by their -1 lengths).
#   A: binary keys and values, headers (one with an empty value, one without a value), a
#      tombstone and a null key; base64 encodings, gzip, the default key template, s3.prefix a/.
#   B: JSON values with their own spacing (embedded verbatim), string keys, zstd, a template
#      that splits each partition by a value field (object groups interleave: the merge puts
#      the records back in offset order), s3.prefix b/. Then to a 1-partition topic: by key
#      (auto), and refused with --partitioning keep.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_replay_roundtrip.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic src:3 --topic dst:3 --topic docs:2 --topic docs-copy:2 \
  --topic docs-one:1
start_s3 lake

# --- A: binary data --------------------------------------------------------------------------
# Records "key\x1fvalue" separated by \x1e; keys and values take every other byte value.
"$KS3_PYTHON" - "$KS3_WORK/binary.in" <<'PY'
import sys
out = bytearray()
for i in range(60):
    key = b"k-%d-" % i + bytes([(i * 7 + j) % 256 for j in range(5) if (i * 7 + j) % 256 not in (0x1e, 0x1f)])
    value = bytes(b for b in range(256) if b not in (0x1e, 0x1f))[i:] + b"\n\t\"\\ end %d" % i
    out += key + b"\x1f" + value + b"\x1e"
open(sys.argv[1], "wb").write(bytes(out))
PY
kcat -P -b "$KS3_BOOTSTRAP" -t src -D '\x1e' -K '\x1f' -H trace=abc -H 'sp=a b=c' \
  -l "$KS3_WORK/binary.in" || fail "kcat could not produce the binary records"
# A tombstone, a null key, an empty value with headers of an empty and a null value.
printf 'k-3-\x1f\x1e\x1fnull key value\x1e' >"$KS3_WORK/nulls.in"
kcat -P -Z -b "$KS3_BOOTSTRAP" -t src -p 1 -D '\x1e' -K '\x1f' -l "$KS3_WORK/nulls.in" ||
  fail "kcat could not produce the tombstone"
printf 'k-empty\x1f\x1e' >"$KS3_WORK/empty.in"
kcat -P -b "$KS3_BOOTSTRAP" -t src -p 2 -D '\x1e' -K '\x1f' -H empty= -H novalue \
  -l "$KS3_WORK/empty.in" || fail "kcat could not produce the empty value"
produce_json_records src 40 100 20

config=$KS3_WORK/sink-a.yaml
write_sink_config "$config" src replay-a \
  "format: {fields: [topic, partition, offset, timestamp, key, headers, value], value_encoding: base64, key_encoding: base64}" \
  "compression: {type: gzip}" "rotation: {max_records: 7, idle_flush: 1s}"
export KAFKA_S3_SINK_S3__PREFIX=a/
start_sink sink-a "$config"
wait_committed_at_end 60 replay-a src
stop_sink "$KS3_SINK_PID"
unset KAFKA_S3_SINK_S3__PREFIX

# dump TOPIC PARTITIONS: every record, partition by partition, all fields.
dump() {
  local p
  for ((p = 0; p < $2; p++)); do
    kcat -C -b "$KS3_BOOTSTRAP" -t "$1" -p "$p" -o beginning -e -q \
      -f '%p|%o|%T|%K|%k|%S|%s|%h\n' || fail "kcat could not read $1/$p"
  done
}

"$KS3_SINK_BIN" replay "s3://$KS3_S3_BUCKET/a/" --topic dst -b "$KS3_BOOTSTRAP" \
  --s3-prefix a/ --key-encoding base64 --value-encoding base64 \
  >"$KS3_WORK/replay-a.out" 2>"$KS3_WORK/replay-a.log" ||
  fail "replay A failed: $(cat "$KS3_WORK/replay-a.log")"
cat "$KS3_WORK/replay-a.out" >&2
grep -q '^replayed 103 records from .* (source partitions kept, 3 partitions)' \
  "$KS3_WORK/replay-a.out" || fail "replay A: unexpected summary"
dump src 3 >"$KS3_WORK/src.dump"
dump dst 3 >"$KS3_WORK/dst.dump"
grep -q '|-1||' "$KS3_WORK/src.dump" || fail "no null key or tombstone in the source dump"
grep -aq 'empty=,novalue' "$KS3_WORK/src.dump" || fail "no empty/null headers in the source dump"
cmp "$KS3_WORK/src.dump" "$KS3_WORK/dst.dump" ||
  fail "A: dst differs from src: $(diff -a "$KS3_WORK/src.dump" "$KS3_WORK/dst.dump" | head -5)"
note "A: 103 records equal (binary, headers, tombstone, null key, timestamps, partitions)"

# --- B: JSON documents in interleaved object groups -------------------------------------------
"$KS3_PYTHON" - "$KS3_WORK/docs.in" <<'PY'
import sys
kinds = ["Student", "School", "Student", "Descriptor"]
with open(sys.argv[1], "w") as f:
    for i in range(120):
        f.write('doc-%d\t{ "kind" : "%s", "id": %d, "n": 1.50e1, "s": "caf\\u00e9" }\n'
                % (i % 17, kinds[i % len(kinds)], i))
PY
produce_file docs "$KS3_WORK/docs.in"
config=$KS3_WORK/sink-b.yaml
write_sink_config "$config" docs replay-b \
  "key_template: \"{{value.kind}}/{{topic}}+{{partition}}+{{start_offset}}\"" \
  "compression: {type: zstd}" "rotation: {max_records: 5, idle_flush: 1s}"
export KAFKA_S3_SINK_S3__PREFIX=b/
start_sink sink-b "$config"
wait_committed_at_end 60 replay-b docs
stop_sink "$KS3_SINK_PID"
unset KAFKA_S3_SINK_S3__PREFIX

template='{{value.kind}}/{{topic}}+{{partition}}+{{start_offset}}'
"$KS3_SINK_BIN" replay "s3://$KS3_S3_BUCKET/b/" --topic docs-copy -b "$KS3_BOOTSTRAP" \
  --s3-prefix b/ --key-template "$template" \
  >"$KS3_WORK/replay-b.out" 2>"$KS3_WORK/replay-b.log" ||
  fail "replay B failed: $(cat "$KS3_WORK/replay-b.log")"
cat "$KS3_WORK/replay-b.out" >&2
dump docs 2 >"$KS3_WORK/docs.dump"
dump docs-copy 2 >"$KS3_WORK/docs-copy.dump"
[ "$(wc -l <"$KS3_WORK/docs.dump")" = 120 ] || fail "docs does not hold 120 records"
grep -q '"kind" : "Student", "id": 0, "n": 1.50e1, "s": "caf\\u00e9" }' "$KS3_WORK/docs-copy.dump" ||
  fail "B: a JSON value did not come back verbatim"
cmp "$KS3_WORK/docs.dump" "$KS3_WORK/docs-copy.dump" ||
  fail "B: docs-copy differs: $(diff "$KS3_WORK/docs.dump" "$KS3_WORK/docs-copy.dump" | head -5)"
note "B: 120 JSON records equal, merged from interleaved zstd objects"

# To one partition: by key (auto), every record once, per-key order kept; `keep` refuses.
"$KS3_SINK_BIN" replay "s3://$KS3_S3_BUCKET/b/" --topic docs-one -b "$KS3_BOOTSTRAP" \
  --s3-prefix b/ --key-template "$template" \
  >"$KS3_WORK/replay-one.out" 2>"$KS3_WORK/replay-one.log" ||
  fail "replay to docs-one failed: $(cat "$KS3_WORK/replay-one.log")"
grep -q 'partitioned by key' "$KS3_WORK/replay-one.out" || fail "docs-one: not partitioned by key"
grep -q 'fewer partitions than the source' "$KS3_WORK/replay-one.log" || fail "no warning logged"
per_key() { cut -d'|' -f3- "$1" | sort -s -t'|' -k3,3; }
[ "$(per_key "$KS3_WORK/docs.dump")" = "$(dump docs-one 1 | per_key /dev/stdin)" ] ||
  fail "docs-one: records or their per-key order differ"
rc=0
"$KS3_SINK_BIN" replay "s3://$KS3_S3_BUCKET/b/" --topic docs-one -b "$KS3_BOOTSTRAP" \
  --s3-prefix b/ --key-template "$template" --partitioning keep \
  >/dev/null 2>"$KS3_WORK/replay-keep.log" || rc=$?
[ "$rc" = 1 ] || fail "--partitioning keep into 1 partition exited $rc, not 1"
grep -q 'keeping the source partitions needs 2' "$KS3_WORK/replay-keep.log" ||
  fail "keep: unexpected error: $(cat "$KS3_WORK/replay-keep.log")"
note "ok"

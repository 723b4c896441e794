#!/usr/bin/env bash
# Object settings on the wire (README "Object settings"): a log-mode sink and a mirror-mode sink
# with s3.sse aws:kms + s3.sse_kms_key_id, s3.storage_class, s3.tags and s3.metadata (set as
# --set entries) write through the SigV4-verifying proxy (botocore checks every signature), which
# records each request's headers. Then: every data PutObject (log objects, mirrored documents)
# and the CreateMultipartUpload of an object larger than a part carry all the headers, signed;
# UploadPart carries none; cut manifests carry the encryption only; the proxy rejected nothing.
# The s3 CLI's put with --config (the same settings in the file) gives a small object (PutObject)
# and one over --part-size (multipart) all of them; without --config none.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_object_settings.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic docs:1 --topic people:1
export KS3_SIGV4_RECORD_HEADERS=$KS3_WORK/requests.jsonl
start_s3 lake

settings=(--set s3.sse=aws:kms --set s3.sse_kms_key_id=alias/ks3-test
  --set s3.storage_class=STANDARD_IA --set s3.tags.team=lake --set "s3.tags.note=a b/c"
  --set s3.metadata.Source=ks3-test)
# Raw values, uncompressed: ~6 MB of records make one object over the 5 MiB part (multipart) and
# a smaller one (PutObject) cut by the idle flush.
write_sink_config "$KS3_WORK/log.yaml" docs settings-log \
  'format: {type: raw}' 'compression: {type: none}' \
  'rotation: {max_bytes: 5632KiB, idle_flush: 1s}'
write_sink_config "$KS3_WORK/mirror.yaml" people settings-mirror 'mode: mirror'

start_sink sink-log "$KS3_WORK/log.yaml" --set s3.prefix=events "${settings[@]}"
log_pid=$KS3_SINK_PID
start_sink sink-mirror "$KS3_WORK/mirror.yaml" --set s3.prefix=documents "${settings[@]}"
mirror_pid=$KS3_SINK_PID
produce_json_records people 20

# In batches the sink takes before the next: the mock broker keeps only ~5 MiB a partition.
port=$(http_port_of "$KS3_WORK/log.yaml")
for batch in 0 1 2 3 4 5; do
  produce_json_records docs 200 $((batch * 200)) 5000
  wait_for 60 "the log sink consuming batch $batch" _consumed_at_least "$port" $(((batch + 1) * 200))
done
wait_committed_at_end 60 settings-log docs
wait_committed_at_end 60 settings-mirror people
stop_sink "$log_pid"
stop_sink "$mirror_pid"

# The s3 CLI with the sink's configuration: the object settings written in the file this time.
awk '{ print } /^s3:$/ {
  print "  sse: aws:kms"; print "  sse_kms_key_id: alias/ks3-test"; print "  storage_class: STANDARD_IA"
  print "  tags: {team: lake, note: \"a b/c\"}"; print "  metadata: {Source: ks3-test}" }' \
  "$KS3_WORK/log.yaml" >"$KS3_WORK/cli.yaml"
head -c 2000 /dev/urandom >"$KS3_WORK/small.bin"
head -c $((6 << 20)) /dev/urandom >"$KS3_WORK/large.bin"
for file in small large; do
  "$KS3_SINK_BIN" s3 put --config "$KS3_WORK/cli.yaml" --part-size 5 "$KS3_WORK/$file.bin" \
    "s3://$KS3_S3_BUCKET/cli/$file" || fail "s3 put --config of $file failed"
done
"$KS3_SINK_BIN" s3 put --addressing path "$KS3_WORK/small.bin" "s3://$KS3_S3_BUCKET/plain/small" ||
  fail "s3 put without --config failed"

[ "$(sigv4_proxy_stat rejected)" = 0 ] || fail "the proxy rejected requests: $(sigv4_proxy_stats)"
"$KS3_PYTHON" - "$KS3_SIGV4_RECORD_HEADERS" <<'PY' || fail "object settings headers are wrong"
import json, sys
requests = [json.loads(line) for line in open(sys.argv[1])]
full = {"x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "alias/ks3-test",
        "x-amz-storage-class": "STANDARD_IA",
        "x-amz-tagging": "team=lake&note=a%20b%2Fc",
        "x-amz-meta-source": "ks3-test"}
encryption = {k: v for k, v in full.items() if k.startswith("x-amz-server-side-encryption")}
counts, problems = {}, []
for r in requests:
    q, key = r["query"], r["path"].split("/", 2)[-1]  # path-style: /lake/<key>
    if r["method"] == "PUT" and "partNumber" in q:
        kind, want = "UploadPart", {}
    elif r["method"] == "POST" and "uploads" in q:
        kind, want = "CreateMultipartUpload", full
    elif r["method"] == "PUT" and key.startswith(("events/_ks3/", "documents/_ks3/")):
        kind, want = "bookkeeping PutObject " + key.split("/")[0], encryption
    elif r["method"] == "PUT" and key.startswith(("events/", "documents/", "cli/")):
        kind, want = "data PutObject " + key.split("/")[0], full
    elif r["method"] == "PUT" and key.startswith("plain/"):
        kind, want = "s3 put without --config", {}
    else:
        continue
    counts[kind] = counts.get(kind, 0) + 1
    got = {k: v for k, v in r["headers"].items() if k in full}
    if got != want:
        problems.append(f"{kind} {key}: headers {got}, expected {want}")
    unsigned = [k for k in got if k not in r["signed_headers"]]
    if unsigned:
        problems.append(f"{kind} {key}: not signed: {unsigned}")
print("requests by kind:", counts, file=sys.stderr)
for kind in ("UploadPart", "CreateMultipartUpload", "bookkeeping PutObject events",
             "bookkeeping PutObject documents", "data PutObject events",
             "data PutObject documents", "data PutObject cli", "s3 put without --config"):
    if not counts.get(kind):
        problems.append(f"no {kind} request seen")
if not any(r["method"] == "POST" and "uploads" in r["query"] and r["path"].endswith("/cli/large")
           for r in requests):
    problems.append("the s3 CLI's multipart put (cli/large) was not seen")
for p in problems[:20]:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
note "ok"

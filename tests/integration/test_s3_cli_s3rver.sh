#!/usr/bin/env bash
# The S3 client against a real third-party S3 server (s3rver) behind a SigV4-verifying proxy
# (botocore), through the operator CLI: a wrong secret is rejected at the proxy; 64 MiB goes up
# in 8 MiB parts (multipart), is listed and read back byte for byte; keys with space, unicode,
# + = % ~ ! * ' ( round-trip; presigned GET/PUT URLs work and a tampered one does not;
# the upload checksums (x-amz-checksum-crc32c by default, Content-MD5 with --checksum md5) are
# checked by the proxy.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/s3.sh"
build=${1:?usage: test_s3_cli_s3rver.sh BUILD_DIR}
sink="$build/server/kafka-s3-sink"
[ -x "$sink" ] || fail "$sink is missing: build the kafka-s3-sink target"
s3cli() { "$sink" s3 "$@"; }
# bodies_checked md5|crc32c: how many bodies the proxy checked against that header.
bodies_checked() {
  sigv4_proxy_stats | "$KS3_PYTHON" -c "import json,sys; print(json.load(sys.stdin)['bodies_checked']['$1'])"
}

start_s3 it-bucket
bucket=s3://$KS3_S3_BUCKET

note "a wrong secret is rejected by the verifying proxy, with a clear error"
rejected_before=$(sigv4_proxy_stat rejected)
if AWS_SECRET_ACCESS_KEY=not-the-secret s3cli ls "$bucket/" >"$KS3_WORK/wrong.out" 2>"$KS3_WORK/wrong.err"; then
  fail "ls with a wrong secret succeeded"
fi
grep -q "SignatureDoesNotMatch" "$KS3_WORK/wrong.err" || fail "no SignatureDoesNotMatch in: $(cat "$KS3_WORK/wrong.err")"
grep -q "Check the secret access key" "$KS3_WORK/wrong.err" || fail "no hint in: $(cat "$KS3_WORK/wrong.err")"
(( $(sigv4_proxy_stat rejected) > rejected_before )) || fail "the proxy did not count the rejection"

note "64 MiB in 8 MiB parts"
head -c $((64 << 20)) /dev/urandom >"$KS3_WORK/big.bin"
verified_before=$(sigv4_proxy_stat verified)
s3cli put "$KS3_WORK/big.bin" "$bucket/data/big object.bin" --part-size 8 --concurrency 4 \
  >"$KS3_WORK/put.out" || fail "multipart put failed"
grep -q "67108864 bytes, 8 parts" "$KS3_WORK/put.out" || fail "not 8 parts: $(cat "$KS3_WORK/put.out")"
# CreateMultipartUpload + 8 UploadPart + CompleteMultipartUpload, each verified by botocore; the
# parts' CRC-32C checksums by the proxy (python3-crcmod), and s3rver takes a Complete that lists them.
(( $(sigv4_proxy_stat verified) >= verified_before + 10 )) || fail "the proxy verified too few requests"
(( $(bodies_checked crc32c) >= 8 )) || fail "the proxy checked $(bodies_checked crc32c) CRC-32C checksums, not the 8 parts'"
s3cli ls "$bucket/data/" >"$KS3_WORK/ls.out" || fail "ls failed"
grep -q "67108864  data/big object.bin" "$KS3_WORK/ls.out" || fail "ls does not show the object: $(cat "$KS3_WORK/ls.out")"
s3cli get "$bucket/data/big object.bin" "$KS3_WORK/big.back" >/dev/null || fail "get failed"
cmp "$KS3_WORK/big.bin" "$KS3_WORK/big.back" || fail "downloaded bytes differ"

note "odd keys round-trip"
keys=("odd/with space.json" "odd/unicode-é日本-😀.json" "odd/plus+equals=.json" "odd/percent%20literal.json"
      "odd/tilde~bang!star*quote'paren(.json" "odd/all + = % ~ ! * ' ( .json")
for i in "${!keys[@]}"; do
  printf 'object %d: %s\n' "$i" "${keys[$i]}" >"$KS3_WORK/odd.$i"
  # Alternate signed and UNSIGNED-PAYLOAD bodies, CRC-32C and MD5: the proxy verifies each kind.
  signing=signed checksum=crc32c; ((i % 2)) && signing=unsigned checksum=md5
  s3cli put "$KS3_WORK/odd.$i" "$bucket/${keys[$i]}" --payload-signing "$signing" \
    --checksum "$checksum" >/dev/null || fail "put '${keys[$i]}' ($signing payload, $checksum) failed"
done
s3cli ls "$bucket/odd/" --recursive >"$KS3_WORK/odd.ls" || fail "ls odd/ failed"
[ "$(wc -l <"$KS3_WORK/odd.ls")" -eq "${#keys[@]}" ] || fail "expected ${#keys[@]} keys: $(cat "$KS3_WORK/odd.ls")"
for i in "${!keys[@]}"; do
  grep -qF "  ${keys[$i]}" "$KS3_WORK/odd.ls" || fail "ls lacks '${keys[$i]}': $(cat "$KS3_WORK/odd.ls")"
  s3cli get "$bucket/${keys[$i]}" - >"$KS3_WORK/odd.$i.back" || fail "get '${keys[$i]}' failed"
  cmp "$KS3_WORK/odd.$i" "$KS3_WORK/odd.$i.back" || fail "'${keys[$i]}' came back different"
  s3cli head "$bucket/${keys[$i]}" | grep -q "^size: $(wc -c <"$KS3_WORK/odd.$i")$" || fail "head '${keys[$i]}'"
done

note "presigned URLs"
key="odd/all + = % ~ ! * ' ( .json"
url=$(s3cli presign "$bucket/$key" --expires 300) || fail "presign failed"
curl -sf "$url" -o "$KS3_WORK/presigned.back" || fail "presigned GET rejected: $url"
cmp "$KS3_WORK/odd.5" "$KS3_WORK/presigned.back" || fail "presigned GET returned other bytes"
tampered=${url/all/alm}
status=$(curl -s -o /dev/null -w '%{http_code}' "$tampered")
[ "$status" = 403 ] || fail "a tampered presigned URL got $status, not 403"
put_url=$(s3cli presign "$bucket/presigned/upload é.txt" --method PUT) || fail "presign PUT failed"
echo "uploaded through a presigned URL" >"$KS3_WORK/presigned.put"
curl -sf -T "$KS3_WORK/presigned.put" "$put_url" || fail "presigned PUT rejected"
s3cli get "$bucket/presigned/upload é.txt" - | cmp - "$KS3_WORK/presigned.put" || fail "presigned PUT content"

note "the proxy checks Content-MD5 against the body"
status=$(curl -s -o "$KS3_WORK/md5.err" -w '%{http_code}' -T "$KS3_WORK/presigned.put" \
  -H "Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==" "$put_url")
[ "$status" = 400 ] && grep -q BadDigest "$KS3_WORK/md5.err" || fail "a wrong Content-MD5 got $status"
note "the proxy checks x-amz-checksum-crc32c against the body"
status=$(curl -s -o "$KS3_WORK/crc.err" -w '%{http_code}' -T "$KS3_WORK/presigned.put" \
  -H "x-amz-checksum-crc32c: AAAAAA==" "$put_url")
[ "$status" = 400 ] && grep -q BadDigest "$KS3_WORK/crc.err" || fail "a wrong CRC-32C got $status"
(( $(bodies_checked md5) >= 3 )) ||
  fail "the proxy checked fewer Content-MD5 bodies than the 3 puts with --checksum md5"

note "rm"
for key in "${keys[@]}"; do s3cli rm "$bucket/$key" >/dev/null || fail "rm '$key' failed"; done
s3cli ls "$bucket/odd/" --recursive >"$KS3_WORK/odd.after" || fail "ls after rm failed"
[ ! -s "$KS3_WORK/odd.after" ] || fail "keys left after rm: $(cat "$KS3_WORK/odd.after")"
if s3cli head "$bucket/${keys[0]}" 2>"$KS3_WORK/head.err"; then fail "head of a deleted key succeeded"; fi
grep -q "404" "$KS3_WORK/head.err" || fail "head of a deleted key: $(cat "$KS3_WORK/head.err")"
echo "s3 CLI against s3rver behind the SigV4 proxy: ok"

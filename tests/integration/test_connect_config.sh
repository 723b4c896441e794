#!/usr/bin/env bash
# `kafka-s3-sink connect-config`: a Kafka Connect S3 sink config (the REST shape, with AWS keys)
# converted into YAML that `--validate` accepts; the unmapped settings and warnings go to stderr
# one line each; the connector's secrets appear nowhere. Also from stdin, and exit 2 with one
# line for invalid JSON and an unreadable file. No servers.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_connect_config.sh BUILD_DIR}
KS3_SINK_BIN=$KS3_BUILD/server/kafka-s3-sink
[ -x "$KS3_SINK_BIN" ] || fail "$KS3_SINK_BIN not built"
fixture=$KS3_ROOT/tests/data/connect/analytics_platform.json
secrets=(AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)

# no_secrets FILE...: none of the fixture's secrets in these files.
no_secrets() {
  local secret
  for secret in "${secrets[@]}"; do
    ! grep -qF -- "$secret" "$@" || fail "a secret of the fixture appears in $*"
  done
}

# --- the file -> YAML -> --validate ------------------------------------------------------------
"$KS3_SINK_BIN" connect-config "$fixture" >"$KS3_WORK/sink.yaml" 2>"$KS3_WORK/convert.err" ||
  fail "connect-config failed: $(cat "$KS3_WORK/convert.err")"
no_secrets "$KS3_WORK/sink.yaml" "$KS3_WORK/convert.err"
grep -q 'analytics-platform-lake' "$KS3_WORK/sink.yaml" || fail "the bucket is not in the YAML"
[ -s "$KS3_WORK/convert.err" ] || fail "no unmapped settings or warnings on stderr"
if grep -v '^connect-config: ' "$KS3_WORK/convert.err"; then
  fail "stderr lines without the 'connect-config: ' prefix"
fi
grep -q '^connect-config: not mapped: tasks.max=' "$KS3_WORK/convert.err" ||
  fail "tasks.max not listed as unmapped: $(cat "$KS3_WORK/convert.err")"
# AvroFormat from AvroConverter: Avro container files, values read with the Schema Registry.
grep -q '^  type: avro' "$KS3_WORK/sink.yaml" && grep -q '^  input: avro' "$KS3_WORK/sink.yaml" &&
  grep -q 'url: "http://schema-registry:8081"' "$KS3_WORK/sink.yaml" ||
  fail "AvroFormat + AvroConverter did not become format avro with the registry: $(cat "$KS3_WORK/sink.yaml")"

# --validate needs credentials: the converted config leaves them to the environment.
AWS_ACCESS_KEY_ID=AKIDCONNECTTEST AWS_SECRET_ACCESS_KEY=connect-test-secret \
  "$KS3_SINK_BIN" --config "$KS3_WORK/sink.yaml" --set kafka.bootstrap_servers=127.0.0.1:9 \
  --validate >"$KS3_WORK/validate.out" 2>"$KS3_WORK/validate.err" ||
  fail "--validate of the converted config failed: $(cat "$KS3_WORK/validate.err")"
no_secrets "$KS3_WORK/validate.out" "$KS3_WORK/validate.err"
grep -q 'analytics-platform-lake' "$KS3_WORK/validate.out" ||
  fail "the effective config does not name the bucket"
note "file: converted, --validate accepts it, no secrets printed"

# --- stdin gives the same YAML --------------------------------------------------------------------
"$KS3_SINK_BIN" connect-config - <"$fixture" >"$KS3_WORK/stdin.yaml" 2>/dev/null ||
  fail "connect-config - failed"
cmp -s "$KS3_WORK/sink.yaml" "$KS3_WORK/stdin.yaml" || fail "stdin gave a different YAML"

# --- errors: exit 2, one line ---------------------------------------------------------------------
# expect_error NAME ARGS...: exit 2, nothing on stdout, one line on stderr.
expect_error() {
  local name=$1 rc=0; shift
  "$KS3_SINK_BIN" connect-config "$@" >"$KS3_WORK/$name.out" 2>"$KS3_WORK/$name.err" || rc=$?
  [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2"
  [ ! -s "$KS3_WORK/$name.out" ] || fail "$name: wrote to stdout"
  [ "$(wc -l <"$KS3_WORK/$name.err")" = 1 ] ||
    fail "$name: not one line: $(cat "$KS3_WORK/$name.err")"
  grep -q '^kafka-s3-sink connect-config: ' "$KS3_WORK/$name.err" ||
    fail "$name: $(cat "$KS3_WORK/$name.err")"
}
printf '{"connector.class": ' >"$KS3_WORK/broken.json"
expect_error broken "$KS3_WORK/broken.json"
expect_error missing "$KS3_WORK/no-such-file.json"
echo '{"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector"}' >"$KS3_WORK/jdbc.json"
expect_error jdbc "$KS3_WORK/jdbc.json"
note "errors: exit 2 with one line"
note "ok"

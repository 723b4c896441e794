#!/usr/bin/env bash
# Secrets never leave the process: a sink run with distinct secrets (S3 secret key and session
# token, a SASL password and an SSL key password in the librdkafka properties) at debug level,
# with librdkafka's own debug output on, lands records; then the secrets are searched for in its
# log, in /metrics, /healthz and /readyz, in --validate's output, and in the error line of a
# start-up refused for a wrong secret. None may appear. Then the same with web identity (EKS
# IRSA): a token file, a local fake STS that answers only that token, and the temporary
# credentials it returns; the token and those credentials may not appear either.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_secrets.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

s3_secret='sEcReT-s3-key-7f3a0c'
session_token='sEcReT-session-token-91b2'
sasl_password='sEcReT-sasl-pw-55d1'
ssl_key_password='sEcReT-ssl-key-pw-2e8c'
secrets=("$s3_secret" "$session_token" "$sasl_password" "$ssl_key_password")

start_mock_broker --brokers 1 --topic events:4
start_s3rver lake
# The verifying proxy knows our secret for the key id s3rver accepts (s3rver checks no signature).
start_sigv4_proxy "$KS3_S3RVER_URL" "S3RVER:$s3_secret"
export KS3_S3_BUCKET=lake AWS_REGION=us-east-1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
produce_json_records events 2000

config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-secrets "rotation: {max_records: 250, idle_flush: 1s}"
# Secrets into the s3 and kafka.properties sections (the helper writes them without).
"$KS3_PYTHON" - "$config" "$s3_secret" "$session_token" "$sasl_password" "$ssl_key_password" <<'PY'
import sys
path, s3_secret, token, sasl, sslpw = sys.argv[1:]
text = open(path).read()
text = text.replace("s3:\n", "s3:\n  access_key_id: S3RVER\n"
                    f"  secret_access_key: \"{s3_secret}\"\n  session_token: \"{token}\"\n", 1)
# Plaintext to the mock broker: librdkafka accepts (and ignores) SASL/SSL settings it does not use.
text = text.replace("  properties:\n", "  properties:\n    sasl.username: sink\n"
                    f"    sasl.password: \"{sasl}\"\n    ssl.key.password: \"{sslpw}\"\n"
                    "    debug: \"conf,security,broker,consumer\"\n", 1)
open(path, "w").write(text)
PY

"$KS3_SINK_BIN" --config "$config" --validate >"$KS3_WORK/validate.out" 2>&1 ||
  fail "--validate rejects the config: $(cat "$KS3_WORK/validate.out")"
start_sink sink "$config" --log-level debug
sink=$KS3_SINK_PID
wait_committed_at_end 120 sink-secrets events
port=$(sed -n 's/^  listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$config")
for path in metrics healthz readyz; do
  curl -s "http://127.0.0.1:$port/$path" >"$KS3_WORK/http-$path.out" || fail "GET /$path failed"
done
stop_sink "$sink"
grep -q 'librdkafka' "$KS3_WORK/sink.log" || fail "no librdkafka debug lines: the test would prove little"
(($(wc -l <"$KS3_WORK/sink.log") > 200)) || fail "the debug log is suspiciously short"

# A start-up refused for a wrong secret: the error line must not carry either secret.
sed "s/$s3_secret/wrong-$s3_secret-x/" "$config" >"$KS3_WORK/wrong.yaml"
start_sink wrong "$KS3_WORK/wrong.yaml" --log-level debug
rc=0
wait "$KS3_SINK_PID" || rc=$?
[ "$rc" = 3 ] || fail "a wrong secret: exit status $rc, expected 3"

for file in sink.log validate.out http-metrics.out http-healthz.out http-readyz.out wrong.log; do
  for secret in "${secrets[@]}"; do
    ! grep -qF -- "$secret" "$KS3_WORK/$file" || fail "$file contains a secret: $(grep -F -- "$secret" "$KS3_WORK/$file" | head -2 | cut -c1-300)"
  done
done
grep -qF '***' "$KS3_WORK/validate.out" || fail "--validate does not show the secrets as ***"
note "ok: no secret in $(wc -l <"$KS3_WORK/sink.log") debug log lines, /metrics, /healthz, /readyz, --validate or the start-up error"

note "web identity: the token file and STS's temporary credentials"
web_token='sEcReT-web-identity-token-c4d7'
sts_secret='sEcReT-sts-secret-key-6a90'
sts_session='sEcReT-sts-session-token-3f1e'
wi_secrets=("$web_token" "$sts_secret" "$sts_session")
printf '%s' "$web_token" >"$KS3_WORK/web-identity-token"
# A fake STS on 127.0.0.1: AssumeRoleWithWebIdentity answers credentials for exactly our token.
cat >"$KS3_WORK/fake_sts.py" <<'PY'
import http.server, sys, urllib.parse
port_file, token, secret, session = sys.argv[1:]
class Sts(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        ok = form.get("Action") == ["AssumeRoleWithWebIdentity"] and form.get("WebIdentityToken") == [token]
        body = (("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                 "<AccessKeyId>S3RVER</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                 "<SessionToken>%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
                 "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")
                % (secret, session) if ok else
                "<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error></ErrorResponse>")
        self.send_response(200 if ok else 400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())
        print("AssumeRoleWithWebIdentity", "ok" if ok else "refused", flush=True)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Sts)
open(port_file + ".tmp", "w").write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
start_bg fake-sts "$KS3_PYTHON" "$KS3_WORK/fake_sts.py" "$KS3_WORK/sts.port" \
  "$web_token" "$sts_secret" "$sts_session"
wait_for 30 "the fake STS to listen" test -s "$KS3_WORK/sts.port"
# A second verifying proxy that knows the secret STS hands out (the config points at it).
start_sigv4_proxy "$KS3_S3RVER_URL" "S3RVER:$sts_secret"
wi_config=$KS3_WORK/sink-wi.yaml
write_sink_config "$wi_config" events sink-secrets-wi "rotation: {max_records: 250, idle_flush: 1s}"
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/kafka-s3-sink
export AWS_WEB_IDENTITY_TOKEN_FILE=$KS3_WORK/web-identity-token
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$(cat "$KS3_WORK/sts.port")
"$KS3_SINK_BIN" --config "$wi_config" --validate >"$KS3_WORK/validate-wi.out" 2>&1 ||
  fail "--validate rejects the web identity config: $(cat "$KS3_WORK/validate-wi.out")"
start_sink sink-wi "$wi_config" --log-level debug
wi_sink=$KS3_SINK_PID
wait_committed_at_end 120 sink-secrets-wi events
wi_port=$(sed -n 's/^  listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$wi_config")
curl -s "http://127.0.0.1:$wi_port/metrics" >"$KS3_WORK/http-metrics-wi.out" || fail "GET /metrics failed"
stop_sink "$wi_sink"
grep -q 'AssumeRoleWithWebIdentity ok' "$KS3_WORK/fake-sts.log" ||
  fail "the sink never exchanged the token at the fake STS: the test would prove nothing"
grep -q 'source=web_identity\|web.identity' "$KS3_WORK/sink-wi.log" ||
  fail "the sink log does not say it uses web identity"
for file in sink-wi.log validate-wi.out http-metrics-wi.out; do
  for secret in "${wi_secrets[@]}"; do
    ! grep -qF -- "$secret" "$KS3_WORK/$file" || fail "$file contains a web identity secret: $(grep -F -- "$secret" "$KS3_WORK/$file" | head -2 | cut -c1-300)"
  done
done
note "ok: no web identity token or STS credential in $(wc -l <"$KS3_WORK/sink-wi.log") debug log lines, /metrics or --validate"

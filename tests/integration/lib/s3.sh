# S3 helpers for the integration scripts: s3rver (a real third-party S3 server from npm) behind
# sigv4_proxy.py, which checks every request's SigV4 signature with botocore before forwarding.
# Source after lib/common.sh. Typical use:
#
#   source "$(dirname "$0")/lib/common.sh"; source "$(dirname "$0")/lib/s3.sh"
#   start_s3 my-bucket        # exports the AWS_* variables and KS3_S3_* below
#   "$build/server/kafka-s3-sink" s3 ls "s3://$KS3_S3_BUCKET/"
#
# Exports after start_s3:
#   KS3_S3_ENDPOINT    http://127.0.0.1:<proxy port>  (the verifying proxy: use this one)
#   KS3_S3RVER_URL     http://127.0.0.1:<s3rver port> (unverified, for checks that bypass it)
#   KS3_S3_BUCKET      the bucket created
#   KS3_S3RVER_DIR     s3rver's data directory
#   AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER (s3rver knows only this key pair)
#   AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$KS3_S3_ENDPOINT
# Process ids: KS3_S3RVER_PID, KS3_SIGV4_PROXY_PID (stopped automatically at exit).

KS3_S3RVER_BIN="$KS3_ROOT/scripts/npm/node_modules/.bin/s3rver"

# start_s3rver [BUCKET]: s3rver on a free 127.0.0.1 port with a fresh data directory.
start_s3rver() {
  local bucket=${1:-}
  [ -x "$KS3_S3RVER_BIN" ] || fail "s3rver is missing: run scripts/bootstrap"
  local port; port=$(free_port)
  KS3_S3RVER_DIR="$KS3_WORK/s3rver-data-$port"
  mkdir -p "$KS3_S3RVER_DIR"
  local args=(--silent --address 127.0.0.1 --port "$port" --directory "$KS3_S3RVER_DIR")
  [ -n "$bucket" ] && args+=(--configure-bucket "$bucket")
  # Node 20 needs the legacy OpenSSL provider for s3rver's continuation tokens.
  NODE_OPTIONS=--openssl-legacy-provider start_bg "s3rver-$port" "$KS3_S3RVER_BIN" "${args[@]}"
  KS3_S3RVER_PID=$last_pid
  KS3_S3RVER_URL="http://127.0.0.1:$port"
  wait_for 30 "s3rver on $KS3_S3RVER_URL" curl -sf -o /dev/null "$KS3_S3RVER_URL/"
  export KS3_S3RVER_URL KS3_S3RVER_DIR
}

# start_sigv4_proxy UPSTREAM_URL [ACCESS_KEY:SECRET ...]: the verifying proxy on a free port;
# sets KS3_S3_ENDPOINT.
start_sigv4_proxy() {
  local upstream=$1; shift
  local port_file="$KS3_WORK/sigv4-proxy.$RANDOM.port"
  local args=(--upstream "$upstream" --port 0 --port-file "$port_file")
  for c in "$@"; do args+=(--credentials "$c"); done
  # KS3_S3_FAULT_RATE=0.1: the proxy fails that share of the requests (sigv4_proxy.py).
  [ -n "${KS3_S3_FAULT_RATE:-}" ] && args+=(--fault-rate "$KS3_S3_FAULT_RATE")
  # KS3_SIGV4_RECORD_HEADERS=FILE: each verified request's headers as a JSON line in FILE.
  [ -n "${KS3_SIGV4_RECORD_HEADERS:-}" ] && args+=(--record-headers "$KS3_SIGV4_RECORD_HEADERS")
  # KS3_SIGV4_PROXY_ARGS (an array): any other options of sigv4_proxy.py (fault kinds, seeds).
  args+=("${KS3_SIGV4_PROXY_ARGS[@]}")
  start_bg "sigv4-proxy" "$KS3_PYTHON" "$KS3_ROOT/tests/tools/sigv4_proxy.py" "${args[@]}"
  KS3_SIGV4_PROXY_PID=$last_pid
  wait_for 30 "sigv4_proxy.py to listen" test -s "$port_file"
  KS3_S3_ENDPOINT="http://127.0.0.1:$(cat "$port_file")"
  export KS3_S3_ENDPOINT
}

# start_s3 BUCKET: s3rver with BUCKET behind the verifying proxy; exports the AWS_* settings.
start_s3() {
  local bucket=${1:?start_s3 BUCKET}
  start_s3rver "$bucket"
  start_sigv4_proxy "$KS3_S3RVER_URL"
  export KS3_S3_BUCKET=$bucket
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
  export AWS_ENDPOINT_URL=$KS3_S3_ENDPOINT
  unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  note "S3: $KS3_S3_ENDPOINT (verifying proxy) -> $KS3_S3RVER_URL (s3rver), bucket $bucket"
}

# sigv4_proxy_stats: prints the proxy's {"verified": N, "rejected": N, ...} JSON.
sigv4_proxy_stats() {
  curl -sf "$KS3_S3_ENDPOINT/__sigv4_proxy/stats"
}

# sigv4_proxy_stat NAME: one number from the stats (verified | rejected).
sigv4_proxy_stat() {
  sigv4_proxy_stats | "$KS3_PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# sigv4_proxy_new_generation: after a client was killed and before its successor starts: the
# proxy tells their requests apart by X-Amz-Date (whole seconds, tests/tools/sigv4_proxy.py
# "Generations"), so this returns once the clock is past the boundary second, so that the
# successor signs in a later one (at most a second).
sigv4_proxy_new_generation() {
  local boundary
  boundary=$(curl -sf -X POST "$KS3_S3_ENDPOINT/__sigv4_proxy/generation" |
    "$KS3_PYTHON" -c "import json,sys; print(json.load(sys.stdin)['boundary'])") ||
    fail "the proxy did not start a new generation"
  while (($(date +%s) <= boundary)); do sleep 0.05; done
}

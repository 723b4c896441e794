# Shared helpers for the integration scripts (source it; bash only).
# Servers run on 127.0.0.1 only, on free ports, and are stopped by PID when the script exits.
set -euo pipefail

KS3_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
KS3_PYTHON=/usr/bin/python3   # Debian's python, which has python3-botocore
KS3_WORK=$(mktemp -d "${TMPDIR:-/tmp}/ks3-it.XXXXXX")
_ks3_pids=()

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

# free_port: prints a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  "$KS3_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_bg NAME CMD...: runs CMD in the background, logs to $KS3_WORK/NAME.log, records its PID
# (stopped at exit). The PID is left in $last_pid.
start_bg() {
  local name=$1; shift
  # Truncate here, not in the child: a restarted server must never show its predecessor's log
  # (e.g. an old bootstrap address) to a caller that reads the log right after this returns.
  : >"$KS3_WORK/$name.log"
  "$@" >>"$KS3_WORK/$name.log" 2>&1 &
  last_pid=$!
  _ks3_pids+=("$last_pid")
}

# stop_pid PID [SIGNAL]: signals one process we started and waits for it (bounded).
stop_pid() {
  local pid=$1 sig=${2:-TERM}
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s until it succeeds; fails with the
# description when the deadline passes.
wait_for() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.1
  done
}

# wait_for_log SECONDS NAME PATTERN: waits until $KS3_WORK/NAME.log contains PATTERN.
wait_for_log() {
  wait_for "$1" "'$3' in $2.log" grep -q -- "$3" "$KS3_WORK/$2.log"
}

_ks3_cleanup() {
  local rc=$?
  for pid in "${_ks3_pids[@]}"; do stop_pid "$pid"; done
  if ((rc != 0)); then
    for f in "$KS3_WORK"/*.log; do [ -f "$f" ] && { echo "===== $f (last 40 lines)" >&2; tail -40 "$f" >&2; }; done
  fi
  [ -n "${KS3_KEEP_WORK:-}" ] || rm -rf "$KS3_WORK"
  exit "$rc"
}
trap _ks3_cleanup EXIT

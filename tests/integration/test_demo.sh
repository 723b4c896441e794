#!/usr/bin/env bash
# The README's first command, `scripts/demo`, runs end to end (it builds nothing new here: the
# build dir is already built), prints a decoded Ed-Fi delete record, lands the same topic as a
# document mirror, and DuckDB's counts per resource type agree over both layouts.
set -euo pipefail
build_dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! BUILD_DIR="$build_dir" timeout 300 "$root/scripts/demo" >"$out" 2>&1 </dev/null; then
  tail -60 "$out" >&2
  echo "FAIL: scripts/demo exited non-zero" >&2
  exit 1
fi
for expected in 'objects in s3://edfi-lake/' 'edfi/Student/' '"op": "d"' '"__deleted": "true"' \
  'documents/Ed-Fi/Student/' 'ok   mirror: documents per resource type' \
  'ok   event log: current documents per resource type'; do
  grep -qF -- "$expected" "$out" || { tail -60 "$out" >&2; echo "FAIL: demo output lacks: $expected" >&2; exit 1; }
done
echo "demo ok"

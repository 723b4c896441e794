#!/usr/bin/env bash
# Cross-check of our SigV4 signer against botocore (Debian's python3-botocore), an independent
# implementation: randomized requests (odd keys, query parameters, extra headers, session
# tokens, signed and unsigned payloads, regions) and presigned URLs must sign identically.
# Reproduce a failure with KS3_SIGV4_SEED=<the printed seed>.
source "$(dirname "$0")/lib/common.sh"
build=${1:?usage: test_sigv4_botocore.sh BUILD_DIR}
checker="$build/tests/sigv4_check"
[ -x "$checker" ] || fail "$checker is missing: build the sigv4_check target"

seed_args=()
[ -n "${KS3_SIGV4_SEED:-}" ] && seed_args=(--seed "$KS3_SIGV4_SEED")
"$KS3_PYTHON" "$KS3_ROOT/tests/tools/botocore_sign.py" --count 2000 "${seed_args[@]}" \
  >"$KS3_WORK/cases.jsonl" || fail "botocore_sign.py failed (is python3-botocore installed?)"
"$checker" "$KS3_WORK/cases.jsonl" || fail "our signatures differ from botocore's (see above)"

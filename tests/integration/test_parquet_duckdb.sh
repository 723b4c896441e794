#!/usr/bin/env bash
# Our Parquet writer (server/format/parquet) checked by an independent reader: parquet_sample
# writes one file per codec (none, snappy, gzip, zstd: every supported type, nested struct and
# list columns, optional columns with nulls, dictionary strings), a dictionary-fallback file, a
# column-API file and an empty file; DuckDB (npm @duckdb/node-api, pinned in scripts/npm) reads
# each one back through tests/tools/duckdb_query.mjs and must return the same rows, types, nulls
# and statistics. The DuckDB version is printed.
source "$(dirname "$0")/lib/common.sh"
build=${1:?usage: test_parquet_duckdb.sh BUILD_DIR}
sample="$build/server/format/parquet/parquet_sample"
[ -x "$sample" ] || fail "$sample is missing: build the parquet_sample target"
[ -d "$KS3_ROOT/scripts/npm/node_modules/@duckdb/node-api" ] ||
  fail "@duckdb/node-api is not installed: run scripts/bootstrap"
command -v node >/dev/null || fail "node is missing: run scripts/bootstrap"

note "writing the sample files"
"$sample" "$KS3_WORK" || fail "parquet_sample failed"
for f in sample_none sample_snappy sample_gzip sample_zstd fallback columns empty; do
  [ -s "$KS3_WORK/$f.parquet" ] || fail "$f.parquet was not written"
  [ "$(head -c 4 "$KS3_WORK/$f.parquet")" = PAR1 ] || fail "$f.parquet does not start with PAR1"
  [ "$(tail -c 4 "$KS3_WORK/$f.parquet")" = PAR1 ] || fail "$f.parquet does not end with PAR1"
done

note "the same bytes twice (deterministic output)"
mkdir -p "$KS3_WORK/again"
"$sample" "$KS3_WORK/again" >/dev/null || fail "parquet_sample failed (second run)"
for f in "$KS3_WORK"/*.parquet; do
  cmp -s "$f" "$KS3_WORK/again/$(basename "$f")" || fail "$(basename "$f") differs between runs"
done

note "DuckDB reads every file"
node "$KS3_ROOT/tests/tools/duckdb_query.mjs" "$KS3_WORK" || fail "DuckDB check failed"

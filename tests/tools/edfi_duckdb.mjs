// The "query-ready" claim of the Ed-Fi document lake, tested with DuckDB (@duckdb/node-api,
// pinned in scripts/npm): over the event-log objects (one resource type per folder, JSON lines,
// gzip; tombstones, which carry no row, are left out) it counts the rows per resource type and
// derives the current documents per resource type
// (the last row of each document, deletes dropped); over the mirror (one JSON file per
// document) it counts the documents per resource type folder. Every count must equal the
// generator's (tests/tools/edfi_traffic.py).
//
//   node tests/tools/edfi_duckdb.mjs --log DIR --mirror DIR --expected FILE
//
// Prints the DuckDB version and the counts; exits 1 on a mismatch.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'scripts/npm/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.expected || (!args.log && !args.mirror)) {
  console.error('usage: edfi_duckdb.mjs [--log DIR] [--mirror DIR] --expected FILE');
  process.exit(2);
}
const expected = JSON.parse(fs.readFileSync(args.expected, 'utf8'));
const sq = (s) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const counts = (list) => Object.fromEntries(list.map((r) => [r.resource, Number(r.n)]));
const sorted = (o) => Object.fromEntries(Object.entries(o).sort());

console.log(`DuckDB ${(await rows('SELECT version() AS v'))[0].v} (@duckdb/node-api)`);
let failed = false;
function check(name, got, want) {
  try {
    assert.deepEqual(sorted(got), sorted(want));
    console.log(`ok   ${name}: ${JSON.stringify(sorted(got))}`);
  } catch (e) {
    failed = true;
    console.log(`FAIL ${name}\n  DuckDB:    ${JSON.stringify(sorted(got))}\n  generator: ${JSON.stringify(sorted(want))}`);
  }
}

if (args.log) {
  // The event log: every row ever written, by resource type.
  const log = `read_json(${sq(path.join(args.log, '**/*.jsonl.gz'))}, format='newline_delimited',
      columns={partition: 'INTEGER', "offset": 'BIGINT', value: 'JSON'})`;
  check('event log: rows per resource type', counts(await rows(
    `SELECT value->>'resourcename' AS resource, count(*) AS n FROM ${log}
     WHERE value->>'resourcename' IS NOT NULL GROUP BY resource`)),
    expected.log_counts);
  // The current state from the log: each document's last row (a document stays in one
  // partition, so its rows are in offset order), deleted ones dropped.
  check('event log: current documents per resource type', counts(await rows(`
    SELECT resource, count(*) AS n FROM (
      SELECT value->>'resourcename' AS resource, value->>'__deleted' AS deleted,
             row_number() OVER (PARTITION BY value->>'documentuuid' ORDER BY "offset" DESC) AS nth
      FROM ${log} WHERE value->>'resourcename' IS NOT NULL)
    WHERE nth = 1 AND deleted <> 'true' GROUP BY resource`)),
    expected.live_counts);
}
if (args.mirror) {
  // The mirror: one file per document, in a folder per resource type.
  const docs = `read_text(${sq(path.join(args.mirror, '*/*/*.json'))})`;
  check('mirror: documents per resource type', counts(await rows(`
    SELECT regexp_extract(filename, '([^/]+)/[^/]+[.]json$', 1) AS resource, count(*) AS n
    FROM ${docs} WHERE json_valid(content) GROUP BY resource`)), expected.live_counts);
}
process.exit(failed ? 1 : 0);

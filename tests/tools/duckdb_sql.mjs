// Runs SQL with DuckDB (@duckdb/node-api, pinned in scripts/npm) and prints each result row as
// one JSON line (BIGINTs as strings, as getRowObjectsJson gives them); the DuckDB version goes to
// stderr. For integration scripts that compare query results with expected text.
//
//   node tests/tools/duckdb_sql.mjs "SELECT ..." ["SELECT ..." ...]
//
// Exits 1 with DuckDB's message when a statement fails.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'scripts/npm/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

if (process.argv.length < 3) {
  console.error('usage: duckdb_sql.mjs SQL...');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
console.error(`DuckDB ${(await rows('SELECT version() AS v'))[0].v} (@duckdb/node-api)`);
for (const sql of process.argv.slice(2)) {
  try {
    for (const row of await rows(sql)) console.log(JSON.stringify(row));
  } catch (e) {
    console.error(`DuckDB failed on: ${sql}\n${e.message ?? e}`);
    process.exit(1);
  }
}

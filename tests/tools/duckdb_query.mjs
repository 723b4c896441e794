// Reads the Parquet files written by parquet_sample (server/format/parquet) with DuckDB
// (@duckdb/node-api, pinned in scripts/npm) and checks rows, types, nulls and statistics against
// values computed here independently from the row number (the same formulas as
// tests/unit/parquet/tools/parquet_sample.cpp).
//
//   node tests/tools/duckdb_query.mjs DIR
//
// Prints the DuckDB version and one line per check; exits 1 on the first mismatch.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'scripts/npm/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: duckdb_query.mjs DIR');
  process.exit(2);
}
const ROWS = 3000;
const sq = (s) => `'${s.replaceAll("'", "''")}'`;

// --- expected values --------------------------------------------------------------------------
function dec(unscaled, scale) {
  let v = BigInt(unscaled);
  const neg = v < 0n;
  if (neg) v = -v;
  let s = v.toString().padStart(scale + 1, '0');
  if (scale > 0) s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  return (neg ? '-' : '') + s;
}
const hex = (bytes) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
const uuid = (i) =>
  `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 31).toString(16).padStart(12, '0')}`;
const big = (i) => BigInt(i - 1500) * 1000000007n;

function sampleRow(i) {
  let tags;
  switch (i % 4) {
    case 0: tags = null; break;
    case 1: tags = []; break;
    case 2: tags = [`t${i % 3}`]; break;
    default: tags = ['a', null, `b${i}`];
  }
  const nums = [];
  for (let k = 0; k < i % 3; ++k) nums.push(String(i + k));
  return {
    id: String(i),
    name: i % 7 === 0 ? null : `name-${i % 13}`,
    score: i % 5 === 0 ? null : i * 0.25 - 100,
    ratio: (i % 100) / 4,
    flag: i % 11 === 0 ? null : i % 3 === 0,
    small: ((i * 7919) % 20001) - 10000,
    ts: i % 9 === 0 ? null : String(1700000000000 + i * 1000),
    ts_us: String(1700000000000000n + BigInt(i) * 1000003n),
    day: new Date((19000 + (i % 400)) * 86400000).toISOString().slice(0, 10),
    price: dec(i * 101 - 50000, 2),
    amount: i % 6 === 0 ? null : dec(i * 1234567 - 1000000000, 4),
    big: dec(big(i), 3),
    uid: i % 10 === 0 ? null : uuid(i),
    doc: i % 8 === 3 ? null : `{"i":${i},"even":${i % 2 === 0}}`,
    tags,
    nums,
    address: i % 8 === 0 ? null : {
      city: `city-${i % 5}`,
      zip: i % 3 === 0 ? null : 10000 + i,
      geo: i % 5 === 0 ? null : { lat: i * 0.5, lon: i * -0.25 },
    },
    raw: i % 4 === 1 ? null : hex([i % 256, (i * 3) % 256, 0]),
    fixed: hex([(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
  };
}

const sampleTypes = {
  id: 'BIGINT', name: 'VARCHAR', score: 'DOUBLE', ratio: 'FLOAT', flag: 'BOOLEAN',
  small: 'INTEGER', ts: 'TIMESTAMP WITH TIME ZONE', ts_us: 'TIMESTAMP WITH TIME ZONE',
  day: 'DATE', price: 'DECIMAL(9,2)', amount: 'DECIMAL(18,4)', big: 'DECIMAL(30,3)',
  uid: 'UUID', doc: 'JSON', tags: 'VARCHAR[]', nums: 'BIGINT[]',
  address: 'STRUCT(city VARCHAR, zip INTEGER, geo STRUCT(lat DOUBLE, lon DOUBLE))',
  raw: 'BLOB', fixed: 'BLOB',
};

// --- checks -----------------------------------------------------------------------------------
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    ++passed;
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}\n${e.stack ?? e}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
}

console.log(`DuckDB ${(await rows('SELECT version() AS v'))[0].v} (@duckdb/node-api)`);

async function types(file) {
  const out = {};
  for (const r of await rows(`DESCRIBE SELECT * FROM read_parquet(${sq(file)})`)) {
    out[r.column_name] = r.column_type;
  }
  return out;
}

for (const [codec, name] of [['none', 'UNCOMPRESSED'], ['snappy', 'SNAPPY'], ['gzip', 'GZIP'],
  ['zstd', 'ZSTD']]) {
  const file = path.join(dir, `sample_${codec}.parquet`);
  await check(`${codec}: types`, async () => assert.deepEqual(await types(file), sampleTypes));
  await check(`${codec}: ${ROWS} rows, values and nulls`, async () => {
    const got = await rows(`SELECT id, name, score, ratio, flag, small, epoch_ms(ts) AS ts,
        epoch_us(ts_us) AS ts_us, day::VARCHAR AS day, price::VARCHAR AS price,
        amount::VARCHAR AS amount, big::VARCHAR AS big, uid::VARCHAR AS uid, doc::VARCHAR AS doc,
        tags, nums, address, hex(raw) AS raw, hex(fixed) AS fixed
      FROM read_parquet(${sq(file)}) ORDER BY id`);
    assert.equal(got.length, ROWS);
    for (let i = 0; i < ROWS; ++i) assert.deepEqual(got[i], sampleRow(i), `row ${i}`);
  });
  await check(`${codec}: footer (codec, row groups, created_by, key/value)`, async () => {
    const meta = await rows(`SELECT DISTINCT compression FROM parquet_metadata(${sq(file)})`);
    assert.deepEqual(meta, [{ compression: name }]);
    const [fm] = await rows(`SELECT * FROM parquet_file_metadata(${sq(file)})`);
    assert.equal(fm.created_by, 'kafka-s3-sink');
    assert.equal(fm.num_rows, String(ROWS));
    assert.ok(Number(fm.num_row_groups) > 1, `${fm.num_row_groups} row groups`);
    const kv = await rows(`SELECT key::VARCHAR AS k, value::VARCHAR AS v
      FROM parquet_kv_metadata(${sq(file)})`);
    assert.deepEqual(kv, [{ k: 'ks3.sample', v: 'yes' }]);
  });
  await check(`${codec}: statistics per row group (signed ints, doubles, UTF8, decimals)`,
    async () => {
      const stats = await rows(`SELECT row_group_id, row_group_num_rows, path_in_schema AS col,
          stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls
        FROM parquet_metadata(${sq(file)}) ORDER BY row_group_id, column_id`);
      const groups = new Map();
      for (const s of stats) {
        if (!groups.has(s.row_group_id)) groups.set(s.row_group_id, { n: Number(s.row_group_num_rows), cols: {} });
        groups.get(s.row_group_id).cols[s.col] = s;
      }
      let start = 0;
      for (const [, g] of [...groups].sort((a, b) => Number(a[0]) - Number(b[0]))) {
        const rs = [];
        for (let i = start; i < start + g.n; ++i) rs.push(sampleRow(i));
        const minmax = (vals, cmp) => {
          const v = vals.filter((x) => x !== null).sort(cmp);
          return [v[0], v[v.length - 1]];
        };
        const num = (a, b) => a - b;
        const str = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
        const expect = (col, [lo, hi], conv, nulls) => {
          const s = g.cols[col];
          assert.ok(s, `no stats for ${col}`);
          assert.deepEqual([conv(s.lo), conv(s.hi)], [lo, hi], `${col} min/max rows ${start}+${g.n}`);
          if (nulls !== undefined) assert.equal(Number(s.nulls), nulls, `${col} null_count`);
        };
        expect('id', [start, start + g.n - 1], Number, 0);
        expect('small', minmax(rs.map((r) => r.small), num), Number, 0);
        expect('score', minmax(rs.map((r) => r.score), num), Number,
          rs.filter((r) => r.score === null).length);
        expect('name', minmax(rs.map((r) => r.name), str), String,
          rs.filter((r) => r.name === null).length);
        const bigs = [];
        for (let i = start; i < start + g.n; ++i) bigs.push(big(i));
        bigs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect('big', [dec(bigs[0], 3), dec(bigs[bigs.length - 1], 3)], String, 0);
        expect('price', minmax(rs.map((r) => Number(r.price)), num), Number, 0);
        expect('uid', minmax(rs.map((r) => r.uid), str), String,
          rs.filter((r) => r.uid === null).length);
        start += g.n;
      }
      assert.equal(start, ROWS);
    });
  await check(`${codec}: filters on statistics-bearing columns`, async () => {
    const [r] = await rows(`SELECT count(*) AS n FROM read_parquet(${sq(file)})
      WHERE small < -9000 AND name = 'name-3'`);
    let n = 0;
    for (let i = 0; i < ROWS; ++i) {
      const e = sampleRow(i);
      if (e.small < -9000 && e.name === 'name-3') ++n;
    }
    assert.equal(Number(r.n), n);
  });
}

{
  const file = path.join(dir, 'fallback.parquet');
  await check('fallback: values across dictionary and PLAIN pages', async () => {
    const got = await rows(`SELECT id, grows, uniq, low FROM read_parquet(${sq(file)}) ORDER BY id`);
    assert.equal(got.length, ROWS);
    for (let i = 0; i < ROWS; ++i) {
      assert.deepEqual(got[i], {
        id: String(i),
        grows: i % 17 === 0 ? null : `grow-value-${Math.floor(i / 10)}`,
        uniq: `unique-${i * 7}-${'x'.repeat(i % 50)}`,
        low: i % 3 === 0 ? 'alpha' : i % 3 === 1 ? 'beta' : 'gamma',
      }, `row ${i}`);
    }
  });
  await check('fallback: dictionary only where it pays', async () => {
    const meta = await rows(`SELECT path_in_schema AS col, encodings,
        dictionary_page_offset IS NOT NULL AS dict FROM parquet_metadata(${sq(file)})
      WHERE row_group_id = 0 ORDER BY column_id`);
    const by = Object.fromEntries(meta.map((m) => [m.col, m]));
    assert.ok(by.grows.dict && by.grows.encodings.includes('RLE_DICTIONARY'), 'grows');
    assert.ok(by.low.dict && by.low.encodings.includes('RLE_DICTIONARY'), 'low');
    assert.ok(!by.uniq.dict && !by.uniq.encodings.includes('RLE_DICTIONARY'), 'uniq');
    assert.ok(!by.id.dict, 'id');
  });
}

{
  const file = path.join(dir, 'columns.parquet');
  await check('columns: column API, repeated leaf, 3 row groups, streamed bytes', async () => {
    const got = await rows(`SELECT n, rep, s FROM read_parquet(${sq(file)}) ORDER BY n`);
    assert.equal(got.length, 300);
    for (let i = 0; i < 300; ++i) {
      const rep = [];
      for (let k = 0; k < i % 3; ++k) rep.push(String(i * 10 + k));
      assert.deepEqual(got[i], { n: i, rep, s: i % 2 === 0 ? `s${i}` : null }, `row ${i}`);
    }
    const [fm] = await rows(`SELECT num_row_groups FROM parquet_file_metadata(${sq(file)})`);
    assert.equal(fm.num_row_groups, '3');
  });
}

{
  const file = path.join(dir, 'empty.parquet');
  await check('empty: schema, no rows', async () => {
    assert.deepEqual(await types(file), { id: 'BIGINT', s: 'VARCHAR' });
    const [r] = await rows(`SELECT count(*) AS n FROM read_parquet(${sq(file)})`);
    assert.equal(r.n, '0');
  });
}

console.log(`${passed} passed, 0 failed`);

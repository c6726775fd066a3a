import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { defaultCacheDir, loadMarketData, type LoadedData, type LoadOptions } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

/**
 * The columnar cache: a second load of an unchanged file with the same options reads the cache and gives
 * the same data and the same report (warnings included); anything changed, or a damaged cache, means a
 * fresh parse. Every test uses its own cache directory.
 */

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function cacheDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-cache-'));
  dirs.push(d);
  return d;
}

/** Minute bars with a duplicate timestamp (a warning) and a jump: the report has something to carry. */
function barsCsv(n: number, first = 100): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 2, 14, 30) + (i === 5 ? 4 : i) * 60_000).toISOString();
    const c = (first + Math.sin(i / 7) + (i === 40 ? 30 : 0)).toFixed(4);
    lines.push(`${t.slice(0, 10)} ${t.slice(11, 19)},${c},${(Number(c) + 0.5).toFixed(4)},${(Number(c) - 0.5).toFixed(4)},${c},${1000 + i}`);
  }
  return lines.join('\n') + '\n';
}

/** Everything a load gives but where it came from, as JSON. */
function content(d: LoadedData): string {
  const { from: _from, events: _events, ...rest } = d;
  return JSON.stringify(rest);
}

function load(path: string, dir: string, opts: LoadOptions = {}): LoadedData {
  return loadMarketData(path, { ...opts, cacheDir: dir });
}

test('the second load reads the cache and gives the same bars, numbers and report (warnings included)', () => {
  const dir = cacheDir();
  const path = tempCsv('cached.csv', barsCsv(300));
  const first = load(path, dir);
  assert.equal(first.from, 'csv');
  assert.ok(first.report.warnings.some((w) => w.code === 'DUPLICATE_TIMESTAMP'), 'the file has warnings to carry');
  assert.equal(readdirSync(dir).length, 1, 'one cache file');
  const second = load(path, dir);
  assert.equal(second.from, 'cache');
  assert.equal(content(second), content(first));
  assert.deepEqual(second.report, first.report);
  assert.deepEqual(second.report, loadMarketData(path).report, 'and the same as with no cache at all');
  assert.ok(first.kind === 'bars');
  for (let i = 0; i < second.events.length; i++) assert.deepEqual(second.events.at(i), first.bars[i]);
});

test('the instrument id labels cached events without a new cache entry', () => {
  const dir = cacheDir();
  const path = tempCsv('ident.csv', barsCsv(50));
  load(path, dir);
  const other = load(path, dir, { instrumentId: 'XYZ' });
  assert.equal(other.from, 'cache');
  assert.equal(other.instrumentId, 'XYZ');
  assert.ok(other.kind === 'bars' && other.bars.every((b) => b.instrumentId === 'XYZ'));
});

test('a changed file is parsed again: new content, or the same size and mtime with other bytes', () => {
  const dir = cacheDir();
  const path = tempCsv('changing.csv', barsCsv(100));
  load(path, dir);
  appendFileSync(path, '2024-01-02 16:30:00,101,102,100,101,5\n');
  const grown = load(path, dir);
  assert.equal(grown.from, 'csv');
  assert.equal(grown.kind === 'bars' && grown.bars.length, 100);
  assert.equal(load(path, dir).from, 'cache');

  const before = statSync(path);
  writeFileSync(path, readFileSync(path, 'utf8').replace('1000', '1001')); // same size, one digit changed
  utimesSync(path, before.atime, before.mtime); // and the old modification time put back
  const edited = load(path, dir);
  assert.equal(edited.from, 'csv', 'caught by the change time and the content sample');
  assert.equal(edited.kind === 'bars' && edited.bars[0].volume, 1001);
});

test('different load options use their own cache entries', () => {
  const dir = cacheDir();
  const path = tempCsv('zones.csv', barsCsv(60));
  const utc = load(path, dir);
  const ny = load(path, dir, { timeZone: 'America/New_York' });
  assert.equal(ny.from, 'csv');
  assert.equal(ny.kind === 'bars' && utc.kind === 'bars' && ny.bars[0].ts - utc.bars[0].ts, 5 * 3_600_000);
  assert.equal(load(path, dir, { timeZone: 'America/New_York' }).from, 'cache');
  assert.equal(load(path, dir, { expectedIntervalMs: 60_000 }).from, 'csv');
  assert.equal(readdirSync(dir).length, 3);
});

test('a damaged cache file is never trusted: it is ignored, the CSV parsed and the cache rewritten', () => {
  const dir = cacheDir();
  const path = tempCsv('damaged.csv', barsCsv(200));
  const good = content(load(path, dir));
  const [name] = readdirSync(dir);
  const file = join(dir, name);
  const intact = readFileSync(file);
  const damages: Array<[string, (b: Buffer) => Buffer]> = [
    ['one flipped bit in the columns', (b) => { const c = Buffer.from(b); c[c.length - 8 * 150] ^= 1; return c; }],
    ['truncated', (b) => b.subarray(0, b.length - 8)],
    ['a longer file', (b) => Buffer.concat([b, Buffer.alloc(8)])],
    ['garbage header', (b) => { const c = Buffer.from(b); c.write('{not json', 16); return c; }],
    ['wrong magic', (b) => { const c = Buffer.from(b); c.write('XXXX', 0); return c; }],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [what, damage] of damages) {
    writeFileSync(file, damage(intact));
    const again = load(path, dir);
    assert.equal(again.from, 'csv', what);
    assert.equal(content(again), good, what);
    assert.deepEqual(readFileSync(file), intact, `${what}: rewritten as before`);
    assert.equal(load(path, dir).from, 'cache', what);
  }
});

test('a file with errors is not cached and fails the same way every time', () => {
  const dir = cacheDir();
  const path = tempCsv('bad.csv', barsCsv(20).replace(/\n2024-01-02 14:40:00,([\d.]+),/, '\n2024-01-02 14:40:00,abc,'));
  assert.throws(() => load(path, dir), /bad\.csv:12: field "open" = "abc": is not a number/);
  assert.deepEqual(readdirSync(dir), []);
  assert.throws(() => load(path, dir), /bad\.csv:12: field "open" = "abc": is not a number/);
});

test('a cache directory that cannot be written costs only the cache', () => {
  const blocker = tempCsv('not-a-dir', 'a file where the cache directory should be');
  const path = tempCsv('plain.csv', barsCsv(30));
  const d = load(path, join(blocker, 'cache'));
  assert.equal(d.from, 'csv');
  assert.equal(content(d), content(loadMarketData(path)));
});

test('the default cache directory: KEEL_CACHE_DIR, else XDG_CACHE_HOME/keel/data, else ~/.cache/keel/data', () => {
  assert.equal(defaultCacheDir({ KEEL_CACHE_DIR: '/tmp/kc' }), '/tmp/kc');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/keel/data');
  assert.match(defaultCacheDir({ HOME: '/home/me' }), /\.cache\/keel\/data$/);
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

/**
 * `keel backtest` and the columnar cache, through the real command: a cached run gives the same bytes as
 * a parsing run, reports the same data warnings, and a changed file is never read from a stale cache.
 */

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function keel(args: string[], cacheDir: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/keel.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, KEEL_DEBUG: '', KEEL_CACHE_DIR: cacheDir },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** 3,000 minute bars that trade (a sine) with one repeated timestamp: a data warning to report. */
function writeBars(path: string, bump = 0): void {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < 3000; i++) {
    const t = new Date(Date.UTC(2024, 0, 2) + (i === 100 ? 99 : i) * 60_000).toISOString();
    const c = (100 + 5 * Math.sin(i / 40) + (i > 2000 ? bump : 0)).toFixed(2);
    lines.push(`${t.slice(0, 10)} ${t.slice(11, 19)},${c},${(Number(c) + 0.3).toFixed(2)},${(Number(c) - 0.3).toFixed(2)},${c},${500 + i}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

const csv = join(dir, 'bars.csv');
writeBars(csv);
const args = (out: string, ...more: string[]) => [
  'backtest', '--strategy', 'sma-cross', '--params', 'fast=10,slow=30', '--data', csv, '--cash', '100000', '--commission-pct', '0.1',
  '--sizing', 'units:100', '--out', out, ...more,
];

test('a second run reads the cache: byte-identical result.json, the same summary and the same data warning', () => {
  const cache = join(dir, 'cache-a');
  const a = keel(args(join(dir, 'a.json')), cache);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(readdirSync(cache).length, 1, 'the first run wrote the cache');
  const cacheFile = join(cache, readdirSync(cache)[0]);
  const written = statSync(cacheFile).ino;
  const b = keel(args(join(dir, 'b.json')), cache);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(statSync(cacheFile).ino, written, 'read, not parsed again (a parse replaces the file)');
  assert.match(a.stderr, /^data: 1 warning\(s\); run keel data validate .*bars\.csv for the list\n$/);
  assert.equal(b.stderr, a.stderr);
  assert.equal(b.stdout.replace('b.json', 'a.json'), a.stdout);
  const ja = readFileSync(join(dir, 'a.json'));
  assert.ok(ja.equals(readFileSync(join(dir, 'b.json'))), 'cached and parsed runs write the same bytes');
  const r = JSON.parse(ja.toString());
  assert.equal(r.bars, 2999);
  assert.equal(r.data.warnings, 1);
  assert.ok(r.trades.length > 5);
});

test('--no-cache writes no cache and the same result; --cache-dir puts the cache where it says', () => {
  const cache = join(dir, 'cache-b');
  const off = keel(args(join(dir, 'off.json'), '--no-cache', '--quiet'), cache);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(existsSync(cache), false);
  const elsewhere = join(dir, 'elsewhere');
  const on = keel(args(join(dir, 'on.json'), '--cache-dir', elsewhere, '--quiet'), cache);
  assert.equal(on.code, 0, on.stderr);
  assert.equal(readdirSync(elsewhere).length, 1);
  assert.equal(existsSync(cache), false);
  assert.ok(readFileSync(join(dir, 'off.json')).equals(readFileSync(join(dir, 'on.json'))));
});

test('a changed CSV is parsed again, never read from the stale cache', () => {
  const cache = join(dir, 'cache-c');
  const changing = join(dir, 'changing.csv');
  writeBars(changing);
  const run = (out: string, ...more: string[]) => keel(args(join(dir, out), '--quiet', ...more).map((a) => (a === csv ? changing : a)), cache);
  assert.equal(run('before.json').code, 0);
  writeBars(changing, 7);
  assert.equal(run('after.json').code, 0);
  assert.equal(run('fresh.json', '--no-cache').code, 0);
  const after = readFileSync(join(dir, 'after.json'));
  assert.ok(!after.equals(readFileSync(join(dir, 'before.json'))), 'the change shows in the result');
  assert.ok(after.equals(readFileSync(join(dir, 'fresh.json'))), 'exactly as a run without the cache');
});
